import { registerHandler, registerSchedule } from "@/lib/jobs/registry";
import { runTemplateTick } from "./template-instances";

/** Every minute: creates and launches the instances of recurring campaign templates whose slot has come. */
export const CAMPAIGN_TEMPLATES_TICK = "campaigns.templates-tick";

// Slots are claimed by compare-and-set, so a tick delivered twice (or on two instances) makes each instance once.
registerHandler(
  CAMPAIGN_TEMPLATES_TICK,
  async (_data, { db }) => {
    await runTemplateTick(db);
  },
  { policy: "stately", retryLimit: 0, expireInSeconds: 5 * 60 },
);
registerSchedule({
  name: CAMPAIGN_TEMPLATES_TICK,
  cron: "* * * * *",
  description: "every minute: creates the instances of recurring campaign templates whose slot has come",
});
