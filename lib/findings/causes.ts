import type { AccessIndex } from "@/lib/graph/access-index";
import { PRINCIPAL_KINDS } from "@/lib/graph/model";
import { KIND, nameOf, type RuleContext } from "./context";
import type { FindingCause } from "./priority";

const PRINCIPAL_CODES: ReadonlySet<number> = new Set(PRINCIPAL_KINDS.map((k) => KIND[k]));

/**
 * Dominators of a breadth-first search: node x dominates target t when every
 * shortest path from the start to t passes through x — removing x cuts the
 * start off from t (along shortest paths; a longer way round within the depth
 * bound may remain, which is why a cause "resolves" as far as the evaluation can
 * tell, and the benchmark measures how often it really does).
 *
 * The shortest-path graph of a BFS is acyclic and its levels are the search's
 * depths, so each node's immediate dominator is the nearest common dominator of
 * its predecessors one level up, found in one pass in BFS order (Cooper, Harvey
 * & Kennedy's intersection on a DAG in topological order). Cost: one visit of
 * the out-edges of the reached nodes, like the search itself. Arrays are the
 * size of the graph and reused from one principal to the next (stamps say which
 * entries belong to the current search).
 */
export class Dominators {
  private run = 0;
  private start = -1;
  private readonly stamp: Int32Array;
  private readonly depth: Int32Array;
  private readonly idom: Int32Array;
  private readonly domDepth: Int32Array;
  private countRun = 0;
  private readonly countStamp: Int32Array;
  private readonly countA: Int32Array;
  private readonly countB: Int32Array;

  constructor(private readonly ix: AccessIndex) {
    const n = ix.ids.length;
    this.stamp = new Int32Array(n);
    this.depth = new Int32Array(n);
    this.idom = new Int32Array(n);
    this.domDepth = new Int32Array(n);
    this.countStamp = new Int32Array(n);
    this.countA = new Int32Array(n);
    this.countB = new Int32Array(n);
  }

  /** Computes the dominator tree of a search from `start` (`reached` in BFS order, as Walker and bfs give it). */
  compute(start: number, reached: readonly { node: number; depth: number }[]): this {
    const { ix, stamp, depth, idom, domDepth } = this;
    const run = ++this.run;
    this.start = start;
    stamp[start] = run;
    depth[start] = 0;
    idom[start] = -1;
    domDepth[start] = 0;
    for (const r of reached) {
      stamp[r.node] = run;
      depth[r.node] = r.depth;
      idom[r.node] = -2;
    }
    const visit = (u: number) => {
      const next = depth[u]! + 1;
      for (let p = ix.fwdStart[u]!; p < ix.fwdStart[u + 1]!; p++) {
        const v = ix.fwdTo[p]!;
        if (stamp[v] !== run || depth[v] !== next) continue;
        idom[v] = idom[v] === -2 ? u : this.common(idom[v]!, u);
      }
    };
    visit(start);
    for (const r of reached) {
      // Every predecessor of r is one level up and already visited: its immediate dominator is final.
      domDepth[r.node] = domDepth[idom[r.node]!]! + 1;
      visit(r.node);
    }
    return this;
  }

  private common(a: number, b: number): number {
    const { idom, domDepth } = this;
    while (a !== b) {
      if (domDepth[a]! > domDepth[b]!) a = idom[a]!;
      else if (domDepth[b]! > domDepth[a]!) b = idom[b]!;
      else {
        a = idom[a]!;
        b = idom[b]!;
      }
    }
    return a;
  }

  /**
   * For every node that dominates at least one target (the start and the targets themselves aside), how many of
   * `a` and of `b` it dominates. Two target sets so a rule can weigh them apart (tools and resources).
   */
  count(a: readonly number[], b: readonly number[] = []): { node: number; a: number; b: number; depth: number }[] {
    const { idom, countStamp, countA, countB, domDepth } = this;
    const run = ++this.countRun;
    const touched: number[] = [];
    const add = (targets: readonly number[], into: Int32Array) => {
      for (const t of targets) {
        for (let x = idom[t]!; x !== this.start && x >= 0; x = idom[x]!) {
          if (countStamp[x] !== run) {
            countStamp[x] = run;
            countA[x] = 0;
            countB[x] = 0;
            touched.push(x);
          }
          into[x]!++;
        }
      }
    };
    add(a, countA);
    add(b, countB);
    return touched.map((node) => ({ node, a: countA[node]!, b: countB[node]!, depth: domDepth[node]! }));
  }
}

/** What a reach finding's cause must achieve: `resolves(a, b)` says whether dominating a of A and b of B fixes it. */
export interface CauseNeed {
  /** Targets behind the finding (risky tools, resources reached both ways, …). */
  a: readonly number[];
  b?: readonly number[];
  resolves(a: number, b: number): boolean;
  /** What the targets are, for the explanation: "risky tools", "resources reached both ways". */
  what: string;
}

/**
 * The cause of a finding about what principal `start` reaches: among the nodes
 * that dominate its targets (principals aside: an agent acting for a person is
 * caused by what the person holds), the one whose removal resolves the finding;
 * among those, the one on the most target paths, then the deepest (nearest the
 * targets: an entitlement held through several groups covers more principals
 * than any one of the groups), then by id. When none resolves it, the node on
 * the most paths if it covers at least half of them, else the principal itself
 * (no single node explains its reach).
 */
export function reachCause(ctx: RuleContext, dom: Dominators, start: number, need: CauseNeed): FindingCause {
  const { ix } = ctx.snap;
  const total = need.a.length + (need.b?.length ?? 0);
  let best: { node: number; a: number; b: number; depth: number; resolves: boolean } | null = null;
  for (const c of dom.count(need.a, need.b)) {
    if (PRINCIPAL_CODES.has(ix.kinds[c.node]!)) continue;
    const cand = { ...c, resolves: need.resolves(c.a, c.b) };
    if (
      !best ||
      Number(cand.resolves) - Number(best.resolves) > 0 ||
      (cand.resolves === best.resolves &&
        (cand.a + cand.b > best.a + best.b ||
          (cand.a + cand.b === best.a + best.b && (cand.depth > best.depth || (cand.depth === best.depth && ix.ids[cand.node]! < ix.ids[best.node]!)))))
    )
      best = cand;
  }
  const covered = best ? best.a + best.b : 0;
  if (best && (best.resolves || covered * 2 >= total)) {
    const id = ix.ids[best.node]!;
    const n = ctx.snap.nodes.get(id);
    return {
      id,
      kind: n?.kind ?? "group",
      name: nameOf(ctx.snap, id),
      resolves: best.resolves,
      why: best.resolves
        ? `on every shortest path to ${covered} of the ${total} ${need.what}: removing it resolves the finding`
        : `on every shortest path to ${covered} of the ${total} ${need.what}; no single node is on all of them`,
    };
  }
  return subjectCause(ctx, ix.ids[start]!, false, `no single node is on more than half of the paths to the ${total} ${need.what}`);
}

/** A finding whose cause is its subject (or another node the rule names). */
export function subjectCause(ctx: RuleContext, id: string, resolves: boolean, why: string): FindingCause {
  const n = ctx.snap.nodes.get(id);
  return { id, kind: n?.kind ?? "group", name: nameOf(ctx.snap, id), resolves, why };
}
