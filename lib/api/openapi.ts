import { z } from "zod";
import { createTokenSchema } from "@/lib/admin/api-tokens";
import { importQuerySchema } from "@/lib/ingest/http-import";
import { discoverRequestSchema } from "@/lib/ingest/mcp-discovery/run-discovery";
import { pathsQuerySchema, reachableFromQuerySchema, whoCanReachQuerySchema } from "@/lib/graph/access-api";
import { listNodesQuerySchema, neighborsQuerySchema } from "@/lib/graph/node-api";
import { EDGE_KINDS, NODE_KINDS } from "@/lib/graph/model";

type JsonSchema = Record<string, unknown>;

/** Query parameters of an OpenAPI operation, from the same zod schema the handler parses with. */
function queryParams(schema: z.ZodObject): JsonSchema[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}

const idParam = {
  name: "id",
  in: "path",
  required: true,
  description: "An Attest node id (hum_01…) or source:kind:externalId, URL-encoded.",
  schema: { type: "string" },
};

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const commonErrors = {
  "400": errorResponse("Malformed id, query or body; `details` names each problem and where."),
  "401": errorResponse("No valid session or bearer token."),
  "403": errorResponse("Authenticated, but without the needed permission."),
};

const node = {
  type: "object",
  required: ["id", "kind", "source", "externalId", "name", "attributes", "firstSeenAt", "lastSeenAt", "validFrom", "validTo"],
  properties: {
    id: { type: "string", example: "hum_01jd3k9v8m2q7r5t4w6x8y0z1a" },
    kind: { type: "string", enum: NODE_KINDS },
    source: { type: "string" },
    externalId: { type: "string" },
    name: { type: "string" },
    status: { type: ["string", "null"], enum: ["active", "inactive", "leave", "terminated", null] },
    attributes: { type: "object", additionalProperties: true },
    firstSeenAt: { type: "string", format: "date-time" },
    lastSeenAt: { type: "string", format: "date-time" },
    validFrom: { type: "string", format: "date-time" },
    validTo: { type: ["string", "null"], format: "date-time" },
  },
};

const page = (item: JsonSchema) => ({
  type: "object",
  required: ["items", "total", "nextCursor"],
  properties: { items: { type: "array", items: item }, total: { type: "integer" }, nextCursor: { type: ["string", "null"] } },
});

