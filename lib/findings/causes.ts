import type { AccessIndex } from "@/lib/graph/access-index";
import { KIND, nameOf, type RuleContext } from "./context";
import type { FindingCause } from "./priority";

/** Nodes that can be a reach finding's cause: what grants access (a principal is never the cause of another's reach). */
const CAUSE_CODES: ReadonlySet<number> = new Set([KIND.group, KIND.entitlement, KIND.credential, KIND.mcp_server]);

/**
 * Which nodes lie on the risky paths of one principal, and how much: for each
 * node x, the share of the shortest paths from the principal to each target
 * that pass through x, summed over the targets (Brandes' dependency, from one
 * source, counted only towards the targets). A node on every shortest path to
 * a target (a dominator: a choke point) counts 1 for it; a node on half of them
 * counts ½. Two passes over the search's shortest-path graph (levels are its
 * depths): path counts forward, dependencies backward — the cost of the search
 * itself. Arrays are the size of the graph and reused from one principal to the
 * next, stamped so a search reads only its own entries.
 */
export class PathShares {
  private run = 0;
  private start = -1;
  private reached: readonly { node: number; depth: number }[] = [];
  private readonly stamp: Int32Array;
  private readonly depth: Int32Array;
  private readonly sigma: Float64Array;
  private readonly shareA: Float64Array;
  private readonly shareB: Float64Array;
  private readonly isA: Int32Array;
  private readonly isB: Int32Array;
  private targetRun = 0;
  /** For the removal check: nodes seen by the last search that avoided a candidate. */
  private readonly seen: Int32Array;
  private seenRun = 0;

  constructor(private readonly ix: AccessIndex) {
    const n = ix.ids.length;
    this.stamp = new Int32Array(n);
    this.depth = new Int32Array(n);
    this.sigma = new Float64Array(n);
    this.shareA = new Float64Array(n);
    this.shareB = new Float64Array(n);
    this.isA = new Int32Array(n);
    this.isB = new Int32Array(n);
    this.seen = new Int32Array(n);
  }

  /** Counts shortest paths from `start` to every node of its search (`reached` in BFS order, as Walker gives it). */
  compute(start: number, reached: readonly { node: number; depth: number }[]): this {
    const { ix, stamp, depth, sigma } = this;
    const run = ++this.run;
    this.start = start;
    this.reached = reached;
    stamp[start] = run;
    depth[start] = 0;
    sigma[start] = 1;
    for (const r of reached) {
      stamp[r.node] = run;
      depth[r.node] = r.depth;
      sigma[r.node] = 0;
    }
    const push = (u: number) => {
      const next = depth[u]! + 1;
      for (let p = ix.fwdStart[u]!; p < ix.fwdStart[u + 1]!; p++) {
        const v = ix.fwdTo[p]!;
        if (stamp[v] === run && depth[v] === next) sigma[v]! += sigma[u]!;
      }
    };
    push(start);
    for (const r of reached) push(r.node);
    return this;
  }

  /**
   * Each node's share of the shortest paths to targets `a` and to targets `b` (the start and the targets' own
   * membership aside), for the nodes of the cause kinds on them. Returns the best one — most paths, then the deepest
   * (nearest the targets: an entitlement reached through several groups explains more principals than any one group),
   * then id — and the best `keep` among those `eligible` says could fix the finding, best first. A selection, not a
   * sort: a principal's paths can cross thousands of groups and entitlements.
   */
  shares(
    a: readonly number[],
    b: readonly number[],
    eligible: (shareA: number, shareB: number) => boolean,
    keep: number,
  ): { top: Share | null; fixers: Share[] } {
    const { ix, stamp, depth, sigma, shareA, shareB, isA, isB } = this;
    const run = this.run;
    const t = ++this.targetRun;
    for (const x of a) isA[x] = t;
    for (const x of b) isB[x] = t;
    let top: Share | null = null;
    const fixers: Share[] = [];
    for (let i = this.reached.length - 1; i >= 0; i--) {
      const v = this.reached[i]!.node;
      const next = depth[v]! + 1;
      let sa = 0;
      let sb = 0;
      for (let p = ix.fwdStart[v]!; p < ix.fwdStart[v + 1]!; p++) {
        const w = ix.fwdTo[p]!;
        if (stamp[w] !== run || depth[w] !== next) continue;
        const f = sigma[v]! / sigma[w]!;
        sa += f * ((isA[w] === t ? 1 : 0) + shareA[w]!);
        sb += f * ((isB[w] === t ? 1 : 0) + shareB[w]!);
      }
      shareA[v] = sa;
      shareB[v] = sb;
      if ((sa <= 0 && sb <= 0) || !CAUSE_CODES.has(ix.kinds[v]!)) continue;
      const c: Share = { node: v, a: sa, b: sb, depth: depth[v]! };
      if (!top || this.better(c, top)) top = c;
      if (eligible(sa + 1e-9, sb + 1e-9) && (fixers.length < keep || this.better(c, fixers[keep - 1]!))) {
        let at = fixers.length;
        while (at > 0 && this.better(c, fixers[at - 1]!)) at--;
        fixers.splice(at, 0, c);
        if (fixers.length > keep) fixers.pop();
      }
    }
    return { top, fixers };
  }

