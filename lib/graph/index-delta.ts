import { IndexBuilder, type AccessIndex, type IdLookup, type IndexOverlay } from "./access-index";

/**
 * Applying graph changes to an in-memory access index (issue #19): instead of rebuilding the whole index after any
 * change, the changed nodes and access edges are laid over the CSR (AccessIndex.overlay), which the traversals read
 * with it; mergeOverlay folds the overlay into a fresh CSR when it grows. Pure: no database here (the reads are in
 * lib/graph/access-cache.ts). An index is never mutated: applyDelta answers a new one sharing the CSR arrays.
 */

/** A node's current row: `alive` false when it ended (or no longer exists). */
export interface DeltaNode {
  id: string;
  kindCode: number;
  source: string;
  alive: boolean;
}

/** An access edge (from, to, kind) and whether any current row asserts it now. */
export interface DeltaEdge {
  fromId: string;
  toId: string;
  kindCode: number;
  present: boolean;
}

export interface Delta {
  version: number;
  nodes: DeltaNode[];
  edges: DeltaEdge[];
}

/** Node ids after a delta: the built index's Map (slots of ended nodes included), the slots added since, and which ended. */
class LayeredIds implements IdLookup {
  constructor(
    readonly base: IdLookup,
    readonly added: ReadonlyMap<string, number>,
    readonly dead: Uint8Array,
  ) {}
  slot(id: string): number | undefined {
    return this.added.get(id) ?? this.base.get(id);
  }
  get(id: string): number | undefined {
    const i = this.slot(id);
    return i === undefined || this.dead[i] ? undefined : i;
  }
  has(id: string): boolean {
    return this.get(id) !== undefined;
  }
}

/** A node's slot in the index, also when it ended (its slot stays until the next merge). */
export function slotOf(ix: AccessIndex, id: string): number | undefined {
  return ix.indexOf instanceof LayeredIds ? ix.indexOf.slot(id) : ix.indexOf.get(id);
}

/** Whether the node in slot i is in the graph at the index's version. */
export function isLive(ix: AccessIndex, i: number): boolean {
  return i < ix.ids.length && !ix.overlay?.dead[i];
}

/** Whether the CSR itself (without the overlay) has the edge f → t of kind k. */
function csrHas(ix: AccessIndex, f: number, t: number, k: number): boolean {
  const n = ix.fwdStart.length - 1;
  if (f >= n || t >= n) return false;
  const outDeg = ix.fwdStart[f + 1]! - ix.fwdStart[f]!;
  const inDeg = ix.revStart[t + 1]! - ix.revStart[t]!;
  if (outDeg <= inDeg) {
    for (let p = ix.fwdStart[f]!; p < ix.fwdStart[f + 1]!; p++) if (ix.fwdTo[p] === t && ix.fwdKind[p] === k) return true;
  } else {
    for (let p = ix.revStart[t]!; p < ix.revStart[t + 1]!; p++) if (ix.revFrom[p] === f && ix.revKind[p] === k) return true;
  }
  return false;
}

/** Every access edge at a node as the overlay sees it (CSR minus ended plus added), ended neighbours included. */
export function edgesAt(ix: AccessIndex, u: number): { from: number; to: number; kindCode: number }[] {
  const out: { from: number; to: number; kindCode: number }[] = [];
  const ov = ix.overlay;
  const n = ix.fwdStart.length - 1;
  if (u < n) {
    const remOut = ov?.remOut.get(u);
    const remIn = ov?.remIn.get(u);
    for (let p = ix.fwdStart[u]!; p < ix.fwdStart[u + 1]!; p++)
      if (!remOut?.has(ix.fwdTo[p]! * 16 + ix.fwdKind[p]!)) out.push({ from: u, to: ix.fwdTo[p]!, kindCode: ix.fwdKind[p]! });
    for (let p = ix.revStart[u]!; p < ix.revStart[u + 1]!; p++)
      if (!remIn?.has(ix.revFrom[p]! * 16 + ix.revKind[p]!)) out.push({ from: ix.revFrom[p]!, to: u, kindCode: ix.revKind[p]! });
  }
  const addOut = ov?.addOut.get(u) ?? [];
  for (let j = 0; j < addOut.length; j += 2) out.push({ from: u, to: addOut[j]!, kindCode: addOut[j + 1]! });
  const addIn = ov?.addIn.get(u) ?? [];
  for (let j = 0; j < addIn.length; j += 2) out.push({ from: addIn[j]!, to: u, kindCode: addIn[j + 1]! });
  return out;
}