/** The OpenAPI 3.1 document served at /api/v1/openapi.json. Every /api/v1 route must appear here (a test checks). */
export function openApiDocument(version: string): JsonSchema {
  return {
    openapi: "3.1.0",
    info: {
      title: "Attest API",
      version,
      description: "Identity-graph governance for humans, service accounts, AI agents and MCP servers. Authenticate with `Authorization: Bearer <token>`.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Node: node,
        Error: {
          type: "object",
          properties: {
            error: {
              type: "object",
              required: ["code", "message", "details"],
              properties: {
                code: { type: "string" },
                message: { type: "string" },
                details: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
                requestId: { type: "string" },
              },
            },
          },
        },
      },
    },
    paths: {
      "/api/health": {
        get: {
          summary: "Liveness and which database is in use",
          security: [],
          responses: { "200": { description: "Healthy", content: { "application/json": { schema: { type: "object", properties: { status: { const: "ok" }, database: { enum: ["pglite", "postgres"] } } } } } }, "503": { description: "Database unavailable" } },
        },
      },
      "/api/v1/nodes": {
        get: {
          summary: "List and search nodes",
          description: "Current nodes (or those valid at `asOf`), ordered by name; keyset pagination with `cursor`. `q` searches name, external id and email.",
          parameters: queryParams(listNodesQuerySchema),
          responses: { "200": { description: "A page of nodes", content: { "application/json": { schema: page({ $ref: "#/components/schemas/Node" }) } } }, ...commonErrors },
        },
      },
      "/api/v1/nodes/{id}": {
        get: {
          summary: "One node",
          parameters: [idParam],
          responses: { "200": { description: "The node", content: { "application/json": { schema: { $ref: "#/components/schemas/Node" } } } }, ...commonErrors, "404": errorResponse("No such node.") },
        },
      },
      "/api/v1/nodes/{id}/neighbors": {
        get: {
          summary: "The nodes one edge away, with the edges",
          parameters: [idParam, ...queryParams(neighborsQuerySchema)],
          responses: {
            "200": {
              description: "A page of neighbours",
              content: {
                "application/json": {
                  schema: page({
                    type: "object",
                    properties: {
                      edge: { type: "object", properties: { id: { type: "string" }, kind: { enum: EDGE_KINDS }, direction: { enum: ["out", "in"] }, access: { type: "boolean" } } },
                      node: { $ref: "#/components/schemas/Node" },
                    },
                  }),
                },
              },
            },
            ...commonErrors,
            "404": errorResponse("No such node."),
          },
        },
      },
      "/api/v1/imports": {
        get: { summary: "Import history, newest first, with status, counts, errors and progress", parameters: [{ name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } }], responses: { "200": { description: "Imports" }, ...commonErrors } },
        post: {
          summary: "Import a graph document (JSON), JSONL (streamed), CSV, an MCP client config, BloodHound OpenGraph or a Baton template",
          description:
            "One import is one transaction: any invalid record and nothing is written (unless allowPartial=true). The answer is the import record (201), or 400 with every problem located by JSON path or line and the rejected import record.",
          parameters: queryParams(importQuerySchema),
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { type: "object", description: "An Attest graph document { source, mode, nodes, edges }, or the format named by ?format=" } },
              "application/x-ndjson": { schema: { type: "string", description: "A header line {source, mode}, then one {node} or {edge} per line" } },
              "text/csv": { schema: { type: "string", description: "A nodes CSV (kind, externalId, name, attributes?, other columns); needs ?source=" } },
              "multipart/form-data": { schema: { type: "object", properties: { nodes: { type: "string", format: "binary" }, edges: { type: "string", format: "binary" }, file: { type: "string", format: "binary" }, source: { type: "string" }, mode: { type: "string" }, format: { type: "string" } } } },
            },
          },
          responses: { "201": { description: "The import record with counts" }, ...commonErrors, "413": errorResponse("Larger than ATTEST_MAX_IMPORT_MB."), "415": errorResponse("Unsupported content type.") },
        },
      },
      "/api/v1/imports/{id}": {
        get: { summary: "One import, with progress while it runs", parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "The import" }, ...commonErrors, "404": errorResponse("No such import.") } },
      },
      "/api/v1/access/who-can-reach": {
        get: {
          summary: "Every principal (human, service account, agent) with a directed path of access edges to the target, each with one shortest path",
          parameters: queryParams(whoCanReachQuerySchema),
          responses: { "200": { description: "{ items: [{ id, kind, externalId, source, name, depth, path: { nodes, edges } }], total, nextCursor, graphVersion, asOf }" }, ...commonErrors, "404": errorResponse("No such node (at that time)."), "409": errorResponse("The graph changed between pages.") },
        },
      },
      "/api/v1/access/reachable-from": {
        get: {
          summary: "Every node a principal reaches through access edges, each with one shortest path",
          parameters: queryParams(reachableFromQuerySchema),
          responses: { "200": { description: "Same shape as who-can-reach" }, ...commonErrors, "404": errorResponse("No such node (at that time)."), "409": errorResponse("The graph changed between pages.") },
        },
      },
      "/api/v1/access/paths": {
        get: {
          summary: "Up to k shortest simple paths between two nodes",
          parameters: queryParams(pathsQuerySchema),
          responses: { "200": { description: "{ items: [{ nodes, edges, length }], nodes: { id: { name, kind, source, externalId } }, truncated }" }, ...commonErrors, "404": errorResponse("No such node (at that time).") },
        },
      },
      "/api/v1/discovery/mcp": {
        post: {
          summary: "List a live MCP server's tools over streamable HTTP and import them (annotations, risk, definition hash)",
          requestBody: { required: true, content: { "application/json": { schema: z.toJSONSchema(discoverRequestSchema, { io: "input", unrepresentable: "any" }) } } },
          responses: { "201": { description: "The import record" }, ...commonErrors },
        },
      },
      "/api/v1/tokens": {
        get: { summary: "List API tokens (admin)", responses: { "200": { description: "Tokens, without their values" }, ...commonErrors } },
        post: {
          summary: "Create an API token (admin); the token is in this answer only",
          requestBody: { required: true, content: { "application/json": { schema: z.toJSONSchema(createTokenSchema, { io: "input" }) } } },
          responses: { "201": { description: "The token, with `token` shown once" }, ...commonErrors, "413": errorResponse("Body too large."), "415": errorResponse("Body is not JSON.") },
        },
      },
      "/api/v1/tokens/{id}": {
        delete: {
          summary: "Revoke an API token (admin)",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "The revoked token" }, ...commonErrors, "404": errorResponse("No such live token.") },
        },
      },
      "/api/v1/openapi.json": { get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1" } } } },
    },
  };
}
