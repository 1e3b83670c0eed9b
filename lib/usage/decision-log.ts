import type { DecisionRecord } from "./decision-record";

export type { DecisionRecord } from "./decision-record";

/**
 * The decision log's intake (issue #20): the decision point calls `recordDecision` on its hot path, so it never
 * waits for a write and never grows without bound. Records wait here until the writer (decision-writer.ts) takes
 * them in batches. Above `MAX_PENDING` waiting records new ones are counted as dropped, not kept: a database that
 * stops accepting writes must not take the process's memory with it. The dropped count is written into the next
 * batch's audit event, so a gap in the log is itself on the record.
 *
 * Sampling (ATTEST_PDP_ALLOW_SAMPLE, 0..1, default 1 = keep every allow): denies are always kept. An allow is kept
 * with probability 1/weight, where weight = round(1/rate), and the kept row carries that weight, so the sum of
 * weights estimates the allows without bias (the effective rate is 1/weight: 0.3 keeps one allow in 3). Rate 0
 * keeps no allow (nor its tool usage); the count of allows not kept goes into each batch's audit event.
 */
export const MAX_PENDING = 50_000;
/** At this many waiting records the writer is woken at once rather than at its next tick. */
export const FLUSH_AT = 1_000;

/** A record as the log keeps it: the decision and how many decisions like it this row stands for. */
export type LoggedDecision = DecisionRecord & { weight: number };

export interface SamplingConfig {
  /** 0..1: the share of allows kept. */
  allowRate: number;
  /** Uniform in [0, 1); tests pass a seeded one. */
  random: () => number;
}

/** The rate from `ATTEST_PDP_ALLOW_SAMPLE`: throws naming the variable when it is not a number in 0..1. */
export function allowSampleRateFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.ATTEST_PDP_ALLOW_SAMPLE?.trim();
  if (!raw) return 1;
  const rate = Number(raw);
  if (!/^\d*\.?\d+(e-?\d+)?$/i.test(raw) || !Number.isFinite(rate) || rate < 0 || rate > 1)
    throw new Error("ATTEST_PDP_ALLOW_SAMPLE must be a number from 0 to 1 (the share of allowed decisions kept; 1 keeps all)");
  return rate;
}

/** The weight a kept allow carries at `rate` (0 when no allow is kept). */
export function allowWeight(rate: number): number {
  if (rate <= 0) return 0;
  return Math.max(1, Math.round(1 / rate));
}

function initialRate(): number {
  try {
    return allowSampleRateFromEnv();
  } catch (e) {
    // Keeping every allow loses nothing; the flusher's start (startDecisionFlusher) refuses the value loudly.
    console.error(`[decision-log] ${(e as Error).message}; keeping every allow`);
    return 1;
  }
}

interface IntakeState {
  pending: LoggedDecision[];
  dropped: number;
  sampledOut: number;
  weight: number;
  random: () => number;
  wake: (() => void) | null;
}
/**
 * On globalThis, like the job engine's handle (lib/jobs): Next may load this module once for the server's
 * instrumentation (where the writer runs) and again for route handlers (where the decision point records), and
 * both must see one intake.
 */
const g = globalThis as typeof globalThis & { __attestDecisionIntake?: IntakeState };
const state: IntakeState = (g.__attestDecisionIntake ??= {
  pending: [],
  dropped: 0,
  sampledOut: 0,
  weight: allowWeight(initialRate()),
  random: Math.random,
  wake: null,
});

/** Sets the share of allows kept (and, for tests, the random source). */
export function configureDecisionSampling(c: Partial<SamplingConfig>): void {
  if (c.allowRate !== undefined) {
    if (!(c.allowRate >= 0 && c.allowRate <= 1)) throw new Error("the allow sampling rate must be from 0 to 1");
    state.weight = allowWeight(c.allowRate);
  }
  if (c.random) state.random = c.random;
}

/** The weight kept allows carry now (1 = every allow kept; 0 = none). */
export function currentAllowWeight(): number {
  return state.weight;
}

export function recordDecision(rec: DecisionRecord): void {
  let weight = 1;
  if (rec.decision) {
    weight = state.weight;
    if (weight !== 1 && (weight === 0 || state.random() * weight >= 1)) {
      state.sampledOut++;
      return;
    }
  }
  if (state.pending.length >= MAX_PENDING) {
    state.dropped++;
    return;
  }
  state.pending.push({ ...rec, weight });
  if (state.pending.length === FLUSH_AT) state.wake?.();
}

export interface TakenDecisions {
  records: LoggedDecision[];
  /** Records refused since the last take because the intake was full. */
  dropped: number;
  /** Allows not kept by sampling since the last take. */
  sampledOut: number;
}

/** Takes up to `max` waiting records, oldest first, and how many were dropped and sampled out since the last call. */
export function takeDecisions(max: number): TakenDecisions {
  const records = state.pending.splice(0, max);
  const out = { records, dropped: state.dropped, sampledOut: state.sampledOut };
  state.dropped = 0;
  state.sampledOut = 0;
  return out;
}

/**
 * Gives a batch back after its write failed, ahead of newer records, as far as the bound allows (the rest is
 * counted as dropped). Its counters go back too, so the next batch's audit event still reports them.
 */
export function returnDecisions(batch: TakenDecisions): void {
  const room = Math.max(0, MAX_PENDING - state.pending.length);
  const kept = batch.records.slice(0, room);
  state.pending.unshift(...kept);
  state.dropped += batch.dropped + (batch.records.length - kept.length);
  state.sampledOut += batch.sampledOut;
}

/** Counts records lost for good (a batch that could not be written twice), for the next batch's audit event. */
export function countDropped(n: number): void {
  state.dropped += n;
}

/** How many records wait (for status pages and tests). */
export function pendingDecisions(): number {
  return state.pending.length;
}

/** The writer registers here to be woken when FLUSH_AT records wait. */
export function onDecisionsWaiting(wake: (() => void) | null): void {
  state.wake = wake;
}

/** Tests: empty the intake and restore the defaults. */
export function resetDecisionLogForTests(): void {
  state.pending = [];
  state.dropped = 0;
  state.sampledOut = 0;
  state.weight = 1;
  state.random = Math.random;
  state.wake = null;
}