/**
 * The index at the delta's version: nodes added (appended slots), ended (marked dead), revived or changed (kind,
 * source); edges set present or absent by their current rows. Edges whose ends the index does not hold are left
 * out, as in a build; the caller lists every current edge of a node that is new or revived (see access-cache).
 */
export function applyDelta(ix: AccessIndex, d: Delta): AccessIndex {
  const prev = ix.overlay;
  const n0 = ix.ids.length;
  const appended: DeltaNode[] = [];
  for (const node of d.nodes) if (node.alive && slotOf(ix, node.id) === undefined && !appended.some((a) => a.id === node.id)) appended.push(node);
  const n = n0 + appended.length;
  const ids = appended.length ? [...ix.ids, ...appended.map((a) => a.id)] : ix.ids;
  const kinds = new Uint8Array(n);
  kinds.set(ix.kinds);
  const sources = new Int32Array(n);
  sources.set(ix.sources);
  const dead = new Uint8Array(n);
  if (prev) dead.set(prev.dead);
  const touched = new Uint8Array(n);
  if (prev) touched.set(prev.touched);
  let sourceNames = ix.sourceNames;
  const sourceCode = (name: string): number => {
    let c = sourceNames.indexOf(name);
    if (c < 0) {
      if (sourceNames === ix.sourceNames) sourceNames = [...sourceNames];
      c = sourceNames.push(name) - 1;
    }
    return c;
  };
  const base = ix.indexOf instanceof LayeredIds ? ix.indexOf.base : ix.indexOf;
  const added = new Map(ix.indexOf instanceof LayeredIds ? ix.indexOf.added : []);
  appended.forEach((a, j) => added.set(a.id, n0 + j));
  const slot = (id: string) => added.get(id) ?? base.get(id);
  for (const node of d.nodes) {
    const i = slot(node.id);
    if (i === undefined) continue;
    if (!node.alive) {
      dead[i] = 1;
      continue;
    }
    dead[i] = 0;
    kinds[i] = node.kindCode;
    sources[i] = sourceCode(node.source);
  }

  const addOut = new Map(prev?.addOut);
  const addIn = new Map(prev?.addIn);
  const remOut = new Map(prev?.remOut);
  const remIn = new Map(prev?.remIn);
  // Entries copied from the previous overlay are copied again before this delta changes them (indexes are immutable).
  const own = new Set<object>();
  const list = (m: Map<number, number[]>, u: number): number[] => {
    let a = m.get(u);
    if (!a) m.set(u, (a = []));
    else if (!own.has(a)) m.set(u, (a = [...a]));
    own.add(a);
    return a;
  };
  const set = (m: Map<number, Set<number>>, u: number): Set<number> => {
    let s = m.get(u);
    if (!s) m.set(u, (s = new Set()));
    else if (!own.has(s)) m.set(u, (s = new Set(s)));
    own.add(s);
    return s;
  };
  const indexIn = (a: number[], v: number, k: number): number => {
    for (let j = 0; j < a.length; j += 2) if (a[j] === v && a[j + 1] === k) return j;
    return -1;
  };
  let size = (prev?.size ?? 0) + d.nodes.length;
  for (const e of d.edges) {
    const f = slot(e.fromId);
    const t = slot(e.toId);
    if (f === undefined || t === undefined) continue;
    const k = e.kindCode;
    size++;
    touched[f] = 1;
    touched[t] = 1;
    if (csrHas(ix, f, t, k)) {
      if (e.present) {
        if (remOut.get(f)?.has(t * 16 + k)) set(remOut, f).delete(t * 16 + k);
        if (remIn.get(t)?.has(f * 16 + k)) set(remIn, t).delete(f * 16 + k);
      } else {
        set(remOut, f).add(t * 16 + k);
        set(remIn, t).add(f * 16 + k);
      }
    } else {
      const outAt = addOut.get(f) ? indexIn(addOut.get(f)!, t, k) : -1;
      if (e.present && outAt < 0) {
        list(addOut, f).push(t, k);
        list(addIn, t).push(f, k);
      } else if (!e.present && outAt >= 0) {
        list(addOut, f).splice(outAt, 2);
        const a = list(addIn, t);
        a.splice(indexIn(a, f, k), 2);
      }
    }
  }
  const overlay: IndexOverlay = { dead, touched, addOut, addIn, remOut, remIn, size };
  const next: AccessIndex = { ...ix, version: d.version, ids, kinds, sources, sourceNames, indexOf: new LayeredIds(base, added, dead), overlay };
  inheritIdOrder(ix, next);
  return next;
}

