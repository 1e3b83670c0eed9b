import { z } from "zod";

/** Building blocks for the OpenAPI document; each area describes its own paths in lib/<area>/openapi.ts. */
export type JsonSchema = Record<string, unknown>;
export type PathItems = Record<string, Record<string, unknown>>;

/** Query parameters of an operation, from the same zod schema the handler parses with. */
export function queryParams(schema: z.ZodObject): JsonSchema[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}

/** A JSON request body described by the zod schema that parses it. */
export function jsonBody(schema: z.ZodType): JsonSchema {
  return { required: true, content: { "application/json": { schema: z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) } } };
}

export const pathParam = (name: string, description?: string) => ({
  name,
  in: "path",
  required: true,
  ...(description ? { description } : {}),
  schema: { type: "string" },
});

export const idParam = pathParam("id", "An Attest node id (hum_01…) or source:kind:externalId, URL-encoded.");

export const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

export const commonErrors = {
  "400": errorResponse("Malformed id, query or body; `details` names each problem and where."),
  "401": errorResponse("No valid session or bearer token."),
  "403": errorResponse("Authenticated, but without the needed permission."),
};

export const page = (item: JsonSchema) => ({
  type: "object",
  required: ["items", "total", "nextCursor"],
  properties: { items: { type: "array", items: item }, total: { type: "integer" }, nextCursor: { type: ["string", "null"] } },
});
