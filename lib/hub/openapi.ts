import { commonErrors, errorResponse, idParam, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { sectionQuerySchema } from "./common";
import { nodeFindingsQuerySchema } from "./findings";

const sectionPage = (item: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "object",
  required: ["items", "nextCursor"],
  properties: { items: { type: "array", items: item }, nextCursor: { type: ["string", "null"] }, ...extra },
});

const section = (summary: string, permission: string, description: string, schema: Record<string, unknown>, query = sectionQuerySchema) => ({
  get: {
    summary,
    description: `${description} Needs graph.read${permission ? ` and ${permission}` : ""}. At most \`limit\` rows (1–100, default 25); \`nextCursor\` names the next page.`,
    parameters: [idParam, ...queryParams(query)],
    responses: { "200": { description: "One page", content: { "application/json": { schema } } }, ...commonErrors, "404": errorResponse("No such node.") },
  },
});

/** The node hub's sections (the node page's tabs) as JSON. */
export const hubPaths: PathItems = {
  "/api/v1/nodes/{id}/findings": section(
    "Findings about a node",
    "findings.read",
    "Open and accepted findings whose subject is the node, most severe first; `status=all` adds resolved ones. `openCount` counts the open and accepted ones.",
    sectionPage({ type: "object", description: "A finding as GET /api/v1/findings answers it" }, { openCount: { type: "integer" } }),
    nodeFindingsQuerySchema,
  ),
  "/api/v1/nodes/{id}/certifications": section(
    "Campaign decisions on a node's access",
    "campaign.read",
    "Review items whose subject or target is the node, newest decision first: the access, the decision or outcome, who decided and when, the campaign. `summary` has the count, the pending count and the last approval (when, by whom, in which campaign).",
    sectionPage(
      {
        type: "object",
        properties: {
          itemId: { type: "string" },
          role: { enum: ["subject", "target"] },
          decision: { type: ["string", "null"] },
          outcome: { type: ["string", "null"] },
          decidedBy: { type: ["string", "null"] },
          decidedAt: { type: ["string", "null"], format: "date-time" },
        },
      },
      { summary: { type: "object", properties: { total: { type: "integer" }, pending: { type: "integer" }, lastCertified: { type: ["object", "null"] } } } },
    ),
  ),
  "/api/v1/nodes/{id}/credentials": section(
    "Credentials around a node",
    "",
    "Credentials the node uses (uses_credential) and those for it (credential_for), by name, with storage, fingerprint, issue, rotation and expiry dates, never a value. For a credential, `self` holds its own facts and the items are who uses it (`used_by`) and what it opens (`opens`).",
    sectionPage(
      {
        type: "object",
        properties: { relation: { enum: ["uses", "for", "used_by", "opens"] }, credential: { type: ["object", "null"] }, other: { type: ["object", "null"] } },
      },
      { self: { type: ["object", "null"] } },
    ),
  ),
  "/api/v1/nodes/{id}/history": section(
    "A node's timeline",
    "",
    "When each relationship of the node began and ended (edge validity periods), and when the node itself began or ended, newest first.",
    sectionPage({
      type: "object",
      properties: {
        at: { type: "string", format: "date-time" },
        change: { enum: ["began", "ended"] },
        edge: { type: ["object", "null"] },
        other: { type: ["object", "null"] },
      },
    }),
  ),
  "/api/v1/nodes/{id}/audit": section(
    "Audit events about a node",
    "audit.read",
    "Events whose target is the node or one of its findings, newest first (by chain order), with the actor's name, the event in words and the changed fields.",
    sectionPage({
      type: "object",
      properties: {
        seq: { type: "integer" },
        occurredAt: { type: "string", format: "date-time" },
        action: { type: "string" },
        summary: { type: "string" },
        actor: { type: "object" },
        changes: { type: "array" },
      },
    }),
  ),
};
