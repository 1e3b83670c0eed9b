import { ACCESS_EDGE_KINDS, NODE_KINDS, type EdgeKind, type NodeKind } from "./model";

/** Node kinds and access-edge kinds as small integer codes, for the typed arrays below. */
export const KIND_CODE = new Map<NodeKind, number>(NODE_KINDS.map((k, i) => [k, i]));
export const EDGE_CODE = new Map<EdgeKind, number>(ACCESS_EDGE_KINDS.map((k, i) => [k, i]));
export const EDGE_BY_CODE = ACCESS_EDGE_KINDS as readonly EdgeKind[];

/** Looks a node id up among the nodes an index holds at its version (a Map for a built index; layered after a delta). */
export interface IdLookup {
  get(id: string): number | undefined;
  has(id: string): boolean;
}

/**
 * Changes applied on top of the CSR since it was built (lib/graph/index-delta.ts): nodes that ended, and access
 * edges (from, to, kind) added or ended. Traversals read the CSR and this overlay together (lib/graph/traverse.ts);
 * the overlay is merged into a fresh CSR when it grows past a bound. Never mutated once an index holds it.
 */
export interface IndexOverlay {
  /** 1 = the node is not in the graph at this version (ended); its slot stays so node numbers never move. */
  dead: Uint8Array;
  /** 1 = the node has added or removed edges (either direction) in addOut/addIn/remOut/remIn. */
  touched: Uint8Array;
  /** Edges not in the CSR, per node: [neighbour, kind, neighbour, kind, …]. */
  addOut: Map<number, number[]>;
  addIn: Map<number, number[]>;
  /** CSR edges that ended, per node: neighbour * 16 + kind. */
  remOut: Map<number, Set<number>>;
  remIn: Map<number, Set<number>>;
  /** Overridden edges plus changed nodes: the merge bound compares this. */
  size: number;
}

/**
 * The access graph in compressed sparse row form, both directions: for node i,
 * its out-edges are fwdTo[fwdStart[i] .. fwdStart[i+1]) with kinds fwdKind[...],
 * and likewise for in-edges. About 9 bytes per edge per direction, so a few
 * million edges fit in tens of MB and a BFS touches only arrays.
 * Only access edges are here: governance edges (owns, manages) never carry access.
 * After a delta, `overlay` says which nodes ended and which edges were added or ended since the CSR was built;
 * ids, kinds and sources are then the current ones (new nodes appended, the CSR has no edges for them).
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
  indexOf: IdLookup;
  fwdStart: Int32Array;
  fwdTo: Int32Array;
  fwdKind: Uint8Array;
  revStart: Int32Array;
  revFrom: Int32Array;
  revKind: Uint8Array;
  /** Edges in the CSR (an overlay adds and ends some). */
  edgeCount: number;
  overlay?: IndexOverlay;
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
  const b = new IndexBuilder();
  for (const node of nodes) b.node(node.id, KIND_CODE.get(node.kind) ?? 255, node.source ?? "");
  for (const e of edges) {
    const k = EDGE_CODE.get(e.kind);
    if (k !== undefined) b.edge(e.fromId, e.toId, k);
  }
  return b.finish(version, asOf);
}

/**
 * Builds an index from a stream of rows without an object per row: nodes first (id, kind code, source name), then
 * edges by ids (or by node numbers with edgeAt); edges are kept in growing typed arrays. A loader feeds it batch by batch.
 */
export class IndexBuilder {
  readonly ids: string[] = [];
  private kinds = new Uint8Array(1024);
  private sources = new Int32Array(1024);
  readonly sourceNames: string[] = [];
  private readonly sourceCode = new Map<string, number>();
  readonly indexOf = new Map<string, number>();
  private from = new Int32Array(4096);
  private to = new Int32Array(4096);
  private kind = new Uint8Array(4096);
  private m = 0;

  node(id: string, kindCode: number, source: string): number {
    const i = this.ids.length;
    if (i === this.kinds.length) {
      this.kinds = growU8(this.kinds, i * 2);
      this.sources = growI32(this.sources, i * 2);
    }
    this.ids.push(id);
    this.kinds[i] = kindCode;
    this.indexOf.set(id, i);
    let code = this.sourceCode.get(source);
    if (code === undefined) {
      code = this.sourceNames.push(source) - 1;
      this.sourceCode.set(source, code);
    }
    this.sources[i] = code;
    return i;
  }

  /** An access edge by node ids; left out when an end is not among the nodes. */
  edge(fromId: string, toId: string, kindCode: number): void {
    const f = this.indexOf.get(fromId);
    const t = this.indexOf.get(toId);
    if (f !== undefined && t !== undefined) this.edgeAt(f, t, kindCode);
  }

  edgeAt(f: number, t: number, kindCode: number): void {
    const m = this.m;
    if (m === this.from.length) {
      this.from = growI32(this.from, m * 2);
      this.to = growI32(this.to, m * 2);
      this.kind = growU8(this.kind, m * 2);
    }
    this.from[m] = f;
    this.to[m] = t;
    this.kind[m] = kindCode;
    this.m = m + 1;
  }

  finish(version: number, asOf: Date | null): AccessIndex {
    const n = this.ids.length;
    const kinds = this.kinds.slice(0, n);
    const sources = this.sources.slice(0, n);
    const { from, to, kind } = this;
    const total = this.m;
    // Let the growth buffers go before the CSR's arrays are allocated.
    this.from = this.to = new Int32Array(0);
    this.kind = new Uint8Array(0);
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
    const all = csr(from, to, kind, total);
    const rowOf = new Int32Array(n).fill(-1);
    const kindsSeen = new Uint16Array(n);
    // Deduplicated in place: the rows are read in order and written at or before where they were read.
    const dFrom = from;
    const dTo = to;
    const dKind = kind;
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
    const fwd = m === total ? all : csr(dFrom, dTo, dKind, m);
    const rev = csr(dTo, dFrom, dKind, m);
    return {
      version,
      asOf,
      ids: this.ids,
      kinds,
      sources,
      sourceNames: this.sourceNames,
      indexOf: this.indexOf,
      fwdStart: fwd.start,
      fwdTo: fwd.target,
      fwdKind: fwd.kinds,
      revStart: rev.start,
      revFrom: rev.target,
      revKind: rev.kinds,
      edgeCount: m,
    };
  }
}

function growI32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
function growU8(a: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(size);
  b.set(a);
  return b;
}
