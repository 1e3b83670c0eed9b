import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaignTriggerRules } from "@/db/schema";
import type { TriggerKind } from "../model";
import { eventsOf } from "./events";
import { fireEvent, type FiringOutcome } from "./fire";

/**
 * Each run reads again this much before the last watermark: findings carry the
 * evaluation's start time but commit at its end, and an SSF event's request may
 * commit after a run began. The firings' dedupe key makes the overlap harmless.
 */
export const RESCAN_MARGIN_MS = 60 * 60_000;

/**
 * At most this many events are fired per run: a rule made over a large backlog (or a burst of findings) opens its
 * campaigns over several runs, a minute apart, instead of one job that outlives its expiry.
 */
export const MAX_EVENTS_PER_RUN = 200;

export interface TriggerRunResult {
  rules: number;
  events: number;
  outcomes: Record<FiringOutcome, number>;
}

export interface TriggerRunOptions {
  now?: Date;
  /** Only rules of these kinds (the SSF receiver runs the ssf_event rules alone). */
  kinds?: TriggerKind[];
  /** Events fired at most in this run (default MAX_EVENTS_PER_RUN). */
  maxEvents?: number;
}

/**
 * The job `campaigns.triggers`: for every enabled rule, the events recorded
 * since its watermark (less the margin), each fired once; then the watermark
 * moves to the time the run started. Idempotent: running it twice opens
 * nothing new.
 */
export async function runTriggers(db: Db, opts: TriggerRunOptions = {}): Promise<TriggerRunResult> {
  const now = opts.now ?? new Date();
  const rules = await db
    .select()
    .from(campaignTriggerRules)
    .where(and(eq(campaignTriggerRules.enabled, true), opts.kinds ? inArray(campaignTriggerRules.kind, opts.kinds) : undefined))
    .orderBy(campaignTriggerRules.createdAt, campaignTriggerRules.id);
  let budget = opts.maxEvents ?? MAX_EVENTS_PER_RUN;
  const out: TriggerRunResult = { rules: rules.length, events: 0, outcomes: { opened: 0, no_access: 0, failed: 0, skipped: 0 } };
  for (const rule of rules) {
    const watermark = rule.scannedTo ?? rule.createdAt;
    const since = new Date(Math.max(rule.createdAt.getTime(), watermark.getTime() - RESCAN_MARGIN_MS));
    const events = await eventsOf(db, rule, since);
    out.events += events.length;
    let fired = 0;
    let cut = false;
    for (const ev of events) {
      if (fired >= budget) {
        cut = true;
        break;
      }
      const r = await fireEvent(db, rule, ev, now);
      out.outcomes[r.outcome]++;
      if (r.outcome !== "skipped") fired++;
    }
    budget -= fired;
    // A rule cut short by the budget keeps its watermark: the next run reads the rest (what fired is skipped).
    if (cut) continue;
    // Only forward: a run with an older clock (a test's, or a slow instance's) never moves it back.
    if (!rule.scannedTo || rule.scannedTo < now) await db.update(campaignTriggerRules).set({ scannedTo: now }).where(eq(campaignTriggerRules.id, rule.id));
  }
  return out;
}
