import { commonErrors, errorResponse, idParam, page, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { pathsQuerySchema, reachableFromQuerySchema, whoCanReachQuerySchema } from "./access-api";
import { EDGE_KINDS } from "./model";
import { listNodesQuerySchema, neighborsQuerySchema } from "./node-api";

const FILTERS_AND_CSV =
  "`kind` and `source` narrow the answer (`total` and the pages count what is left); `groups` always counts the whole answer by (kind, source), for filters and for drawing large answers as groups. " +
  "`format=csv` answers every row of the filtered answer (not one page; `limit` and `cursor` are ignored) as a formula-safe CSV attachment (RFC 4180; a cell starting with = + - @ gets a leading apostrophe) with columns name, kind, source, external id, path length, path (in words), id.";

const CONSISTENCY =
  " Every answer carries `graphVersion`, the graph version it was computed at. Each app instance keeps the access graph in memory and follows changes as they are committed (a change is applied within the version feed's delay, or a periodic check when notifications are lost), so an answer from another instance may be that much behind a write you just made: pass an earlier answer's `graphVersion` as `atLeast` (a whole number) and the answer is computed at that version or newer (the instance catches up first). An `atLeast` the graph has not reached is refused (400).";

export const graphPaths: PathItems = {
  "/api/v1/nodes": {
    get: {
      summary: "List and search nodes",
      description: "Current nodes (or those valid at `asOf`), ordered by name; keyset pagination with `cursor`. `q` searches name, external id and email.",
      parameters: queryParams(listNodesQuerySchema),
      responses: {
        "200": { description: "A page of nodes", content: { "application/json": { schema: page({ $ref: "#/components/schemas/Node" }) } } },
        ...commonErrors,
      },
    },
  },
  "/api/v1/nodes/{id}": {
    get: {
      summary: "One node",
      parameters: [idParam],
      responses: {
        "200": { description: "The node", content: { "application/json": { schema: { $ref: "#/components/schemas/Node" } } } },
        ...commonErrors,
        "404": errorResponse("No such node."),
      },
    },
  },
  "/api/v1/nodes/{id}/neighbors": {
    get: {
      summary: "The nodes one edge away (or up to `depth` edges away), with the edges",
      description:
        "At `depth=1` (the default) a page of the relationships one edge away, with an exact `total` and an offset `cursor`. At `depth=2` or `3` the neighbourhood breadth-first, nearest first, at most `limit` edges in one answer (no `cursor`; `truncated: true` when more exist); each item carries its `depth` and `via`, the node its edge hangs from (`edge.direction` is relative to it). `format=csv` answers every relationship (all pages) as a formula-safe CSV attachment, one row per edge, with the columns of who-can-reach (path length 1, the edge in words).",
      parameters: [idParam, ...queryParams(neighborsQuerySchema)],
      responses: {
        "200": {
          description: "A page of neighbours",
          content: {
            "application/json": {
              schema: page({
                type: "object",
                properties: {
                  edge: {
                    type: "object",
                    properties: { id: { type: "string" }, kind: { enum: EDGE_KINDS }, direction: { enum: ["out", "in"] }, access: { type: "boolean" } },
                  },
                  node: { $ref: "#/components/schemas/Node" },
                  depth: { type: "integer", minimum: 1 },
                  via: { type: "string", description: "the node the edge hangs from" },
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
  "/api/v1/access/who-can-reach": {
    get: {
      summary: "Every principal (human, service account, agent) with a directed path of access edges to the target, each with one shortest path",
      description: FILTERS_AND_CSV + CONSISTENCY,
      parameters: queryParams(whoCanReachQuerySchema),
      responses: {
        "200": {
          description:
            "{ items: [{ id, kind, externalId, source, name, depth, path: { nodes, edges } }], total, groups: [{ kind, source, count }], nextCursor, graphVersion, asOf }; with `format=csv`, a text/csv attachment",
          content: { "application/json": {}, "text/csv": {} },
        },
        ...commonErrors,
        "404": errorResponse("No such node (at that time)."),
        "409": errorResponse("The graph changed between pages."),
      },
    },
  },
  "/api/v1/access/reachable-from": {
    get: {
      summary: "Every node a principal reaches through access edges, each with one shortest path",
      description: FILTERS_AND_CSV + CONSISTENCY,
      parameters: queryParams(reachableFromQuerySchema),
      responses: {
        "200": { description: "Same shape as who-can-reach", content: { "application/json": {}, "text/csv": {} } },
        ...commonErrors,
        "404": errorResponse("No such node (at that time)."),
        "409": errorResponse("The graph changed between pages."),
      },
    },
  },
  "/api/v1/access/paths": {
    get: {
      summary: "Up to k shortest simple paths between two nodes",
      description: "`format=csv` answers a formula-safe CSV attachment, one row per path (columns as for who-can-reach)." + CONSISTENCY,
      parameters: queryParams(pathsQuerySchema),
      responses: {
        "200": {
          description:
            "{ items: [{ nodes, edges, length }], nodes: { id: { name, kind, source, externalId } }, truncated, graphVersion, asOf }; with `format=csv`, a text/csv attachment",
          content: { "application/json": {}, "text/csv": {} },
        },
        ...commonErrors,
        "404": errorResponse("No such node (at that time)."),
      },
    },
  },
};
