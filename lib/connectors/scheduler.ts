import { and, eq, inArray, isNotNull, or, isNull, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { connectorRuns, connectors } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { isAppError } from "@/lib/errors";
import { requestRun } from "./manage";
import { previousSlot } from "./schedule";

/**
 * One tick of the per-connector schedules (every minute, on one instance of
 * the cluster): each enabled connector whose latest slot is after the last one
 * enqueued gets a run. The slot is claimed by a conditional update, so two
 * ticks never enqueue the same slot; a slot missed while the cluster was down
 * is run once, not once per missed slot. Returns the runs queued.
 */
export async function queueDueRuns(db: Db, now = new Date()): Promise<string[]> {
  const due = await db
    .select({ id: connectors.id, schedule: connectors.schedule, lastScheduledAt: connectors.lastScheduledAt, mode: connectors.scheduleMode })
    .from(connectors)
    .where(and(eq(connectors.enabled, true), isNotNull(connectors.schedule), isNotNull(connectors.credential)));
  const queued: string[] = [];
  for (const c of due) {
    let slot: Date;
    try {
      slot = previousSlot(c.schedule!, now);
    } catch {
      continue; // checked when saved; a row edited by hand is skipped, not fatal to the others
    }
    if (c.lastScheduledAt && c.lastScheduledAt >= slot) continue;
    const claimed = await db
      .update(connectors)
      .set({ lastScheduledAt: slot })
      .where(and(eq(connectors.id, c.id), or(isNull(connectors.lastScheduledAt), lt(connectors.lastScheduledAt, slot))))
      .returning({ id: connectors.id });
    if (!claimed.length) continue;
    const [open] = await db
      .select({ id: connectorRuns.id })
      .from(connectorRuns)
      .where(and(eq(connectorRuns.connectorId, c.id), inArray(connectorRuns.status, ["queued", "running"])));
    if (open) continue; // the slot is taken by the run still going; the next slot runs as usual
    try {
      const run = await requestRun(db, systemActor("scheduler"), c.id, { mode: c.mode }, { trigger: "schedule" });
      queued.push(run.id);
    } catch (e) {
      if (!isAppError(e)) throw e; // a run requested by hand meanwhile: the conflict is the answer
    }
  }
  return queued;
}
