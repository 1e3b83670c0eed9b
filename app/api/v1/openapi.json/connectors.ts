import { commonErrors, errorResponse, idParam, jsonBody, page, pathParam, type PathItems } from "@/lib/api/openapi-kit";
import { linkOverrideSchema } from "@/lib/connectors/link-overrides";
import { createConnectorSchema, credentialInputSchema, runRequestSchema, updateConnectorSchema } from "@/lib/connectors/manage";

/*
 * Connectors (lib/connectors/manage.ts) and identity links (lib/connectors/linking.ts, link-overrides.ts).
 * Kept beside the aggregator: the connector library is shared by the vendor drivers and stays free of API prose.
 */
const bodyErrors = { "413": errorResponse("Body too large."), "415": errorResponse("Body is not JSON.") };
const notFound = { "404": errorResponse("No such connector.") };
const connector = {
  type: "object",
  description:
    "A connector: kind, the graph source it writes, its (non-secret) settings, schedule (cron, UTC) with `scheduleText` in words and `nextRunAt`, `lastRun` and `activeRun`. Its credential is never answered: only `credentialSet` and `credentialSetAt`.",
  additionalProperties: true,
};
const run = {
  type: "object",
  description:
    "A run: `trigger` (manual, schedule, test), `mode`, `status` (queued, running, succeeded, failed), `importId`, `counts` (nodes and edges by kind, calls, retries), `errorCode` and `errorMessage` in words that quote no value, located `errors`, `durationMs`.",
  additionalProperties: true,
};

