import { EDGE_BY_CODE, KIND_CODE, type AccessIndex } from "./access-index";
import { PRINCIPAL_KINDS, type EdgeKind, type NodeKind } from "./model";

export const DEFAULT_DEPTH = 6;
export const MAX_DEPTH = 12;

export interface Reached {
  node: number;
  depth: number;
}

/**
 * A finished search: the nodes reached, nearest first. Parent pointers (one shortest path per node) live in buffers
 * shared by every search of the process (graph-sized arrays per BFS were garbage-collection spikes at L), stamped
 * with the search's generation; pathTo re-runs the search privately in the rare case a later search overwrote them.
 */
export interface Search {
  reached: Reached[];
  /** Parent pointers of this search alone (-1: not reached / the start), for walks that keep their own (lib/findings/reach.ts). */
  parent?: Int32Array;
  parentEdge?: Uint8Array;
  /** A bfs's: where its parent pointers are in the shared buffers. */
  stamped?: Stamped;
}

interface Stamped {
  ix: AccessIndex;
  start: number;
  direction: "out" | "in";
  maxDepth: number;
  gen: number;
  /** Which allocation of the shared buffers the stamps refer to (a reallocation starts the generations again). */
  epoch: number;
  /** Parent pointers of this search alone, once a later search overwrote the shared ones. */
  own?: Buffers;
}

type Buffers = { stamp: Int32Array; parent: Int32Array; parentEdge: Uint8Array; gen: number; epoch: number };
const shared: Buffers = { stamp: new Int32Array(0), parent: new Int32Array(0), parentEdge: new Uint8Array(0), gen: 0, epoch: 0 };

function buffersFor(n: number): Buffers {
  if (shared.stamp.length < n || shared.gen >= 0x7ffffff0) {
    const size = Math.max(n, Math.ceil(shared.stamp.length * 1.25));
    shared.stamp = new Int32Array(size);
    shared.parent = new Int32Array(size);
    shared.parentEdge = new Uint8Array(size);
    shared.gen = 0;
    shared.epoch++;
  }
  return shared;
}

/**
 * Breadth-first search from `start` along access edges ("out": as edges point,
 * "in": against them), at most `maxDepth` edges. Each node is reached once, at
 * its shortest depth, so cycles are harmless; parent pointers give one shortest
 * path per node. Reads the CSR and, after a delta, the overlay on top of it.
 */
export function bfs(ix: AccessIndex, start: number, direction: "out" | "in", maxDepth: number): Search {
  const gen = ++buffersFor(ix.ids.length).gen;
  return { reached: search(ix, start, direction, maxDepth, shared, gen), stamped: { ix, start, direction, maxDepth, gen, epoch: shared.epoch } };
}

