import { and, eq, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaigns } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { currentEngine, enqueueJob } from "@/lib/jobs";
import { registerHandler, registerSchedule } from "@/lib/jobs/registry";
import { runLaunch } from "./launch-campaign";
import { runReminders } from "./reminders";

/** The campaign reminder run (the same as POST /api/v1/campaigns/reminders/run). */
export const CAMPAIGN_REMINDERS = "campaigns.reminders";
/** One launch ({ campaignId }): snapshot the items of a launching campaign. */
export const CAMPAIGN_LAUNCH = "campaigns.launch";
/** Every minute: starts again the launches whose job was lost (a launch shows progress at least this often). */
export const CAMPAIGN_LAUNCH_SWEEP = "campaigns.launch-sweep";
/** A launch that has shown no progress for this long is started again. */
export const STALE_LAUNCH_MS = 10 * 60_000;

// runReminders is idempotent (one reminder per crossed threshold, one escalation per late reviewer), so hourly is safe.
registerHandler(
  CAMPAIGN_REMINDERS,
  async (_data, { db }) => {
    await runReminders(db, systemActor("scheduler"));
  },
  { policy: "stately", retryLimit: 2, expireInSeconds: 10 * 60 },
);
registerSchedule({ name: CAMPAIGN_REMINDERS, cron: "5 * * * *", description: "every hour at five past (UTC)" });

/** Enqueues the launch job of a campaign that was just set launching (a no-op where no engine runs: tests call runLaunch). */
export async function enqueueLaunch(campaignId: string): Promise<void> {
  if (currentEngine()) await enqueueJob(CAMPAIGN_LAUNCH, { campaignId }, { singletonKey: campaignId });
}

registerHandler<{ campaignId?: string }>(
  CAMPAIGN_LAUNCH,
  async (data, { db }) => {
    if (typeof data?.campaignId !== "string") return;
    await runLaunch(db, data.campaignId);
  },
  { retryLimit: 2, expireInSeconds: 60 * 60 },
);

/** Launching campaigns that have shown no progress for STALE_LAUNCH_MS. */
export async function staleLaunches(db: Db, now = new Date()): Promise<string[]> {
  const rows = await db
    .select({ id: campaigns.id })
    .from(campaigns)
    .where(and(eq(campaigns.status, "launching"), lt(campaigns.updatedAt, new Date(now.getTime() - STALE_LAUNCH_MS))));
  return rows.map((r) => r.id);
}

registerHandler(
  CAMPAIGN_LAUNCH_SWEEP,
  async (_data, { db }) => {
    for (const id of await staleLaunches(db)) await enqueueLaunch(id);
  },
  { policy: "stately", retryLimit: 0, expireInSeconds: 5 * 60 },
);
registerSchedule({ name: CAMPAIGN_LAUNCH_SWEEP, cron: "* * * * *", description: "every minute: starts again a campaign launch whose job was lost" });
