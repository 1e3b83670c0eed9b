import { commonErrors, errorResponse, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { exportDecisionsQuerySchema, listDecisionsQuerySchema } from "./decisions-api";

const ref = { type: "object", properties: { id: { type: ["string", "null"] }, ref: { type: "string" }, name: { type: ["string", "null"] } } };

const decision = {
  type: "object",
  required: ["id", "decidedAt", "subject", "action", "tool", "decision", "reasonCode", "graphVersion", "pdpStateVersion", "weight"],
  properties: {
    id: { type: "string", example: "dec_01jd3k9v8m2q7r5t4w6x8y0z1a" },
    decidedAt: { type: "string", format: "date-time" },
    requestId: { type: ["string", "null"], description: "The X-Request-ID the gateway sent" },
    clientId: { type: ["string", "null"], description: "The PDP client (API token id)" },
    subject: ref,
    actingForId: { type: ["string", "null"] },
    action: { type: "string", example: "tools/call" },
    tool: ref,
    decision: { enum: ["allow", "deny"] },
    reasonCode: { type: "string" },
    graphVersion: { type: "integer" },
    pdpStateVersion: { type: "integer" },
    weight: { type: "integer", description: "A sampled allow stands for this many decisions (ATTEST_PDP_ALLOW_SAMPLE)" },
    batchAuditId: { type: ["string", "null"], description: "The audit event (pdp.decisions.logged) chaining the row's batch" },
    context: { type: "object" },
  },
};

/** The decision log (docs/DECISION-LOG.md) and gateways' telemetry. */
export const usagePaths: PathItems = {
  "/api/v1/pdp/decisions": {
    get: {
      summary: "The decision point's decisions, newest first, filtered by subject, tool, decision and time range",
      description:
        "Keyset pagination with `cursor`. `subject`/`tool`: a node id or the ref the request named, exact. `from` inclusive, `to` exclusive. Needs `usage.read`.",
      parameters: queryParams(listDecisionsQuerySchema),
      responses: {
        "200": {
          description: "A page of decisions",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["items", "nextCursor"],
                properties: { items: { type: "array", items: decision }, nextCursor: { type: ["string", "null"] } },
              },
            },
          },
        },
        ...commonErrors,
      },
    },
  },
  "/api/v1/pdp/decisions/export": {
    get: {
      summary: "Export decisions as OCSF API Activity (class 6003) JSON lines (audit.read); audited as pdp.decisions.export",
      description:
        "Same filters as /api/v1/pdp/decisions, oldest first, streamed; one OCSF event per line. Mapping: docs/DECISION-LOG.md. `format` must be `ocsf`.",
      parameters: queryParams(exportDecisionsQuerySchema),
      responses: {
        "200": { description: "JSON Lines (Content-Disposition: attachment)", content: { "application/x-ndjson": { schema: { type: "string" } } } },
        ...commonErrors,
      },
    },
  },
  "/api/v1/usage/otlp/v1/traces": {
    post: {
      summary: "OTLP/HTTP JSON trace export from MCP gateways: tool-call spans become last use per (agent, tool) (usage.ingest)",
      description:
        "An ExportTraceServiceRequest in the OTLP JSON encoding (gzip accepted; at most 4 MiB, 20,000 spans). Spans with `mcp.method.name` = `tools/call` are read (`gen_ai.tool.name`, `gen_ai.agent.id`, `server.address`); others are ignored. Unusable tool-call spans are counted in `partialSuccess`. Protobuf is not accepted (415).",
      requestBody: { required: true, content: { "application/json": { schema: { type: "object", properties: { resourceSpans: { type: "array" } } } } } },
      responses: {
        "200": {
          description: "ExportTraceServiceResponse",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  partialSuccess: { type: "object", properties: { rejectedSpans: { type: "string" }, errorMessage: { type: "string" } } },
                },
              },
            },
          },
        },
        "413": errorResponse("The body or the number of spans is over the limit."),
        "415": errorResponse("Not JSON (protobuf is not accepted) or an encoding other than gzip."),
        ...commonErrors,
      },
    },
  },
};
