import { commonErrors, errorResponse, jsonBody, page, pathParam, queryParams, type JsonSchema, type PathItems } from "@/lib/api/openapi-kit";
import { NODE_KINDS } from "@/lib/graph/model";
import { campaignFromFindingsSchema } from "./campaign-draft";
import { listGroupsQuerySchema } from "./group-queries";
import { EXPOSURES } from "./priority";
import { listFindingsQuerySchema, summaryQuerySchema } from "./queries";
import { FINDING_RULES, FINDING_SEVERITIES, FINDING_STATUSES } from "./rules";
import { settingsOverridesSchema } from "./settings";
import { patchFindingSchema } from "./update-finding";

const findingCause: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    kind: { enum: NODE_KINDS },
    name: { type: "string" },
    resolves: { type: "boolean", description: "Whether fixing the cause alone resolves the finding (the cause lies on every shortest risky path)." },
    why: { type: "string", example: "on every path to 14 of 14 risky tools" },
  },
};

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
    score: { type: "number", description: "Priority: severity × blast radius × exposure × freshness (0 until an evaluation scores it)." },
    scoreParts: {
      type: ["object", "null"],
      description: "The score's parts, each with its factor, and the cause; null for a finding not scored yet.",
      properties: {
        severity: { type: "object", properties: { value: { enum: FINDING_SEVERITIES }, factor: { type: "number" } } },
        blastRadius: {
          type: "object",
          properties: {
            weight: { type: "number" },
            tools: { type: "integer" },
            resources: { type: "integer" },
            principals: { type: "integer" },
            describe: { type: "string", example: "reaches 12 high-risk tools and 40 resources" },
            factor: { type: "number" },
          },
        },
        exposure: { type: "object", properties: { factors: { type: "array", items: { enum: EXPOSURES } }, factor: { type: "number" } } },
        freshness: {
          type: "object",
          properties: { firstSeenAt: { type: "string", format: "date-time" }, factor: { type: "number" }, label: { type: "string" } },
        },
        cause: findingCause,
      },
    },
    cause: {
      type: ["object", "null"],
      description: "The root cause: the node whose removal or fix resolves the finding; its id is the finding's group id.",
      properties: { id: { type: "string" }, kind: { enum: NODE_KINDS }, name: { type: "string" }, resolves: { type: "boolean" } },
    },
  },
};

const group: JsonSchema = {
  type: "object",
  required: ["id", "rule", "cause", "count", "score", "scoreParts", "action"],
  properties: {
    id: { type: "string", description: "The cause's node id; GET /api/v1/findings?group={id} lists the members." },
    rule: { enum: FINDING_RULES, description: "The members' main rule (the one most of them come from)." },
    ruleLabel: { type: "string" },
    cause: { type: "object", properties: { id: { type: "string" }, kind: { enum: NODE_KINDS }, name: { type: "string" } } },
    count: { type: "integer", description: "Open findings with this cause." },
    score: { type: "number", description: "Members' scores with diminishing returns: s₁ + s₂/2 + s₃/3 + …" },
    scoreParts: {
      type: "object",
      properties: {
        top: { type: "number", description: "The highest member score." },
        impact: { type: "number", description: "The plain sum of member scores: what fixing the cause removes." },
        count: { type: "integer" },
        resolves: { type: "integer", description: "Members that fixing the cause alone resolves." },
        bySeverity: { type: "object", additionalProperties: { type: "integer" } },
        byRule: { type: "object", additionalProperties: { type: "integer" } },
      },
    },
    action: {
      type: "object",
      description: "The one action that resolves the group, and where in Attest it is done.",
      properties: {
        kind: {
          enum: ["rotate_credential", "remove_grant", "assign_owner", "reassign_departed", "recertify_tool", "review_access", "secure_server", "reduce_reach"],
        },
        label: { type: "string", example: "Rotate and vault deploy-token" },
        description: { type: "string" },
        href: { type: "string", description: "The app page where it is done." },
        campaign: { type: "boolean", description: "True when the action is a review campaign: POST /api/v1/findings/campaign with { group } drafts it." },
        closes: { type: "integer", description: "Members applying the action is expected to resolve." },
      },
    },
    topFindingId: { type: "string" },
    updatedAt: { type: "string", format: "date-time" },
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
      summary: "List findings, highest priority first (findings.read)",
      description:
        "Filter by rule, severity, status (`open` includes accepted findings whose acceptance expired), subject and root-cause `group`; `sort=priority` (default: score, highest first), `severity` (most severe first, then by subject) or `newest` (first seen). Keyset pagination with `cursor`; a cursor works only with the sort it was made for (else 400 naming `cursor`).",
      parameters: queryParams(listFindingsQuerySchema),
      responses: { "200": { description: "A page of findings", content: json(page(finding)) }, ...commonErrors },
    },
  },
  "/api/v1/findings/groups": {
    get: {
      summary: "Root-cause groups, highest score first: the work queue (findings.read)",
      description:
        "One group per cause with open findings (the node whose removal or fix resolves them), with its count, score and parts, and the one action that resolves it. Filter by the main `rule`, `causeKind` and `q` (the cause's name); keyset pagination with `cursor`.",
      parameters: queryParams(listGroupsQuerySchema),
      responses: { "200": { description: "A page of groups", content: json(page(group)) }, ...commonErrors },
    },
  },
  "/api/v1/findings/groups/{id}": {
    get: {
      summary: "One root-cause group by its cause's node id (findings.read)",
      parameters: [pathParam("id", "The cause's node id.")],
      responses: { "200": { description: "The group", content: json(group) }, ...commonErrors, "404": errorResponse("The cause has no open findings.") },
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
      summary: "Create a draft campaign reviewing the access behind some findings, or a root-cause group (findings.read and campaign.manage)",
      description:
        "Give `findingIds`, or `group` (a cause's node id: its top 200 open findings by score). Scope: the union of the findings' edge kinds and targets (at most 50 targets, most severe findings first), reviewed by the targets' owners, due in 14 days unless `dueAt` is given.",
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
