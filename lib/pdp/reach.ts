import { EDGE_CODE, type AccessIndex } from "@/lib/graph/access-index";
import type { EdgeKind } from "@/lib/graph/model";
import { MAX_DEPTH } from "@/lib/graph/traverse";

/**
 * The revoked accesses of a decision state in the index's numbers: `from[u]` marks a node some revoked access
 * leaves, `keys.get(u)` holds `v * 16 + kind` for each. A search then tests a byte per node instead of building and
 * hashing a three-id string per edge (the profile's largest cost when campaigns have revoked anything). Built once
 * per (index, revocation set); a revoked access whose ends the index does not hold cannot be on a path and is left out.
 */
interface RevokedIndex {
  from: Uint8Array;
  keys: Map<number, Set<number>>;
  size: number;
}
const revokedCache = new WeakMap<AccessIndex, WeakMap<ReadonlySet<string>, RevokedIndex>>();

export function revokedIndex(ix: AccessIndex, revoked: ReadonlySet<string>): RevokedIndex {
  let byRevoked = revokedCache.get(ix);
  if (!byRevoked) revokedCache.set(ix, (byRevoked = new WeakMap()));
  const hit = byRevoked.get(revoked);
  if (hit) return hit;
  const out: RevokedIndex = { from: new Uint8Array(ix.ids.length), keys: new Map(), size: 0 };
  for (const key of revoked) {
    const [a, kind, b] = key.split("\u0000");
    const u = ix.indexOf.get(a!);
    const v = ix.indexOf.get(b!);
    const k = EDGE_CODE.get(kind as EdgeKind);
    if (u === undefined || v === undefined || k === undefined) continue;
    out.from[u] = 1;
    let set = out.keys.get(u);
    if (!set) out.keys.set(u, (set = new Set()));
    set.add(v * 16 + k);
    out.size++;
  }
  byRevoked.set(revoked, out);
  return out;
}

/**
 * Is there an access path from `from` to `to` now (at most `maxDepth` edges), using no edge whose (from, kind, to)
 * was revoked in a campaign? A bidirectional breadth-first search over the access index (CSR plus overlay): it grows
 * whichever side has the smaller frontier, forward along edges from the subject or backward against them from the
 * tool, and stops where they meet — a decision touches the neighbourhoods of both ends, not everything the subject
 * reaches. Scratch arrays are reused across calls (stamped by generation). Returns the node ids of one path, or null.
 */
export function findAllowedPath(ix: AccessIndex, from: number, to: number, revoked: ReadonlySet<string>, maxDepth = MAX_DEPTH): string[] | null {
  if (from === to) return [ix.ids[from]!];
  const b = scratch(ix.ids.length);
  const gen = ++b.gen;
  const { fwdSeen, bwdSeen, fwdParent, bwdParent } = b;
  const ov = ix.overlay;
  const csrNodes = ix.fwdStart.length - 1;
  const rev = revokedIndex(ix, revoked);
  const isRevoked = (u: number, kind: number, v: number) => rev.size > 0 && rev.from[u] === 1 && rev.keys.get(u)!.has(v * 16 + kind);
  fwdSeen[from] = gen;
  fwdParent[from] = -1;
  bwdSeen[to] = gen;
  bwdParent[to] = -1;
  let front = [from];
  let back = [to];
  let depth = 0;
  while (front.length > 0 && back.length > 0 && depth < maxDepth) {
    depth++;
    const forward = front.length <= back.length;
    const next: number[] = [];
    let meet = -1;
    for (const u of forward ? front : back) {
      // Forward: edges u → v. Backward: edges v → u (the reverse CSR), so the access checked is (v, kind, u).
      const start = forward ? ix.fwdStart : ix.revStart;
      const nbr = forward ? ix.fwdTo : ix.revFrom;
      const nk = forward ? ix.fwdKind : ix.revKind;
      const removed = ov && ov.touched[u] ? (forward ? ov.remOut : ov.remIn).get(u) : undefined;
      const visit = (v: number, k: number): boolean => {
        if (ov && ov.dead[v]) return false;
        if (forward ? fwdSeen[v] === gen : bwdSeen[v] === gen) return false;
        if (forward ? isRevoked(u, k, v) : isRevoked(v, k, u)) return false;
        if (forward) {
          fwdSeen[v] = gen;
          fwdParent[v] = u;
        } else {
          bwdSeen[v] = gen;
          bwdParent[v] = u;
        }
        next.push(v);
        return forward ? bwdSeen[v] === gen : fwdSeen[v] === gen;
      };
      if (u < csrNodes) {
        for (let p = start[u]!; p < start[u + 1]!; p++) {
          const v = nbr[p]!;
          const k = nk[p]!;
          if (removed && removed.has(v * 16 + k)) continue;
          if (visit(v, k)) {
            meet = v;
            break;
          }
        }
      }
      if (meet < 0) {
        const added = ov && ov.touched[u] ? (forward ? ov.addOut : ov.addIn).get(u) : undefined;
        if (added)
          for (let j = 0; j < added.length; j += 2)
            if (visit(added[j]!, added[j + 1]!)) {
              meet = added[j]!;
              break;
            }
      }
      if (meet >= 0) break;
    }
    if (meet >= 0) {
      const head: string[] = [];
      for (let v = meet; v >= 0; v = fwdParent[v]!) head.push(ix.ids[v]!);
      head.reverse();
      for (let v = bwdParent[meet]!; v >= 0; v = bwdParent[v]!) head.push(ix.ids[v]!);
      return head;
    }
    if (forward) front = next;
    else back = next;
  }
  return null;
}

