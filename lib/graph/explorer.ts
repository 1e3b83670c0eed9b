import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { parseInput } from "@/lib/errors";
import { describeNodes, pathsFor, pathsQuerySchema, reachableFromFor, reachableFromQuerySchema, whoCanReachFor, whoCanReachQuerySchema } from "./access-api";
import type { AccessGroup } from "./access-groups";
import { countGroups, GROUP_ABOVE, groupsToElements, pathsToElements, type GraphElements } from "./elements";
import type { ExplainedNode } from "./explain";
import type { EdgeKind, NodeKind } from "./model";
import { nodeMarks } from "./node-marks";
import { neighborsQuerySchema } from "./node-api";
import { listNeighborhood, listNeighbors, MAX_NEIGHBORHOOD_DEPTH, type NeighborhoodItem } from "./nodes";

export const EXPLORER_MODES = { who: "Who can reach it", reach: "What it reaches", paths: "Paths to…", neighbors: "Neighbourhood" } as const;
export type ExplorerMode = keyof typeof EXPLORER_MODES;

/** One result of the explorer's list, with the path that explains it. */
export interface ExplorerItem {
  key: string;
  id: string;
  name: string;
  kind: NodeKind;
  source?: string;
  depth: number;
  path: { nodes: string[]; edges: EdgeKind[] };
}

export interface ExplorerQuery {
  mode: ExplorerMode;
  /** Hops for the access modes (1–12), edges for a neighbourhood (1–3). */
  depth: string;
  asOf?: string;
  /** Paths mode: the target's id. */
  to?: string;
  cursor?: string;
  kind?: string;
  source?: string;
  /** "groups" or "paths" forces a picture; unset, pictures above GROUP_ABOVE nodes are drawn as groups. */
  view?: "groups" | "paths";
}

export interface ExplorerAnswer {
  items: ExplorerItem[];
  total: number;
  nextCursor: string | null;
  /** A neighbourhood deeper than one edge stopped at its row limit. */
  truncated: boolean;
  /** Every (kind, source) of the whole answer with its count: filters and the grouped picture. */
  groups: AccessGroup[];
  /** The nodes on the listed paths, named, with their marks: the list, the explanation and the picture read them. */
  nodes: Record<string, ExplainedNode>;
  elements: GraphElements;
  grouped: boolean;
  /** The groups drawn (those left by the filters), in the order of the picture's `grp-<i>` ids. */
  shownGroups: AccessGroup[];
}

/** The most relationships a neighbourhood lists and draws at once. */
export const NEIGHBORHOOD_LIMIT = 300;

function neighbourItem(n: NeighborhoodItem): ExplorerItem {
  return {
    key: n.edge.id,
    id: n.node.id,
    name: n.node.name,
    kind: n.node.kind,
    source: n.node.source,
    depth: n.depth,
    path: n.edge.direction === "out" ? { nodes: [n.via, n.node.id], edges: [n.edge.kind] } : { nodes: [n.node.id, n.via], edges: [n.edge.kind] },
  };
}

/**
 * Answers one explorer question about `focus` and builds its picture: the listed results with their paths, the
 * nodes named and marked (tool risk, credential storage), and the elements to draw, as groups by (kind, source)
 * when the picture would hold more than GROUP_ABOVE nodes. Bounded: access answers come a page (100) at a time,
 * neighbourhoods at most NEIGHBORHOOD_LIMIT edges, paths at most 10.
 */
