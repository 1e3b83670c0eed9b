import { currentEngine, enqueueJob } from "@/lib/jobs";
import { registerHandler, registerSchedule } from "@/lib/jobs/registry";
import { runTriggers } from "./run";

/** Turns the events recorded since each rule's watermark into micro-certifications (lib/campaigns/triggers/run.ts). */
export const CAMPAIGN_TRIGGERS = "campaigns.triggers";

// Idempotent (a firing is claimed once per rule and event), so a redelivery or an overlapping schedule opens nothing twice.
// Stately: at most one queued and one running; the SSF receiver's enqueue and the schedule coalesce.
registerHandler(
  CAMPAIGN_TRIGGERS,
  async (_data, { db }) => {
    await runTriggers(db);
  },
  { policy: "stately", retryLimit: 2, expireInSeconds: 15 * 60 },
);
registerSchedule({
  name: CAMPAIGN_TRIGGERS,
  cron: "* * * * *",
  description: "every minute, and after each Shared Signals event: findings and events since the last run fire the trigger rules",
});

/** Asks for a run now (after an accepted SET); a no-op where no engine runs (tests call runTriggers). */
export async function enqueueTriggerRun(): Promise<void> {
  if (currentEngine()) await enqueueJob(CAMPAIGN_TRIGGERS, {}, { singletonKey: CAMPAIGN_TRIGGERS });
}
