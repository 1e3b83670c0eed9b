import { ACCESS_EDGE_KINDS, NODE_KINDS, type EdgeKind, type NodeKind } from "./model";

/** Node kinds and access-edge kinds as small integer codes, for the typed arrays below. */
export const KIND_CODE = new Map<NodeKind, number>(NODE_KINDS.map((k, i) => [k, i]));
export const EDGE_CODE = new Map<EdgeKind, number>(ACCESS_EDGE_KINDS.map((k, i) => [k, i]));
export const EDGE_BY_CODE = ACCESS_EDGE_KINDS as readonly EdgeKind[];

/**
 * The access graph in compressed sparse row form, both directions: for node i,
 * its out-edges are fwdTo[fwdStart[i] .. fwdStart[i+1]) with kinds fwdKind[...],
 * and likewise for in-edges. About 9 bytes per edge per direction, so a few
 * million edges fit in tens of MB and a BFS touches only arrays.
 * Only access edges are here: governance edges (owns, manages) never carry access.
 */
export interface AccessIndex {
  /** The graph version this index was built from (graph_state.version). */
  version: number;
  /** The instant the index describes; null = now. */
  asOf: Date | null;
  ids: string[];
  kinds: Uint8Array;
  /** Each node's source as an index into sourceNames (filters and grouping by source read these, not the database). */
  sources: Int32Array;
  sourceNames: string[];
  indexOf: Map<string, number>;
  fwdStart: Int32Array;
  fwdTo: Int32Array;
  fwdKind: Uint8Array;
  revStart: Int32Array;
  revFrom: Int32Array;
  revKind: Uint8Array;
  edgeCount: number;
}

export interface IndexNode {
  id: string;
  kind: NodeKind;
  /** The source's name; optional for callers that never filter by source (they all share ""). */
  source?: string;
}
export interface IndexEdge {
  fromId: string;
  toId: string;
  kind: EdgeKind;
}

/**
 * Builds the index. Edges that are not access edges, or whose ends are not among the nodes, are left out;
 * parallel rows of one kind between the same two nodes (from several sources) count once.
 */
export function buildAccessIndex(nodes: readonly IndexNode[], edges: readonly IndexEdge[], version = 0, asOf: Date | null = null): AccessIndex {
  const n = nodes.length;
  const ids = new Array<string>(n);
  const kinds = new Uint8Array(n);
  const indexOf = new Map<string, number>();
  const sources = new Int32Array(n);
  const sourceNames: string[] = [];
  const sourceCode = new Map<string, number>();
  nodes.forEach((node, i) => {
    ids[i] = node.id;
    kinds[i] = KIND_CODE.get(node.kind) ?? 255;
    indexOf.set(node.id, i);
    const s = node.source ?? "";
    let code = sourceCode.get(s);
    if (code === undefined) {
      code = sourceNames.push(s) - 1;
      sourceCode.set(s, code);
    }
    sources[i] = code;
  });
  const from: number[] = [];
  const to: number[] = [];
  const kind: number[] = [];
  for (const e of edges) {
    const k = EDGE_CODE.get(e.kind);
    const f = indexOf.get(e.fromId);
    const t = indexOf.get(e.toId);
    if (k === undefined || f === undefined || t === undefined) continue;
    from.push(f);
    to.push(t);
    kind.push(k);
  }
  const csr = (src: ArrayLike<number>, dst: ArrayLike<number>, kind: ArrayLike<number>, m: number) => {
    const start = new Int32Array(n + 1);
    for (let i = 0; i < m; i++) start[src[i]! + 1]!++;
    for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, n);
    const target = new Int32Array(m);
    const kinds = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      const pos = fill[src[i]!]!++;
      target[pos] = dst[i]!;
      kinds[pos] = kind[i]!;
    }
    return { start, target, kinds };
  };
  // The same fact asserted by two sources is two rows but one way through: keep one edge per (from, to, kind),
  // so a path is never listed twice. One pass over the forward rows, remembering which kinds each target had in this row.
  const all = csr(from, to, kind, from.length);
  const rowOf = new Int32Array(n).fill(-1);
  const kindsSeen = new Uint16Array(n);
  const dFrom = new Int32Array(from.length);
  const dTo = new Int32Array(from.length);
  const dKind = new Uint8Array(from.length);
  let m = 0;
  for (let u = 0; u < n; u++) {
    for (let p = all.start[u]!; p < all.start[u + 1]!; p++) {
      const v = all.target[p]!;
      const bit = 1 << all.kinds[p]!;
      if (rowOf[v] !== u) {
        rowOf[v] = u;
        kindsSeen[v] = 0;
      }
      if (kindsSeen[v]! & bit) continue;
      kindsSeen[v]! |= bit;
      dFrom[m] = u;
      dTo[m] = v;
      dKind[m] = all.kinds[p]!;
      m++;
    }
  }
  const fwd = m === from.length ? all : csr(dFrom, dTo, dKind, m);
  const rev = csr(dTo, dFrom, dKind, m);
  return {
    version,
    asOf,
    ids,
    kinds,
    sources,
    sourceNames,
    indexOf,
    fwdStart: fwd.start,
    fwdTo: fwd.target,
    fwdKind: fwd.kinds,
    revStart: rev.start,
    revFrom: rev.target,
    revKind: rev.kinds,
    edgeCount: m,
  };
}