export async function exploreNode(
  db: Db,
  actor: Actor,
  focus: { id: string; name: string; kind: NodeKind; source: string },
  q: ExplorerQuery,
): Promise<ExplorerAnswer> {
  requirePermission(actor, "graph.read");
  const { mode, depth, asOf, kind, source, view } = q;
  let items: ExplorerItem[] = [];
  let total = 0;
  let nextCursor: string | null = null;
  let truncated = false;
  let groups: AccessGroup[] = [];
  const info = new Map<string, { name: string; kind: NodeKind }>([[focus.id, focus]]);

  if (mode === "neighbors") {
    const nq = parseInput(neighborsQuerySchema, { limit: String(NEIGHBORHOOD_LIMIT), depth, ...(asOf ? { asOf } : {}) }, "query");
    let found: NeighborhoodItem[];
    if (nq.depth === 1) {
      const r = await listNeighbors(db, focus.id, nq);
      found = r.items.map((i) => ({ ...i, depth: 1, via: focus.id }));
      total = r.total;
      truncated = r.nextCursor !== null;
    } else {
      const r = await listNeighborhood(db, focus.id, { ...nq, depth: Math.min(nq.depth, MAX_NEIGHBORHOOD_DEPTH) });
      found = r.items;
      total = r.items.length;
      truncated = r.truncated;
    }
    for (const n of found) info.set(n.node.id, n.node);
    items = found.map(neighbourItem);
    // Groups count distinct nodes (a person who both owns and is delegated to by the focus is one node).
    const distinct = new Map(found.filter((n) => n.node.id !== focus.id).map((n) => [n.node.id, { kind: n.node.kind, source: n.node.source }]));
    groups = countGroups([...distinct.values()]);
    if (kind || source) items = items.filter((i) => (!kind || i.kind === kind) && (!source || i.source === source));
  } else if (mode === "paths") {
    if (q.to) {
      const r = await pathsFor(db, actor, pathsQuerySchema.parse({ from: focus.id, to: q.to, maxDepth: depth, k: "10", ...(asOf ? { asOf } : {}) }));
      items = r.items.map((path, i) => {
        const end = path.nodes[path.nodes.length - 1]!;
        return { key: `p${i}`, id: end, name: `Path ${i + 1}`, kind: r.nodes[end]!.kind, depth: path.length, path };
      });
      total = r.total;
      for (const [id, n] of Object.entries(r.nodes)) info.set(id, n);
    }
  } else {
    const common = {
      maxDepth: depth,
      limit: "100",
      ...(asOf ? { asOf } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...(kind ? { kind } : {}),
      ...(source ? { source } : {}),
    };
    const r =
      mode === "who"
        ? await whoCanReachFor(db, actor, parseInput(whoCanReachQuerySchema, { target: focus.id, ...common }, "query"))
        : await reachableFromFor(db, actor, parseInput(reachableFromQuerySchema, { principal: focus.id, ...common }, "query"));
    items = r.items.map((i) => ({ key: i.id, id: i.id, name: i.name, kind: i.kind, source: i.source, depth: i.depth, path: i.path }));
    total = r.total;
    groups = r.groups;
    nextCursor = r.nextCursor;
    for (const [id, n] of await describeNodes(db, [...new Set(items.flatMap((i) => i.path.nodes))])) info.set(id, n);
  }

  const onPaths = [...new Set(items.flatMap((i) => i.path.nodes))];
  const marks = await nodeMarks(db, onPaths);
  const nodes: Record<string, ExplainedNode> = {};
  for (const id of onPaths) {
    const d = info.get(id);
    if (d) nodes[id] = { id, name: d.name, kind: d.kind, ...marks.get(id) };
  }
  let elements = pathsToElements(
    items.map((i) => i.path),
    (id) => nodes[id],
    [focus.id],
  );
  if (mode === "neighbors") {
    // Rings by distance from the focus: the canvas lays the neighbourhood out concentrically by `ring`.
    const ring = new Map<string, number>([[focus.id, 0]]);
    for (const i of items) if (!ring.has(i.id)) ring.set(i.id, i.depth);
    elements = { ...elements, nodes: elements.nodes.map((n) => ({ ...n, ring: ring.get(n.id) ?? 1 })) };
  }

  const shownGroups = groups.filter((g) => (!kind || g.kind === kind) && (!source || g.source === source));
  const grouped =
    mode !== "paths" &&
    items.length > 0 &&
    shownGroups.length > 0 &&
    (view === "groups" || (view !== "paths" && elements.nodes.length > GROUP_ABOVE && !(kind && source)));
  if (grouped) elements = groupsToElements(shownGroups, focus, mode === "who" ? "in" : "out");
  return { items, total, nextCursor, truncated, groups, nodes, elements, grouped, shownGroups };
}
