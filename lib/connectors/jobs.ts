import { registerHandler, registerSchedule, registerSweeper } from "@/lib/jobs/registry";
import { currentEngine, enqueueJob } from "@/lib/jobs";
import { refreshIdentityLinks } from "./linking";
import { executeRun, failInterruptedRuns } from "./run";
import { queueDueRuns } from "./scheduler";

/** One connector run ({ runId }): collect, convert, import. The run row records the outcome; the job never retries (the next slot does). */
export const CONNECTOR_RUN = "connectors.run";
/** Every minute: queue the runs whose schedule slot came. */
export const CONNECTOR_TICK = "connectors.tick";
/** Recompute identity links (after a run, an admin's override, and hourly). */
export const IDENTITY_LINK = "identity.link";

registerHandler<{ runId?: string }>(
  CONNECTOR_RUN,
  async (data, { db }) => {
    if (typeof data?.runId !== "string") return;
    const run = await executeRun(db, data.runId);
    // The hourly schedule links in a process without the engine (a CLI, a test's own engine).
    if (run.status === "succeeded" && currentEngine()) await enqueueJob(IDENTITY_LINK, {}, { singletonKey: IDENTITY_LINK });
  },
  { retryLimit: 0, expireInSeconds: 2 * 60 * 60 },
);

registerHandler(
  CONNECTOR_TICK,
  async (_data, { db }) => {
    for (const runId of await queueDueRuns(db)) if (currentEngine()) await enqueueJob(CONNECTOR_RUN, { runId }, { singletonKey: runId });
  },
  { policy: "stately", retryLimit: 0, expireInSeconds: 5 * 60 },
);
registerSchedule({ name: CONNECTOR_TICK, cron: "* * * * *", description: "every minute: starts the connectors whose schedule is due" });

registerHandler(
  IDENTITY_LINK,
  async (_data, { db }) => {
    await refreshIdentityLinks(db);
  },
  { policy: "stately", retryLimit: 2, expireInSeconds: 30 * 60 },
);
registerSchedule({ name: IDENTITY_LINK, cron: "17 * * * *", description: "every hour at :17, so accounts pushed by SCIM or imports are linked too" });

registerSweeper("connector runs", (db, kind) => failInterruptedRuns(db, kind));
