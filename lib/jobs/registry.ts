import type { Db, DatabaseKind } from "@/db/client";

/**
 * The handler registry. Areas that own work register their handlers and
 * schedules here (lib/findings/jobs.ts, lib/campaigns/jobs.ts, the pipeline);
 * lib/jobs knows none of them. Kept on globalThis because Next may load a
 * module twice in one process.
 */

export type QueuePolicy = "standard" | "short" | "singleton" | "stately";

export interface JobContext {
  db: Db;
  jobId: string;
  name: string;
  /** 0 on first delivery, then 1, 2… on retries (and redeliveries after an interrupted run). */
  attempt: number;
}

export type JobHandler<T = unknown> = (data: T, ctx: JobContext) => Promise<void>;

export interface QueueOptions {
  /** stately: at most one queued and one running (per singleton key); standard: no limit. */
  policy?: QueuePolicy;
  retryLimit?: number;
  /** An active job not finished within this is expired by pg-boss and retried (worker gone without a trace). */
  expireInSeconds?: number;
}

export interface HandlerOptions extends QueueOptions {
  /** Workers polling this queue in each process (capped at 1 on PGlite, which has one connection). */
  teamSize?: number;
  /** Jobs fetched per poll; each is still handled and recorded on its own. */
  batch?: number;
}

export interface Schedule {
  name: string;
  /** Five-field cron, evaluated in UTC. */
  cron: string;
  /** How the admin page says it, e.g. "every night at 02:00 UTC". */
  description: string;
  data?: object;
}

/**
 * Fails work left running by a dead instance (see lib/instance.ts) and returns
 * how many rows it failed. Run at start and every 30 s on every instance.
 */
export type InterruptSweeper = (db: Db, kind: DatabaseKind) => Promise<number>;

interface Registry {
  sweepers: Map<string, InterruptSweeper>;
  handlers: Map<string, { fn: JobHandler; opts: HandlerOptions }>;
  queues: Map<string, QueueOptions>;
  schedules: Map<string, Schedule>;
}

const g = globalThis as typeof globalThis & { __attestJobRegistry?: Registry };
const registry: Registry = (g.__attestJobRegistry ??= { sweepers: new Map(), handlers: new Map(), queues: new Map(), schedules: new Map() });

const NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new Error(`job name ${JSON.stringify(name)} must be dotted lower-case words`);
}

/** Declares a queue and its policy without handling it here (a job enqueued by one area, handled by another). */
export function defineQueue(name: string, opts: QueueOptions): void {
  checkName(name);
  registry.queues.set(name, { ...registry.queues.get(name), ...opts });
}

/** Registers the handler of a job name; the last registration wins (module reloads in dev). */
export function registerHandler<T>(name: string, fn: JobHandler<T>, opts: HandlerOptions = {}): void {
  checkName(name);
  registry.handlers.set(name, { fn: fn as JobHandler, opts });
  const { policy, retryLimit, expireInSeconds } = opts;
  defineQueue(name, Object.fromEntries(Object.entries({ policy, retryLimit, expireInSeconds }).filter(([, v]) => v !== undefined)));
}

/** Registers a cron schedule that enqueues the named job (cluster-wide once per tick: pg-boss elects one instance). */
export function registerSchedule(schedule: Schedule): void {
  checkName(schedule.name);
  registry.schedules.set(schedule.name, schedule);
  if (!registry.queues.has(schedule.name)) defineQueue(schedule.name, {});
}

/** Registers the sweep of one kind of interrupted work (imports: lib/ingest/jobs.ts). */
export function registerSweeper(what: string, fn: InterruptSweeper): void {
  registry.sweepers.set(what, fn);
}

export function registeredSweepers() {
  return registry.sweepers;
}
export function registeredHandlers() {
  return registry.handlers;
}
export function definedQueues() {
  return registry.queues;
}
export function registeredSchedules(): Schedule[] {
  return [...registry.schedules.values()];
}

/** Tests: drop a handler registered for one test. */
export function unregisterHandler(name: string): void {
  registry.handlers.delete(name);
}
