import { z } from "zod";
import { AppError, zodDetails } from "@/lib/errors";

/**
 * AuthZEN 1.0 request bodies (openid/authzen api/authorization-api-1_0.md). Receivers MUST ignore unknown fields
 * (§ JSON Serialization), so objects are loose; a missing required field is a 400 naming its path, never quoting
 * what was sent. Bounded: ids and types in length, batches in count.
 */
const props = z.record(z.string(), z.unknown()).optional();
const entity = z.looseObject({ type: z.string().min(1).max(200), id: z.string().min(1).max(1000), properties: props });
const searchEntity = z.looseObject({ type: z.string().min(1).max(200), id: z.string().max(1000).optional(), properties: props });
const action = z.looseObject({ name: z.string().min(1).max(200), properties: props });
const context = z.record(z.string(), z.unknown()).optional();

export const evaluationSchema = z.looseObject({ subject: entity, action, resource: entity, context });

export const MAX_EVALUATIONS = 1000;
export const SEMANTICS = ["execute_all", "deny_on_first_deny", "permit_on_first_permit"] as const;

export const evaluationsSchema = z.looseObject({
  subject: entity.optional(),
  action: action.optional(),
  resource: entity.optional(),
  context,
  evaluations: z
    .array(z.looseObject({ subject: entity.optional(), action: action.optional(), resource: entity.optional(), context }))
    .max(MAX_EVALUATIONS)
    .optional(),
  options: z.looseObject({ evaluations_semantic: z.enum(SEMANTICS).optional() }).optional(),
});

const page = z.looseObject({ token: z.string().max(2000).optional(), limit: z.number().int().min(0).max(1000).optional() }).optional();
export const subjectSearchSchema = z.looseObject({ subject: searchEntity, action, resource: entity, context, page });
export const resourceSearchSchema = z.looseObject({ subject: entity, action, resource: searchEntity, context, page });
export const actionSearchSchema = z.looseObject({ subject: entity, resource: entity, context, page });

export function parseBody<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const details = zodDetails(parsed.error.issues);
    throw new AppError("validation", `invalid request: ${details.map((d) => `${d.path || "(body)"}: ${d.message}`).join("; ")}`, details);
  }
  return parsed.data;
}