export const connectorsPaths: PathItems = {
  "/api/v1/connectors": {
    get: {
      summary: "List connectors with their last and open runs (import.read)",
      description: "`secretKeyProblem` says why this server cannot store credentials (no ATTEST_SECRET_KEY), or is null.",
      responses: {
        "200": { description: "`{ items, total, nextCursor, secretKeyProblem }`", content: { "application/json": { schema: page(connector) } } },
        ...commonErrors,
      },
    },
    post: {
      summary: "Create a connector (source.manage); audited as connector.create",
      description:
        "`settings` and `credential` are checked against the kind's fields (GET /api/v1/connectors/kinds). A credential is sealed at rest and never answered.",
      requestBody: jsonBody(createConnectorSchema),
      responses: {
        "201": { description: "The connector", content: { "application/json": { schema: connector } } },
        ...commonErrors,
        "409": errorResponse("A connector of that name or source exists, or the server has no ATTEST_SECRET_KEY to seal a credential with."),
        ...bodyErrors,
      },
    },
  },
  "/api/v1/connectors/kinds": {
    get: {
      summary: "The kinds of connector this server has, with their form fields (import.read)",
      description:
        "Each `{ kind, label, format, settingsFields, credentialFields, defaultSettings }`; a field with `secret: true` is part of the write-only credential.",
      responses: { "200": { description: "`{ items, total, nextCursor }`" }, ...commonErrors },
    },
  },
  "/api/v1/connectors/reseal": {
    post: {
      summary: "Re-encrypt every stored credential under the current ATTEST_SECRET_KEY after a key rotation (source.manage)",
      responses: {
        "200": { description: "`{ resealed, failed }`" },
        ...commonErrors,
        "409": errorResponse("The server has no usable ATTEST_SECRET_KEY."),
      },
    },
  },
  "/api/v1/connectors/{id}": {
    get: {
      summary: "One connector (import.read)",
      parameters: [pathParam("id")],
      responses: { "200": { description: "The connector", content: { "application/json": { schema: connector } } }, ...commonErrors, ...notFound },
    },
    patch: {
      summary: "Change name, settings, schedule, schedule mode or enabled (source.manage); audited as connector.update",
      description: "Send `expectedVersion` (the `version` you saw) to get 409 instead of overwriting another admin's change.",
      parameters: [pathParam("id")],
      requestBody: jsonBody(updateConnectorSchema),
      responses: {
        "200": { description: "The connector" },
        ...commonErrors,
        ...notFound,
        "409": errorResponse("Changed since `expectedVersion`, or the name is taken."),
        ...bodyErrors,
      },
    },
    delete: {
      summary: "Delete a connector and its run history (source.manage); the graph source it wrote stays; audited as connector.delete",
      parameters: [pathParam("id")],
      responses: { "204": { description: "Deleted" }, ...commonErrors, ...notFound },
    },
  },
  "/api/v1/connectors/{id}/credential": {
    put: {
      summary: "Replace the connector's credential (source.manage); the old one is gone at once; audited without the value",
      parameters: [pathParam("id")],
      requestBody: jsonBody(credentialInputSchema),
      responses: {
        "200": { description: "The connector (`credentialSet`, `credentialSetAt`; never the value)" },
        ...commonErrors,
        ...notFound,
        "409": errorResponse("The server has no ATTEST_SECRET_KEY: credentials are refused."),
        ...bodyErrors,
      },
    },
  },
  "/api/v1/connectors/{id}/runs": {
    get: {
      summary: "The connector's latest runs and tests, newest first (import.read)",
      parameters: [pathParam("id"), { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } }],
      responses: {
        "200": { description: "`{ items, total, nextCursor }`", content: { "application/json": { schema: page(run) } } },
        ...commonErrors,
        ...notFound,
      },
    },
    post: {
      summary: "Queue a run now (source.manage); the job starts once the run is committed; audited as connector.run.request",
      parameters: [pathParam("id")],
      requestBody: { ...jsonBody(runRequestSchema), required: false },
      responses: {
        "202": { description: "The queued run", content: { "application/json": { schema: run } } },
        ...commonErrors,
        ...notFound,
        "409": errorResponse("No credential set, or a run is already queued or running."),
        ...bodyErrors,
      },
    },
  },
  "/api/v1/connectors/{id}/test": {
    post: {
      summary: "Test connection: one authenticated call now, answered in words (source.manage); recorded as a run of trigger test and audited",
      parameters: [pathParam("id")],
      responses: { "200": { description: "`{ ok, code, message, run }`" }, ...commonErrors, ...notFound },
    },
  },
  "/api/v1/nodes/{id}/links": {
    get: {
      summary: "The same person's accounts in other systems, each with the rule that linked it (graph.read)",
      description: "Rules: `email`, `upn`, `login`, `github login`, `admin` (an override). Written by the identity-linking job.",
      parameters: [idParam],
      responses: {
        "200": { description: "`{ items: [{ edgeId, direction, otherId, otherName, otherSource, rule }], total, nextCursor }`" },
        ...commonErrors,
        "404": errorResponse("No such node."),
      },
    },
  },
  "/api/v1/identity-links/overrides": {
    get: {
      summary: "Admins' identity-link decisions (graph.read)",
      responses: { "200": { description: "`{ items, total, nextCursor }`" }, ...commonErrors },
    },
    post: {
      summary: "Link two accounts as one person, or keep them apart (source.manage); applies when the linking job runs, queued now",
      requestBody: jsonBody(linkOverrideSchema),
      responses: { "201": { description: "The override, with `linkingQueued`" }, ...commonErrors, ...bodyErrors },
    },
  },
  "/api/v1/identity-links/overrides/{id}": {
    delete: {
      summary: "Withdraw an override (source.manage); the rules decide again when the linking job runs, queued now",
      parameters: [pathParam("id")],
      responses: { "200": { description: "`{ deleted, linkingQueued }`" }, ...commonErrors, "404": errorResponse("No such override.") },
    },
  },
  "/api/v1/identity-links/refresh": {
    post: {
      summary: "Queue the identity-linking job now (source.manage)",
      responses: { "202": { description: "`{ queued }`" }, ...commonErrors },
    },
  },
};