/**
 * Every node an allowed path reaches from `start` (direction "out") or that reaches `start` ("in"), at most
 * `maxDepth` edges, using no revoked access: a breadth-first search over the access index (CSR plus overlay) that
 * skips revoked edges. For the searches, which otherwise confirm each of thousands of candidates with a search of its
 * own: node v is in the answer exactly when `findAllowedPath` would find a path between start and v (both give the
 * shortest path avoiding revoked access, within the same depth).
 */
export function allowedReach(ix: AccessIndex, start: number, direction: "out" | "in", revoked: ReadonlySet<string>, maxDepth = MAX_DEPTH): number[] {
  const rev = revokedIndex(ix, revoked);
  const b = scratch(ix.ids.length);
  const gen = ++b.gen;
  const seen = b.fwdSeen;
  const ov = ix.overlay;
  const forward = direction === "out";
  const startArr = forward ? ix.fwdStart : ix.revStart;
  const nbr = forward ? ix.fwdTo : ix.revFrom;
  const nk = forward ? ix.fwdKind : ix.revKind;
  const csrNodes = startArr.length - 1;
  const out: number[] = [];
  seen[start] = gen;
  let frontier = [start];
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const u of frontier) {
      const removed = ov && ov.touched[u] ? (forward ? ov.remOut : ov.remIn).get(u) : undefined;
      const visit = (v: number, k: number) => {
        if (seen[v] === gen || (ov && ov.dead[v])) return;
        // The access is (from, kind, to): u → v forward, v → u backward.
        const from = forward ? u : v;
        const to = forward ? v : u;
        if (rev.from[from] === 1 && rev.keys.get(from)!.has(to * 16 + k)) return;
        seen[v] = gen;
        out.push(v);
        next.push(v);
      };
      if (u < csrNodes)
        for (let p = startArr[u]!; p < startArr[u + 1]!; p++) {
          const v = nbr[p]!;
          const k = nk[p]!;
          if (!(removed && removed.has(v * 16 + k))) visit(v, k);
        }
      const added = ov && ov.touched[u] ? (forward ? ov.addOut : ov.addIn).get(u) : undefined;
      if (added) for (let j = 0; j < added.length; j += 2) visit(added[j]!, added[j + 1]!);
    }
    frontier = next;
  }
  return out;
}

/**
 * `findAllowedPath`, remembered per (index, revocation set, subject, resource): a gateway asks about the same agent
 * and tool again and again, and each allow otherwise redoes the search (the largest cost in the M profile). A new
 * index or a new revocation set starts afresh, so an answer never outlives the graph or decisions it was found in.
 * Bounded (PATH_MAX pairs per index and set, oldest forgotten first). The path returned is shared: frozen.
 */
const PATH_MAX = 20_000;
const pathCache = new WeakMap<AccessIndex, WeakMap<ReadonlySet<string>, Map<number, readonly string[] | null>>>();

export function allowedPath(ix: AccessIndex, from: number, to: number, revoked: ReadonlySet<string>, remember = true): readonly string[] | null {
  let byRevoked = pathCache.get(ix);
  if (!byRevoked) pathCache.set(ix, (byRevoked = new WeakMap()));
  let pairs = byRevoked.get(revoked);
  if (!pairs) byRevoked.set(revoked, (pairs = new Map()));
  const key = from * ix.ids.length + to;
  const hit = pairs.get(key);
  if (hit !== undefined) return hit;
  const path = findAllowedPath(ix, from, to, revoked);
  // A search over thousands of candidates reads what is remembered but does not push out a gateway's pairs.
  if (!remember) return path;
  if (pairs.size >= PATH_MAX) pairs.delete(pairs.keys().next().value!);
  pairs.set(key, path && Object.freeze(path));
  return path;
}

type Scratch = { fwdSeen: Int32Array; bwdSeen: Int32Array; fwdParent: Int32Array; bwdParent: Int32Array; gen: number };
const shared: Scratch = { fwdSeen: new Int32Array(0), bwdSeen: new Int32Array(0), fwdParent: new Int32Array(0), bwdParent: new Int32Array(0), gen: 0 };

function scratch(n: number): Scratch {
  if (shared.fwdSeen.length < n || shared.gen >= 0x7ffffff0) {
    const size = Math.max(n, Math.ceil(shared.fwdSeen.length * 1.25));
    shared.fwdSeen = new Int32Array(size);
    shared.bwdSeen = new Int32Array(size);
    shared.fwdParent = new Int32Array(size);
    shared.bwdParent = new Int32Array(size);
    shared.gen = 0;
  }
  return shared;
}

/** How many pairs are remembered for this index and revocation set (tests). */
export function rememberedPairs(ix: AccessIndex, revoked: ReadonlySet<string>): number {
  return pathCache.get(ix)?.get(revoked)?.size ?? 0;
}
