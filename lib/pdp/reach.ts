import { EDGE_BY_CODE, type AccessIndex } from "@/lib/graph/access-index";
import { MAX_DEPTH } from "@/lib/graph/traverse";
import { accessKey } from "./state";

/**
 * Is there an access path from `from` to `to` now, using no edge whose (from, kind, to) was revoked in a campaign?
 * A breadth-first search over the access index (CSR plus overlay) that stops at the target; scratch arrays are
 * reused across calls (stamped by generation), so a decision allocates only its frontier. Returns the node ids of
 * one shortest allowed path, or null.
 */
export function findAllowedPath(ix: AccessIndex, from: number, to: number, revoked: ReadonlySet<string>, maxDepth = MAX_DEPTH): string[] | null {
  if (from === to) return [ix.ids[from]!];
  const b = scratch(ix.ids.length);
  const gen = ++b.gen;
  const { stamp, parent } = b;
  const ov = ix.overlay;
  const csrNodes = ix.fwdStart.length - 1;
  const checkRevoked = revoked.size > 0;
  stamp[from] = gen;
  parent[from] = -1;
  let frontier = [from];
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const u of frontier) {
      const uid = checkRevoked ? ix.ids[u]! : "";
      const visit = (v: number, kind: number): boolean => {
        if (stamp[v] === gen) return false;
        if (ov && ov.dead[v]) return false;
        if (checkRevoked && revoked.has(accessKey(uid, EDGE_BY_CODE[kind]!, ix.ids[v]!))) return false;
        stamp[v] = gen;
        parent[v] = u;
        next.push(v);
        return v === to;
      };
      const removed = ov && ov.touched[u] ? ov.remOut.get(u) : undefined;
      if (u < csrNodes) {
        for (let p = ix.fwdStart[u]!; p < ix.fwdStart[u + 1]!; p++) {
          const v = ix.fwdTo[p]!;
          const k = ix.fwdKind[p]!;
          if (removed && removed.has(v * 16 + k)) continue;
          if (visit(v, k)) return walk(ix, parent, to);
        }
      }
      const added = ov && ov.touched[u] ? ov.addOut.get(u) : undefined;
      if (added) for (let j = 0; j < added.length; j += 2) if (visit(added[j]!, added[j + 1]!)) return walk(ix, parent, to);
    }
    frontier = next;
  }
  return null;
}

function walk(ix: AccessIndex, parent: Int32Array, to: number): string[] {
  const out: string[] = [];
  for (let v = to; v >= 0; v = parent[v]!) out.push(ix.ids[v]!);
  return out.reverse();
}

type Scratch = { stamp: Int32Array; parent: Int32Array; gen: number };
const shared: Scratch = { stamp: new Int32Array(0), parent: new Int32Array(0), gen: 0 };

function scratch(n: number): Scratch {
  if (shared.stamp.length < n || shared.gen >= 0x7ffffff0) {
    const size = Math.max(n, Math.ceil(shared.stamp.length * 1.25));
    shared.stamp = new Int32Array(size);
    shared.parent = new Int32Array(size);
    shared.gen = 0;
  }
  return shared;
}
