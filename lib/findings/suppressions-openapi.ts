import { commonErrors, errorResponse, jsonBody, page, pathParam, queryParams, type JsonSchema, type PathItems } from "@/lib/api/openapi-kit";
import { NODE_KINDS } from "@/lib/graph/model";
import { createSuppressionSchema, listSuppressionsQuerySchema, MAX_SUPPRESSION_DAYS } from "./manage-suppressions";
import { FINDING_RULES, SUPPRESSION_SCOPES } from "./rules";

const suppression: JsonSchema = {
  type: "object",
  required: ["id", "rule", "scope", "reason", "expiresAt", "createdBy", "createdAt", "matched", "status"],
  properties: {
    id: { type: "string", example: "sup_01jd3k9v8m2q7r5t4w6x8y0z1a" },
    rule: { enum: [...FINDING_RULES, null], description: "null: every rule" },
    ruleLabel: { type: "string" },
    scope: {
      type: "object",
      properties: {
        kind: {
          enum: SUPPRESSION_SCOPES,
          description: "subject: findings about the node; via: findings whose evidence passes through it; cause: findings it causes",
        },
        node: { type: "object", properties: { id: { type: "string" }, kind: { enum: NODE_KINDS }, name: { type: "string" } } },
      },
    },
    reason: { type: "string" },
    expiresAt: { type: "string", format: "date-time" },
    createdBy: { type: "string" },
    createdAt: { type: "string", format: "date-time" },
    revokedBy: { type: ["string", "null"] },
    revokedAt: { type: ["string", "null"], format: "date-time" },
    matched: { type: "integer", description: "The findings it accepts (once revoked: what it had accepted)." },
    status: {
      enum: ["applying", "active", "expired", "revoking", "revoked"],
      description: "applying / revoking: the job findings.apply-suppression has not yet accepted / reopened the existing findings.",
    },
  },
};

const json = (schema: JsonSchema) => ({ "application/json": { schema } });

export const suppressionPaths: PathItems = {
  "/api/v1/findings/suppressions": {
    get: {
      summary: "Suppressions (acceptance by rule and scope), active first, then newest (findings.read)",
      parameters: queryParams(listSuppressionsQuerySchema),
      responses: { "200": { description: "A page of suppressions", content: json(page(suppression)) }, ...commonErrors },
    },
    post: {
      summary: "Accept findings by rule and scope until a date (findings.manage); audited",
      description: `While active, the open findings of \`rule\` (omitted or null: every rule) whose subject is, whose evidence passes through (\`via\`), or whose cause is \`nodeId\` are accepted with this reason until \`expiresAt\` (in the future, at most ${MAX_SUPPRESSION_DAYS} days ahead): existing ones by the background job \`findings.apply-suppression\` (status \`applying\` until it has run), new and reopened ones by the evaluation that finds them. At expiry they open again. Answers 409 when an active suppression with the same rule and scope exists.`,
      requestBody: jsonBody(createSuppressionSchema),
      responses: {
        "201": { description: "The suppression", content: json(suppression) },
        ...commonErrors,
        "409": errorResponse("An active suppression with this rule and scope exists."),
        "413": errorResponse("Body too large."),
        "415": errorResponse("Body is not JSON."),
      },
    },
  },
  "/api/v1/findings/suppressions/{id}/revoke": {
    post: {
      summary: "Revoke a suppression (findings.manage); audited",
      description:
        "It accepts nothing more at once; the job `findings.apply-suppression` reopens the findings it accepted (status `revoking` until then). Revoking a revoked one changes nothing; an expired one answers 409.",
      parameters: [pathParam("id", "A suppression id (sup_…).")],
      responses: {
        "200": { description: "The suppression", content: json(suppression) },
        ...commonErrors,
        "404": errorResponse("No such suppression."),
        "409": errorResponse("The suppression has expired."),
      },
    },
  },
};
