import type { DecisionRecord } from "./decision-record";

export type { DecisionRecord } from "./decision-record";

/**
 * The decision log's intake (issue #20): the decision point calls `recordDecision` on its hot path, so it never
 * waits for a write and never grows without bound. Records wait here until the writer (same module, built with
 * the decision log) takes them in batches. Above `MAX_PENDING` waiting records new ones are counted as dropped, not
 * kept: a database that stops accepting writes must not take the process's memory with it.
 */
export const MAX_PENDING = 50_000;

const pending: DecisionRecord[] = [];
let dropped = 0;

export function recordDecision(rec: DecisionRecord): void {
  if (pending.length >= MAX_PENDING) {
    dropped++;
    return;
  }
  pending.push(rec);
}

/** Takes up to `max` waiting records, oldest first, and how many were dropped since the last call. */
export function takeDecisions(max: number): { records: DecisionRecord[]; dropped: number } {
  const records = pending.splice(0, max);
  const d = dropped;
  dropped = 0;
  return { records, dropped: d };
}

/** How many records wait (for status pages and tests). */
export function pendingDecisions(): number {
  return pending.length;
}
