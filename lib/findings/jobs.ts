import { systemActor } from "@/lib/authz/actor";
import { registerHandler, registerSchedule } from "@/lib/jobs/registry";
import { evaluateFindings } from "./evaluate";

/** The nightly full evaluation: catches up whatever incremental evaluation cannot (global rankings, missed changes). */
export const FULL_EVALUATION = "findings.full-evaluation";

// Idempotent by design: evaluating an unchanged graph writes no finding, so a redelivery changes nothing.
// Stately: a slow night's run never stacks up behind itself.
registerHandler(FULL_EVALUATION, async (_data, { db }) => {
  await evaluateFindings(db, systemActor("scheduler"), { trigger: "schedule" });
}, { policy: "stately", retryLimit: 2, expireInSeconds: 30 * 60 });
registerSchedule({ name: FULL_EVALUATION, cron: "0 2 * * *", description: "every night at 02:00 UTC" });
