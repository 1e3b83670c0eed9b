import { commonErrors, page, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { listAuditQuerySchema, verifyQuerySchema } from "./audit-api";
import { AUDIT_CSV_HEADER, exportAuditQuerySchema } from "./audit-export";

const hash = { type: "string", pattern: "^[0-9a-f]{64}$" };

const auditEvent = {
  type: "object",
  required: ["seq", "id", "occurredAt", "actorType", "actorId", "action", "prevHash", "hash"],
  properties: {
    seq: { type: "integer", description: "Position in the chain" },
    id: { type: "string", example: "evt_01jd3k9v8m2q7r5t4w6x8y0z1a" },
    occurredAt: { type: "string", format: "date-time" },
    actorType: { enum: ["user", "token", "bootstrap", "system"] },
    actorId: { type: "string" },
    actorLabel: { type: ["string", "null"] },
    action: { type: "string", example: "token.create" },
    targetType: { type: ["string", "null"] },
    targetId: { type: ["string", "null"] },
    before: {},
    after: {},
    requestId: { type: ["string", "null"] },
    prevHash: hash,
    hash: { ...hash, description: "SHA-256 over prevHash, a newline and the canonical JSON of the event" },
  },
};

export const auditPaths: PathItems = {
  "/api/v1/audit/verify": {
    get: {
      summary: "Recompute the audit log's hash chain",
      description:
        "Walks every event in chain order and recomputes its SHA-256 from the previous hash and the event's canonical JSON. `brokenAt` names the first event that was edited, or whose predecessor was deleted or moved. Pass `anchor` (a head recorded earlier, e.g. in an evidence manifest) to also check that it is still in the chain: events cut off the end of the log show only that way. Needs `audit.read`.",
      parameters: queryParams(verifyQuerySchema),
      responses: {
        "200": {
          description: "The verification",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["ok", "entries", "head"],
                properties: {
                  ok: { type: "boolean" },
                  entries: { type: "integer", description: "Events verified (before the break, when broken)" },
                  head: { ...hash, description: "Hash of the last verified event; 64 zeros for an empty log" },
                  brokenAt: { type: "object", properties: { seq: { type: "integer" }, id: { type: "string" }, reason: { type: "string" } } },
                  anchor: { type: "object", properties: { hash, found: { type: "boolean" }, seq: { type: ["integer", "null"] } } },
                },
              },
            },
          },
        },
        ...commonErrors,
      },
    },
  },
  "/api/v1/audit/events": {
    get: {
      summary: "Audit events, newest first, filtered by action, actor, target and date range",
      description: "Keyset pagination with `cursor`. A bare date in `to` includes that whole day (UTC). Needs `audit.read`.",
      parameters: queryParams(listAuditQuerySchema),
      responses: { "200": { description: "A page of events", content: { "application/json": { schema: page(auditEvent) } } }, ...commonErrors },
    },
  },
  "/api/v1/audit/events/export": {
    get: {
      summary: "Export the audit events a filter selects, as CSV or JSON (audit.read); audited as audit.export",
      description: `Same filters as /api/v1/audit/events, newest first, every matching event (streamed). Names are resolved at export time (actor_name, target_name) and each event's changes are listed field by field; ids, before/after and hashes are exactly as the chain holds them. CSV columns: ${AUDIT_CSV_HEADER.join(", ")}. JSON: \`{ exportedAt, filters, total, items }\`. \`X-Total-Count\` carries the number of rows. The export is recorded before its rows are read and is not part of its own file.`,
      parameters: queryParams(exportAuditQuerySchema),
      responses: {
        "200": {
          description: "The file (Content-Disposition: attachment)",
          content: {
            "text/csv": { schema: { type: "string" } },
            "application/json": { schema: { type: "object", required: ["exportedAt", "filters", "total", "items"] } },
          },
        },
        ...commonErrors,
      },
    },
  },
};
