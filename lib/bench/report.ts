import { describeSpeedup, formatMs, speedup, summarize, table, type Summary } from "./stats";

/** What is measured: the three API traversals, each at several depths. */
export type Operation = "reachable_from" | "who_can_reach" | "k_paths";
export type Technique = "in_memory" | "naive_cte" | "frontier_cte" | "iterative_bfs";

/** The technique every ratio is taken against: the recursive CTE with UNION on (node, depth). */
export const BASELINE: Technique = "frontier_cte";

export const OPERATION_LABEL: Record<Operation, string> = {
  reachable_from: "reachable-from",
  who_can_reach: "who-can-reach",
  k_paths: "k shortest paths (k=5)",
};
export const TECHNIQUE_LABEL: Record<Technique, string> = {
  in_memory: "in-memory BFS (CSR index)",
  naive_cte: "naive all-paths CTE",
  frontier_cte: "frontier CTE, UNION (node, depth)",
  iterative_bfs: "iterative BFS from TS",
};

/** All roots of an operation together (the mix), beside the per-kind cells. */
export const ALL_ROOTS = "all";

/** One (operation, roots, depth, technique) cell: a sample per root that answered. */
export class Cell {
  readonly samples: number[] = [];
  /** Answer sizes (nodes or principals; paths for k_paths). */
  readonly sizes: number[] = [];
  timeouts = 0;
  budgetHits = 0;
  /** Roots not run because an earlier root exceeded the limits (or the depth is above the technique's limit). */
  skipped = 0;
  skipReason: string | null = null;
  mismatches = 0;

  constructor(
    readonly operation: Operation,
    /** What the roots are: "human", "popular tool", … or ALL_ROOTS. */
    readonly subject: string,
    readonly depth: number,
    readonly technique: Technique,
  ) {}

  get failures(): number {
    return this.timeouts + this.budgetHits;
  }
}

export interface CellReport {
  operation: Operation;
  subject: string;
  depth: number;
  technique: Technique;
  ms: Summary;
  answerSize: Summary;
  timeouts: number;
  budgetHits: number;
  skipped: number;
  skipReason: string | null;
  mismatches: number;
  /** The baseline this cell is compared with (k_paths: the frontier CTE's reachable-from at the same depth). */
  baseline: { operation: Operation; technique: Technique; p50: number; p95: number } | null;
  /** baseline ÷ this: > 1 means faster than the baseline. */
  speedupP50: number;
  speedupP95: number;
  speedupP50Text: string;
  speedupP95Text: string;
}

export function cellReports(cells: Iterable<Cell>): CellReport[] {
  const all = [...cells];
  const find = (operation: Operation, subject: string, depth: number, technique: Technique) =>
    all.find((c) => c.operation === operation && c.subject === subject && c.depth === depth && c.technique === technique);
  return all.map((c) => {
    const ms = summarize(c.samples);
    const baseOp: Operation = c.operation === "k_paths" ? "reachable_from" : c.operation;
    const base = find(baseOp, c.subject, c.depth, BASELINE);
    const b = base ? summarize(base.samples) : null;
    const up50 = b ? speedup(b.p50, ms.p50) : Number.NaN;
    const up95 = b ? speedup(b.p95, ms.p95) : Number.NaN;
    return {
      operation: c.operation,
      subject: c.subject,
      depth: c.depth,
      technique: c.technique,
      ms,
      answerSize: summarize(c.sizes),
      timeouts: c.timeouts,
      budgetHits: c.budgetHits,
      skipped: c.skipped,
      skipReason: c.skipReason,
      mismatches: c.mismatches,
      baseline: b ? { operation: baseOp, technique: BASELINE, p50: b.p50, p95: b.p95 } : null,
      speedupP50: up50,
      speedupP95: up95,
      speedupP50Text: base === c ? "baseline" : describeSpeedup(up50),
      speedupP95Text: base === c ? "baseline" : describeSpeedup(up95),
    };
  });
}

const count = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");

const OPERATION_ORDER: Operation[] = ["reachable_from", "k_paths", "who_can_reach"];
const TECHNIQUE_ORDER: Technique[] = ["in_memory", "frontier_cte", "iterative_bfs", "naive_cte"];

/** Reports in reading order: operation, roots (as first seen), depth, technique. */
export function sortReports(reports: CellReport[]): CellReport[] {
  const subjects = [...new Set(reports.map((r) => r.subject))];
  const key = (r: CellReport) => [OPERATION_ORDER.indexOf(r.operation), subjects.indexOf(r.subject), r.depth, TECHNIQUE_ORDER.indexOf(r.technique)];
  return [...reports].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return 0;
  });
}

/** The traversal table: absolute p50/p95 and the ratio against the frontier CTE side by side. */
export function traversalTable(reports: CellReport[]): string {
  const rows = sortReports(reports).map((r) => {
    const notes: string[] = [];
    if (r.timeouts) notes.push(`${r.timeouts} timed out`);
    if (r.budgetHits) notes.push(`${r.budgetHits} over path budget`);
    if (r.skipped) notes.push(`${r.skipped} skipped: ${r.skipReason}`);
    if (r.mismatches) notes.push(`${r.mismatches} MISMATCH`);
    if (r.operation === "k_paths" && r.baseline && r.technique !== BASELINE) notes.push("ratio vs frontier CTE reachable-from");
    return [
      OPERATION_LABEL[r.operation],
      r.subject,
      String(r.depth),
      TECHNIQUE_LABEL[r.technique],
      String(r.ms.n),
      count(r.answerSize.p50),
      formatMs(r.ms.p50),
      formatMs(r.ms.p95),
      r.speedupP50Text,
      r.speedupP95Text,
      notes.join("; "),
    ];
  });
  return table(
    ["operation", "roots", "depth", "technique", "n", "answer p50", "p50 ms", "p95 ms", "p50 vs frontier CTE", "p95 vs frontier CTE", "notes"],
    rows,
  );
}

/** One-line conclusions over all roots (the mix): how much faster in memory is than the baseline, per operation and depth. */
export function headlines(reports: CellReport[]): string[] {
  const out: string[] = [];
  for (const r of sortReports(reports)) {
    if (r.technique !== "in_memory" || r.operation === "k_paths" || r.subject !== ALL_ROOTS || !Number.isFinite(r.speedupP50)) continue;
    out.push(
      `${OPERATION_LABEL[r.operation]} depth ${r.depth}, all roots: in-memory p50 ${formatMs(r.ms.p50)} ms vs frontier CTE ${formatMs(r.baseline!.p50)} ms — ${describeSpeedup(r.speedupP50)} (p95: ${describeSpeedup(r.speedupP95)})`,
    );
  }
  return out;
}