  private better(x: Share, y: Share): boolean {
    const d = x.a + x.b - (y.a + y.b);
    if (d !== 0) return d > 0;
    if (x.depth !== y.depth) return x.depth > y.depth;
    return this.ix.ids[x.node]! < this.ix.ids[y.node]!;
  }

  /**
   * How many of `a` and of `b` the start still reaches within `maxDepth` when node `without` is removed (and nodes
   * of the kinds in `avoid` are not entered, as the search that found them): the exact check that removing a cause
   * resolves a finding, longer ways round included.
   */
  remaining(without: number, maxDepth: number, a: readonly number[], b: readonly number[] = [], avoid?: ReadonlySet<number>): { a: number; b: number } {
    const { ix, seen } = this;
    const run = ++this.seenRun;
    seen[this.start] = run;
    seen[without] = run;
    let frontier = [this.start];
    for (let d = 1; d <= maxDepth && frontier.length > 0; d++) {
      const next: number[] = [];
      for (const u of frontier) {
        for (let p = ix.fwdStart[u]!; p < ix.fwdStart[u + 1]!; p++) {
          const v = ix.fwdTo[p]!;
          if (seen[v] === run || (avoid && avoid.has(ix.kinds[v]!))) continue;
          seen[v] = run;
          next.push(v);
        }
      }
      frontier = next;
    }
    let ra = 0;
    let rb = 0;
    for (const x of a) if (seen[x] === run && x !== without) ra++;
    for (const x of b) if (seen[x] === run && x !== without) rb++;
    return { a: ra, b: rb };
  }
}

/** A node's share of the paths to two target sets, and its depth in the search. */
export interface Share {
  node: number;
  a: number;
  b: number;
  depth: number;
}

/** What a reach finding's cause must achieve. */
export interface CauseNeed {
  /** Targets behind the finding (risky tools, resources reached both ways, …). */
  a: readonly number[];
  b?: readonly number[];
  /** Whether the finding is fixed when only `a` of A and `b` of B remain reachable. */
  fixedWhen(a: number, b: number): boolean;
  /**
   * Whether removing a node on these shares of the paths could fix it: a removal cuts off only targets it is on every
   * shortest path to, each of which adds 1 to its share, so a share below what must go rules the node out without a search.
   */
  couldFix(shareA: number, shareB: number): boolean;
  /** What the targets are, for the explanation: "risky tools", "resources reached both ways". */
  what: string;
  /** Kinds the search did not enter (the direct walk of dual paths), kept out of the removal check too. */
  avoid?: ReadonlySet<number>;
}

/** Candidates checked by removal, best share first: each check is one search. */
const CHECKED = 3;

/**
 * The cause of a finding about what principal `start` reaches: the group,
 * entitlement, credential or MCP server on most of its risky paths (a choke
 * point). The first three by share are checked by removing each in turn; the
 * first whose removal fixes the finding is the cause (`resolves`). When none
 * does, the one on most paths if it carries at least half of them (a
 * contributor, `resolves` false), else the principal itself: its own access
 * needs a review.
 */
export function reachCause(ctx: RuleContext, shares: PathShares, start: number, need: CauseNeed): FindingCause {
  const { ix } = ctx.snap;
  const total = need.a.length + (need.b?.length ?? 0);
  const { top, fixers } = shares.shares(need.a, need.b ?? [], need.couldFix, CHECKED);
  const pct = (x: { a: number; b: number }) => Math.round((100 * (x.a + x.b)) / Math.max(1, total));
  for (const c of fixers) {
    const left = shares.remaining(c.node, ctx.settings.maxDepth, need.a, need.b, need.avoid);
    if (need.fixedWhen(left.a, left.b)) {
      return nodeCause(ctx, ix.ids[c.node]!, true, `on ${pct(c)}% of the shortest paths to the ${total} ${need.what}: removing it resolves the finding`);
    }
  }
  // No single node fixes it: the node on most of its paths is still the cause when it carries at least half of them
  // (a contributor: fixing it is the largest single step, and it often fixes the finding together with the next
  // causes in the queue); otherwise the principal itself (its own access needs a review).
  if (top && (top.a + top.b) * 2 >= total)
    return nodeCause(
      ctx,
      ix.ids[top.node]!,
      false,
      `on ${pct(top)}% of the shortest paths to the ${total} ${need.what}; removing it alone does not resolve the finding`,
    );
  return nodeCause(
    ctx,
    ix.ids[start]!,
    false,
    `no single group, entitlement, credential or server is on half of the shortest paths to the ${total} ${need.what}`,
  );
}

/** A cause by node id, named from the snapshot. */
export function nodeCause(ctx: RuleContext, id: string, resolves: boolean, why: string): FindingCause {
  const n = ctx.snap.nodes.get(id);
  return { id, kind: n?.kind ?? "group", name: nameOf(ctx.snap, id), resolves, why };
}
