import { commonErrors, errorResponse, jsonBody, page, pathParam, queryParams, type JsonSchema, type PathItems } from "@/lib/api/openapi-kit";
import { NODE_KINDS } from "@/lib/graph/model";
import { campaignFromFindingsSchema } from "./campaign-draft";
import { listFindingsQuerySchema, summaryQuerySchema } from "./queries";
import { FINDING_RULES, FINDING_SEVERITIES, FINDING_STATUSES } from "./rules";
import { settingsOverridesSchema } from "./settings";
import { patchFindingSchema } from "./update-finding";

const finding: JsonSchema = {
  type: "object",
  required: ["id", "rule", "severity", "status", "title", "subject", "firstSeenAt", "lastSeenAt"],
  properties: {
    id: { type: "string", example: "fnd_01jd3k9v8m2q7r5t4w6x8y0z1a" },
    rule: { enum: FINDING_RULES },
    ruleLabel: { type: "string" },
    owasp: { type: "array", items: { type: "object", properties: { id: { type: "string", example: "NHI2" }, name: { type: "string" } } } },
    severity: { enum: FINDING_SEVERITIES },
    status: { enum: FINDING_STATUSES, description: "The status in force: an accepted finding whose acceptance expired is open." },
    title: { type: "string" },
    subject: { type: "object", properties: { id: { type: "string" }, kind: { enum: NODE_KINDS }, name: { type: "string" } } },
    firstSeenAt: { type: "string", format: "date-time" },
    lastSeenAt: { type: "string", format: "date-time" },
    resolvedAt: { type: ["string", "null"], format: "date-time" },
    reopenedAt: { type: ["string", "null"], format: "date-time" },
    reopenCount: { type: "integer" },
    acceptance: {
      type: ["object", "null"],
      properties: {
        reason: { type: "string" },
        expiresAt: { type: "string", format: "date-time" },
        by: { type: ["string", "null"] },
        at: { type: ["string", "null"] },
        expired: { type: "boolean" },
        suppressionId: {
          type: ["string", "null"],
          description: "The suppression (acceptance by rule and scope) that accepted it; null for a person's acceptance.",
        },
      },
    },
  },
};

const detail: JsonSchema = {
  allOf: [
    finding,
    {
      type: "object",
      properties: {
        evidence: {
          type: "object",
          description:
            "What triggered the finding: nodes (subject first), edges with their ends, attribute values, and rule-specific facts (counts, thresholds, example paths).",
          properties: {
            nodes: { type: "array", items: { type: "string" } },
            edges: {
              type: "array",
              items: { type: "object", properties: { id: { type: "string" }, kind: { type: "string" }, from: { type: "string" }, to: { type: "string" } } },
            },
            attributes: { type: "array", items: { type: "object", properties: { node: { type: "string" }, key: { type: "string" }, value: {} } } },
            facts: { type: "object", additionalProperties: true },
          },
        },
        nodes: {
          type: "object",
          additionalProperties: {
            type: "object",
            properties: { kind: { type: "string" }, name: { type: "string" }, status: { type: ["string", "null"] }, current: { type: "boolean" } },
          },
        },
      },
    },
  ],
};

const evaluation: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    trigger: {
      enum: ["manual", "import", "ownership", "seed", "bench", "schedule", "change"],
      description: "change: an incremental evaluation of one graph change (only the subjects it can affect); the others are full (schedule: the nightly one)",
    },
    graphVersion: { type: "integer" },
    startedAt: { type: "string", format: "date-time" },
    durationMs: { type: "integer" },
    counts: {
      type: "object",
      properties: {
        found: { type: "integer" },
        new: { type: "integer" },
        updated: { type: "integer" },
        unchanged: { type: "integer" },
        resolved: { type: "integer" },
        reopened: { type: "integer" },
        expired: { type: "integer" },
      },
    },
    byRule: { type: "object", additionalProperties: { type: "integer" } },
    superseded: { type: "boolean" },
  },
};

const json = (schema: JsonSchema) => ({ "application/json": { schema } });
const idParam = pathParam("id", "A finding id (fnd_…).");

export const findingsPaths: PathItems = {
  "/api/v1/findings": {
    get: {
      summary: "List findings, most severe first (findings.read)",
      description: "Filter by rule, severity and status (`open` includes accepted findings whose acceptance expired); keyset pagination with `cursor`.",
      parameters: queryParams(listFindingsQuerySchema),
      responses: { "200": { description: "A page of findings", content: json(page(finding)) }, ...commonErrors },
    },
  },
  "/api/v1/findings/summary": {
    get: {
      summary: "Counts by severity and by rule, and the last evaluation (findings.read)",
      description: "Counts by severity honour the rule filter; counts by rule honour the severity filter; both honour status.",
      parameters: queryParams(summaryQuerySchema),
      responses: {
        "200": {
          description:
            '{ bySeverity, byRule, lastEvaluation, lastFullEvaluation }: the latest evaluation (incremental ones have trigger "change" and counts.subjects) and the latest full one',
        },
        ...commonErrors,
      },
    },
  },
  "/api/v1/findings/{id}": {
    get: {
      summary: "One finding with its evidence (findings.read)",
      parameters: [idParam],
      responses: { "200": { description: "The finding", content: json(detail) }, ...commonErrors, "404": errorResponse("No such finding.") },
    },
    patch: {
      summary: "Accept a finding's risk (reason and expiry) or open it again (findings.manage); audited",
      description:
        "`resolved` cannot be set: a finding resolves only when an evaluation no longer finds it. An acceptance may last at most `maxAcceptanceDays` (settings).",
      parameters: [idParam],
      requestBody: jsonBody(patchFindingSchema),
      responses: {
        "200": { description: "The finding after the change", content: json(detail) },
        ...commonErrors,
        "404": errorResponse("No such finding."),
        "409": errorResponse("The finding is resolved."),
        "413": errorResponse("Body too large."),
        "415": errorResponse("Body is not JSON."),
      },
    },
  },
  "/api/v1/findings/evaluate": {
    post: {
      summary: "Evaluate every rule now (findings.manage: analysts and admins); audited with the counts",
      description: "Findings are also evaluated after every successful import. Idempotent: with no graph change nothing changes.",
      responses: { "200": { description: "The evaluation", content: json(evaluation) }, ...commonErrors },
    },
  },
  "/api/v1/findings/settings": {
    get: {
      summary: "Severity and thresholds in force, the overrides and the defaults (findings.read)",
      responses: { "200": { description: "{ settings, overrides, defaults }" }, ...commonErrors },
    },
    put: {
      summary: "Replace the overrides of severity and thresholds (findings.manage); audited; used from the next evaluation",
      requestBody: jsonBody(settingsOverridesSchema),
      responses: {
        "200": { description: "{ settings, overrides, defaults }" },
        ...commonErrors,
        "413": errorResponse("Body too large."),
        "415": errorResponse("Body is not JSON."),
      },
    },
  },
  "/api/v1/findings/campaign": {
    post: {
      summary: "Create a draft campaign reviewing the access behind some findings (findings.read and campaign.manage)",
      description:
        "Scope: the union of the findings' edge kinds and targets (at most 50 targets, most severe findings first), reviewed by the targets' owners, due in 14 days unless `dueAt` is given.",
      requestBody: jsonBody(campaignFromFindingsSchema),
      responses: {
        "201": { description: "{ campaign, definition, clippedTargets }" },
        ...commonErrors,
        "413": errorResponse("Body too large."),
        "415": errorResponse("Body is not JSON."),
      },
    },
  },
};
