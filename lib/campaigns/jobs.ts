import { systemActor } from "@/lib/authz/actor";
import { registerHandler, registerSchedule } from "@/lib/jobs/registry";
import { runReminders } from "./reminders";

/** The campaign reminder run (the same as POST /api/v1/campaigns/reminders/run). */
export const CAMPAIGN_REMINDERS = "campaigns.reminders";

// runReminders is idempotent (one reminder per crossed threshold, one escalation per late reviewer), so hourly is safe.
registerHandler(
  CAMPAIGN_REMINDERS,
  async (_data, { db }) => {
    await runReminders(db, systemActor("scheduler"));
  },
  { policy: "stately", retryLimit: 2, expireInSeconds: 10 * 60 },
);
registerSchedule({ name: CAMPAIGN_REMINDERS, cron: "5 * * * *", description: "every hour at five past (UTC)" });
