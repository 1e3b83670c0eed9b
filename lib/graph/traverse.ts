import { EDGE_BY_CODE, KIND_CODE, type AccessIndex } from "./access-index";
import { PRINCIPAL_KINDS, type EdgeKind, type NodeKind } from "./model";

export const DEFAULT_DEPTH = 6;
export const MAX_DEPTH = 12;

export interface Reached {
  node: number;
  depth: number;
}

export interface Search {
  reached: Reached[];
  /** For each node, the neighbour one step closer to the start (-1: not reached / the start). */
  parent: Int32Array;
  parentEdge: Uint8Array;
}

/**
 * Breadth-first search from `start` along access edges ("out": as edges point,
 * "in": against them), at most `maxDepth` edges. Each node is reached once, at
 * its shortest depth, so cycles are harmless; parent pointers give one shortest
 * path per node.
 */
export function bfs(ix: AccessIndex, start: number, direction: "out" | "in", maxDepth: number): Search {
  const n = ix.ids.length;
  const parent = new Int32Array(n).fill(-1);
  const parentEdge = new Uint8Array(n);
  const seen = new Uint8Array(n);
  const startArr = direction === "out" ? ix.fwdStart : ix.revStart;
  const nbr = direction === "out" ? ix.fwdTo : ix.revFrom;
  const nbrKind = direction === "out" ? ix.fwdKind : ix.revKind;
  const reached: Reached[] = [];
  seen[start] = 1;
  let frontier = [start];
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const u of frontier) {
      for (let p = startArr[u]!; p < startArr[u + 1]!; p++) {
        const v = nbr[p]!;
        if (seen[v]) continue;
        seen[v] = 1;
        parent[v] = u;
        parentEdge[v] = nbrKind[p]!;
        reached.push({ node: v, depth });
        next.push(v);
      }
    }
    frontier = next;
  }
  return { reached, parent, parentEdge };
}

export interface PathOut {
  nodes: string[];
  edges: EdgeKind[];
}

/** The shortest path found by a search, written from the principal's side (start → node for "out", node → start for "in"). */
export function pathTo(ix: AccessIndex, s: Search, node: number, direction: "out" | "in"): PathOut {
  const nodes: number[] = [node];
  const edges: EdgeKind[] = [];
  let v = node;
  while (s.parent[v]! >= 0) {
    edges.push(EDGE_BY_CODE[s.parentEdge[v]!]!);
    v = s.parent[v]!;
    nodes.push(v);
  }
  if (direction === "out") {
    nodes.reverse();
    edges.reverse();
  }
  return { nodes: nodes.map((i) => ix.ids[i]!), edges };
}

const PRINCIPAL_CODES = new Set(PRINCIPAL_KINDS.map((k) => KIND_CODE.get(k)!));

/** Every principal (human, service account, agent) with a path of access edges to `target`. */
export function whoCanReach(ix: AccessIndex, target: number, maxDepth: number, kind?: NodeKind): { reached: Reached[]; search: Search } {
  const search = bfs(ix, target, "in", maxDepth);
  const want = kind ? KIND_CODE.get(kind) : undefined;
  const reached = search.reached.filter((r) => PRINCIPAL_CODES.has(ix.kinds[r.node]!) && (want === undefined || ix.kinds[r.node] === want));
  return { reached, search };
}

/** Every node reachable from `principal` through access edges, optionally only of one kind. */
export function reachableFrom(ix: AccessIndex, principal: number, maxDepth: number, kind?: NodeKind): { reached: Reached[]; search: Search } {
  const search = bfs(ix, principal, "out", maxDepth);
  const want = kind ? KIND_CODE.get(kind) : undefined;
  const reached = want === undefined ? search.reached : search.reached.filter((r) => ix.kinds[r.node] === want);
  return { reached, search };
}

/**
 * Up to k shortest simple paths from `from` to `to`, shortest first, each at
 * most maxDepth edges. A reverse BFS from `to` gives every node's distance to
 * the target; a depth-first search for paths of length L = d, d+1, … prunes
 * any branch that cannot arrive within L. `budget` bounds the work on dense
 * graphs; `truncated` says when it ran out.
 */
export function kShortestPaths(
  ix: AccessIndex,
  from: number,
  to: number,
  k: number,
  maxDepth: number,
  budget = 200_000,
): { paths: PathOut[]; truncated: boolean } {
  const back = bfs(ix, to, "in", maxDepth);
  const dist = new Int16Array(ix.ids.length).fill(-1);
  dist[to] = 0;
  for (const r of back.reached) dist[r.node] = r.depth;
  if (from === to || dist[from]! < 0) return { paths: [], truncated: false };
  const paths: PathOut[] = [];
  const onPath = new Uint8Array(ix.ids.length);
  const stackNodes: number[] = [from];
  const stackEdges: number[] = [];
  let work = 0;
  let truncated = false;
  const dfs = (u: number, length: number, limit: number): void => {
    if (paths.length >= k || truncated) return;
    if (u === to) {
      if (length === limit) paths.push({ nodes: stackNodes.map((i) => ix.ids[i]!), edges: stackEdges.map((c) => EDGE_BY_CODE[c]!) });
      return;
    }
    for (let p = ix.fwdStart[u]!; p < ix.fwdStart[u + 1]!; p++) {
      if (++work > budget) {
        truncated = true;
        return;
      }
      const v = ix.fwdTo[p]!;
      const dv = dist[v]!;
      if (dv < 0 || onPath[v] || length + 1 + dv > limit) continue;
      onPath[v] = 1;
      stackNodes.push(v);
      stackEdges.push(ix.fwdKind[p]!);
      dfs(v, length + 1, limit);
      stackNodes.pop();
      stackEdges.pop();
      onPath[v] = 0;
      if (paths.length >= k || truncated) return;
    }
  };
  onPath[from] = 1;
  for (let limit = dist[from]!; limit <= maxDepth && paths.length < k && !truncated; limit++) dfs(from, 0, limit);
  return { paths, truncated };
}