function search(ix: AccessIndex, start: number, direction: "out" | "in", maxDepth: number, b: Buffers, gen: number): Reached[] {
  const { stamp, parent, parentEdge } = b;
  const startArr = direction === "out" ? ix.fwdStart : ix.revStart;
  const nbr = direction === "out" ? ix.fwdTo : ix.revFrom;
  const nbrKind = direction === "out" ? ix.fwdKind : ix.revKind;
  const csrNodes = startArr.length - 1;
  const ov = ix.overlay;
  const reached: Reached[] = [];
  stamp[start] = gen;
  parent[start] = -1;
  let frontier = [start];
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const u of frontier) {
      if (!ov) {
        for (let p = startArr[u]!; p < startArr[u + 1]!; p++) {
          const v = nbr[p]!;
          if (stamp[v] === gen) continue;
          stamp[v] = gen;
          parent[v] = u;
          parentEdge[v] = nbrKind[p]!;
          reached.push({ node: v, depth });
          next.push(v);
        }
        continue;
      }
      const dead = ov.dead;
      const removed = ov.touched[u] ? (direction === "out" ? ov.remOut : ov.remIn).get(u) : undefined;
      if (u < csrNodes) {
        for (let p = startArr[u]!; p < startArr[u + 1]!; p++) {
          const v = nbr[p]!;
          if (stamp[v] === gen || dead[v]) continue;
          if (removed && removed.has(v * 16 + nbrKind[p]!)) continue;
          stamp[v] = gen;
          parent[v] = u;
          parentEdge[v] = nbrKind[p]!;
          reached.push({ node: v, depth });
          next.push(v);
        }
      }
      const added = ov.touched[u] ? (direction === "out" ? ov.addOut : ov.addIn).get(u) : undefined;
      if (added) {
        for (let j = 0; j < added.length; j += 2) {
          const v = added[j]!;
          if (stamp[v] === gen || dead[v]) continue;
          stamp[v] = gen;
          parent[v] = u;
          parentEdge[v] = added[j + 1]!;
          reached.push({ node: v, depth });
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  return reached;
}

/** The access edges of node u in one direction (CSR minus ended plus added), for walks other than bfs. */
export function neighbours(ix: AccessIndex, u: number, direction: "out" | "in"): { to: ArrayLike<number>; kind: ArrayLike<number> } {
  const startArr = direction === "out" ? ix.fwdStart : ix.revStart;
  const nbr = direction === "out" ? ix.fwdTo : ix.revFrom;
  const nbrKind = direction === "out" ? ix.fwdKind : ix.revKind;
  const inCsr = u < startArr.length - 1;
  const a = inCsr ? startArr[u]! : 0;
  const z = inCsr ? startArr[u + 1]! : 0;
  const ov = ix.overlay;
  if (!ov) return { to: nbr.subarray(a, z), kind: nbrKind.subarray(a, z) };
  const removed = ov.touched[u] ? (direction === "out" ? ov.remOut : ov.remIn).get(u) : undefined;
  const added = ov.touched[u] ? (direction === "out" ? ov.addOut : ov.addIn).get(u) : undefined;
  const to: number[] = [];
  const kind: number[] = [];
  for (let p = a; p < z; p++) {
    const v = nbr[p]!;
    if (ov.dead[v] || (removed && removed.has(v * 16 + nbrKind[p]!))) continue;
    to.push(v);
    kind.push(nbrKind[p]!);
  }
  for (let j = 0; added && j < added.length; j += 2) {
    if (ov.dead[added[j]!]) continue;
    to.push(added[j]!);
    kind.push(added[j + 1]!);
  }
  return { to, kind };
}

/** This search's parent pointers: the shared buffers while no later search overwrote them, else a private re-run. */
function parents(s: Stamped, node: number): { parent: Int32Array; parentEdge: Uint8Array } {
  if (s.own) return s.own;
  const b = shared;
  let intact = b.epoch === s.epoch;
  for (let v = node; intact; v = b.parent[v]!) {
    if (b.stamp[v] !== s.gen) intact = false;
    else if (v === s.start) break;
  }
  if (intact) return b;
  const n = s.ix.ids.length;
  const own = { stamp: new Int32Array(n), parent: new Int32Array(n), parentEdge: new Uint8Array(n), gen: 1, epoch: -1 };
  search(s.ix, s.start, s.direction, s.maxDepth, own, 1);
  s.own = own;
  return own;
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
  if (s.stamped) {
    const st = s.stamped;
    const { parent, parentEdge } = node === st.start ? shared : parents(st, node);
    while (v !== st.start) {
      edges.push(EDGE_BY_CODE[parentEdge[v]!]!);
      v = parent[v]!;
      nodes.push(v);
    }
  } else {
    const parent = s.parent!;
    while (parent[v]! >= 0) {
      edges.push(EDGE_BY_CODE[s.parentEdge![v]!]!);
      v = parent[v]!;
      nodes.push(v);
    }
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
    const out = neighbours(ix, u, "out");
    for (let p = 0; p < out.to.length; p++) {
      if (++work > budget) {
        truncated = true;
        return;
      }
      const v = out.to[p]!;
      const dv = dist[v]!;
      if (dv < 0 || onPath[v] || length + 1 + dv > limit) continue;
      onPath[v] = 1;
      stackNodes.push(v);
      stackEdges.push(out.kind[p]!);
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