/**
 * A fresh CSR of the index's graph, overlay folded in and ended nodes dropped (node numbers change). O(nodes + edges):
 * done off the request path, when the overlay has grown past a bound.
 */
export function mergeOverlay(ix: AccessIndex): AccessIndex {
  const ov = ix.overlay;
  if (!ov) return ix;
  const b = new IndexBuilder();
  const n = ix.ids.length;
  const renumber = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (!ov.dead[i]) renumber[i] = b.node(ix.ids[i]!, ix.kinds[i]!, ix.sourceNames[ix.sources[i]!]!);
  const csrN = ix.fwdStart.length - 1;
  for (let u = 0; u < n; u++) {
    const nu = renumber[u]!;
    if (nu < 0) continue;
    const removed = ov.touched[u] ? ov.remOut.get(u) : undefined;
    if (u < csrN) {
      for (let p = ix.fwdStart[u]!; p < ix.fwdStart[u + 1]!; p++) {
        const v = ix.fwdTo[p]!;
        if (renumber[v]! < 0 || (removed && removed.has(v * 16 + ix.fwdKind[p]!))) continue;
        b.edgeAt(nu, renumber[v]!, ix.fwdKind[p]!);
      }
    }
    const add = ov.touched[u] ? ov.addOut.get(u) : undefined;
    for (let j = 0; add && j < add.length; j += 2) if (renumber[add[j]!]! >= 0) b.edgeAt(nu, renumber[add[j]!]!, add[j + 1]!);
  }
  const merged = b.finish(ix.version, ix.asOf);
  const order = idOrders.get(ix);
  if (order) {
    const kept = new Int32Array(merged.ids.length);
    let m = 0;
    for (let r = 0; r < order.order.length; r++) {
      const nu = renumber[order.order[r]!]!;
      if (nu >= 0) kept[m++] = nu;
    }
    idOrders.set(merged, withRanks(kept));
  }
  return merged;
}

/** Each index's node slots in id (string) order, and each slot's rank in it: pages list results nearest first, then by id. */
type IdOrder = { order: Int32Array; rank: Int32Array };
const idOrders = new WeakMap<AccessIndex, IdOrder>();

function withRanks(order: Int32Array): IdOrder {
  const rank = new Int32Array(order.length);
  for (let r = 0; r < order.length; r++) rank[order[r]!] = r;
  return { order, rank };
}

/** Each node's rank in id order; a sort of every id once per built index, derived in O(nodes) after a delta. */
export function idRank(ix: AccessIndex): Int32Array {
  let o = idOrders.get(ix);
  if (!o) {
    const ids = ix.ids;
    const order = Int32Array.from(ids.keys()).sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
    o = withRanks(order);
    idOrders.set(ix, o);
  }
  return o.rank;
}

/** A delta only appends slots: their ids are placed by binary search into the previous order (no sort of every id). */
function inheritIdOrder(prev: AccessIndex, next: AccessIndex): void {
  const p = idOrders.get(prev);
  if (!p) return;
  const n0 = p.order.length;
  const n = next.ids.length;
  if (n === n0) {
    idOrders.set(next, p);
    return;
  }
  const ids = next.ids;
  const fresh = Array.from({ length: n - n0 }, (_, j) => n0 + j).sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1));
  const order = new Int32Array(n);
  let r = 0;
  let from = 0;
  for (const a of fresh) {
    let lo = from;
    let hi = n0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[p.order[mid]!]! < ids[a]!) lo = mid + 1;
      else hi = mid;
    }
    order.set(p.order.subarray(from, lo), r);
    r += lo - from;
    from = lo;
    order[r++] = a;
  }
  order.set(p.order.subarray(from), r);
  idOrders.set(next, withRanks(order));
}
