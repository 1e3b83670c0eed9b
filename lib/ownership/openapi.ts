import { commonErrors, errorResponse, idParam, jsonBody, page, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { OWNER_ROLES } from "@/lib/graph/model";
import { assignSchema } from "./assign";
import { coverageQuerySchema } from "./coverage";
import { orphansQuerySchema } from "./orphans";
import { mineQuerySchema } from "./owned-by";
import { putOwnersSchema } from "./owners";
import { listReassignmentsQuerySchema, queueSchema, resolveSchema } from "./reassignments";
import { suggestionsQuerySchema } from "./suggestions";

const ownerRef = {
  type: "object",
  properties: {
    id: { type: "string" },
    kind: { enum: ["human", "group"] },
    name: { type: "string" },
    status: { type: ["string", "null"] },
    email: { type: ["string", "null"] },
    ended: { type: "boolean" },
  },
};
const owner = {
  type: "object",
  properties: {
    edgeId: { type: "string" },
    owner: ownerRef,
    roles: { type: "array", items: { enum: OWNER_ROLES } },
    source: { type: "string", description: "The source that reported the owns edge; `attest` for owners assigned in Attest." },
    since: { type: "string", format: "date-time" },
    assignedBy: { type: ["string", "null"] },
    assignedReason: { type: ["string", "null"] },
    inheritedFrom: { type: ["object", "null"], description: "For a tool without owners of its own: the MCP server it inherits them from." },
    active: { type: "boolean", description: "A human who has not left, or a group with at least one active member." },
    activeMembers: { type: ["integer", "null"] },
  },
};
const counts = {
  type: "object",
  properties: {
    total: { type: "integer" },
    owned: { type: "integer", description: "With at least one active owner." },
    businessAndTechnical: { type: "integer", description: "With an active business and an active technical owner." },
    ownedShare: { type: ["number", "null"] },
    businessAndTechnicalShare: { type: ["number", "null"] },
    unowned: { type: "integer" },
  },
};
const ownersView = {
  type: "object",
  properties: {
    node: { type: "object" },
    items: { type: "array", items: owner },
    total: { type: "integer" },
    nextCursor: { type: "null" },
    summary: {
      type: "object",
      properties: {
        activeOwners: { type: "integer" },
        business: { type: "boolean" },
        technical: { type: "boolean" },
        security: { type: "boolean" },
        orphan: { type: "boolean" },
        rules: { type: "array", items: { type: "string" } },
      },
    },
  },
};
const bodyErrors = { "413": errorResponse("Body too large."), "415": errorResponse("Body is not JSON.") };

export const ownershipPaths: PathItems = {
  "/api/v1/nodes/{id}/owners": {
    get: {
      summary: "The owners of a node: direct and inherited, active or not, with who assigned them (owner.read; a reviewer: what they own)",
      parameters: [idParam],
      responses: {
        "200": { description: "Owners, active first", content: { "application/json": { schema: ownersView } } },
        ...commonErrors,
        "404": errorResponse("No such node, or a reviewer who does not own it."),
      },
    },
    put: {
      summary: "Replace a node's owners (owner.assign)",
      description:
        "Owners no longer named are end-dated, never deleted; new ones are recorded on an edge of the source `attest` (type manual, created on first use) with who assigned them, when and why. One audit event (`owner.assign` / `owner.unassign`) per (owner, role) added or removed. A new owner must be a human who has not left or a group with active members.",
      parameters: [idParam],
      requestBody: jsonBody(putOwnersSchema),
      responses: {
        "200": { description: "The owners after the change, with `changes`" },
        ...commonErrors,
        "404": errorResponse("No such node."),
        ...bodyErrors,
      },
    },
  },
  "/api/v1/ownership/coverage": {
    get: {
      summary: "Ownership coverage per kind and source, worst gaps first, with the daily trend (owner.read)",
      description:
        "Coverage counts current agents, service accounts, MCP servers, tools, entitlements, resources and credentials. The trend has one point per day coverage was looked at (recorded on each look).",
      parameters: queryParams(coverageQuerySchema),
      responses: {
        "200": {
          description: "{ asOf, totals, byKind, bySource, gaps, trend }",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  totals: counts,
                  byKind: { type: "array", items: counts },
                  bySource: { type: "array", items: counts },
                  gaps: { type: "array", items: counts },
                  trend: { type: "array", items: counts },
                },
              },
            },
          },
        },
        ...commonErrors,
      },
    },
  },
  "/api/v1/ownership/orphans": {
    get: {
      summary: "Nodes without an active owner, most dangerous first (owner.read)",
      description:
        "Rules: `no_owner`, `inactive_owners` (only people who left), `empty_owner_group`. Risk comes from what the node is and what it reaches through access edges (tool risk, hard-coded secrets, restricted data, privileged entitlements), with its factors.",
      parameters: queryParams(orphansQuerySchema),
      responses: {
        "200": { description: "A page of orphans with `counts` per rule and kind", content: { "application/json": { schema: page({ type: "object" }) } } },
        ...commonErrors,
        "409": errorResponse("The graph changed between pages."),
      },
    },
  },
  "/api/v1/ownership/suggestions": {
    get: {
      summary: "Owner suggestions for a node, each with its reasons, best first (owner.read)",
      description:
        "Rules: `acts_for` (the human an agent acts for), `previous_owner_manager`, `group_usage` (the group whose members use or reach it), `attribute` (an owner named in imported attributes).",
      parameters: queryParams(suggestionsQuerySchema),
      responses: {
        "200": { description: "{ node, items: [{ owner, role, rules, reasons, score }], total, nextCursor }" },
        ...commonErrors,
        "404": errorResponse("No such node."),
      },
    },
  },
  "/api/v1/ownership/assignments": {
    post: {
      summary: "Add one owner in one role to many nodes, in one transaction (owner.assign)",
      description: "Other owners stay. Any invalid node and nothing changes. One audit event per node changed.",
      requestBody: jsonBody(assignSchema),
      responses: { "200": { description: "{ assigned, unchanged, items: [{ nodeId, name, changes }] }" }, ...commonErrors, ...bodyErrors },
    },
  },
  "/api/v1/ownership/reassignments": {
    get: {
      summary: "The reassignment queue: what people who left owned, with suggested successors (owner.read)",
      parameters: queryParams(listReassignmentsQuerySchema),
      responses: {
        "200": {
          description: "A page of queue rows, newest first, with `open` counts per kind",
          content: { "application/json": { schema: page({ type: "object" }) } },
        },
        ...commonErrors,
      },
    },
    post: {
      summary: "Offboard people by hand: queue everything they own (owner.assign)",
      requestBody: jsonBody(queueSchema),
      responses: { "200": { description: "{ humans, queued: [...] }" }, ...commonErrors, ...bodyErrors },
    },
  },
  "/api/v1/ownership/reassignments/resolve": {
    post: {
      summary: "Work queue rows: accept the suggested successor, assign an owner, or dismiss (owner.assign)",
      description: "All rows in one transaction. Accepting or assigning moves the former owner's roles to the new owner and end-dates the former owner's edge.",
      requestBody: jsonBody(resolveSchema),
      responses: {
        "200": { description: "{ items, changes }" },
        ...commonErrors,
        "404": errorResponse("A row does not exist."),
        "409": errorResponse("A row is already resolved, or has no suggestion to accept."),
        ...bodyErrors,
      },
    },
  },
  "/api/v1/ownership/departures": {
    get: {
      summary: "People who left but still own things or have agents acting for them, with what is not queued yet (owner.read)",
      responses: { "200": { description: "{ items: [{ human, owns, unqueued, actingAgents }], total, nextCursor }" }, ...commonErrors },
    },
  },
  "/api/v1/ownership/mine": {
    get: {
      summary: "What the caller owns (directly or through groups), with co-owners and gaps; every signed-in person may read their own",
      parameters: queryParams(mineQuerySchema),
      responses: {
        "200": { description: "A page of owned nodes; `linked` false when the sign-in is not linked to a person" },
        "401": errorResponse("No valid session or bearer token."),
      },
    },
  },
};
