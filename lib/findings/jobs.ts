import { systemActor } from "@/lib/authz/actor";
import { registerHandler, registerSchedule } from "@/lib/jobs/registry";
import { evaluateFindings } from "./evaluate";
import { APPLY_SUPPRESSION } from "./manage-suppressions";
import { settlePendingSuppressions, settleSuppression } from "./suppressions";

/** The nightly full evaluation: catches up whatever incremental evaluation cannot (global rankings, missed changes). */
export const FULL_EVALUATION = "findings.full-evaluation";

// Idempotent by design: evaluating an unchanged graph writes no finding, so a redelivery changes nothing.
// Stately: a slow night's run never stacks up behind itself.
// A full evaluation that a newer graph overtook while it read writes nothing (superseded): under steady change it tries
// again at once, and after three overtakes fails, so the run is retried later and shows as failed, not as done.
registerHandler(
  FULL_EVALUATION,
  async (_data, { db }) => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const r = await evaluateFindings(db, systemActor("scheduler"), { trigger: "schedule" });
      if (!r.superseded) return;
    }
    throw new Error("the full evaluation was overtaken by newer graph changes three times in a row");
  },
  { policy: "stately", retryLimit: 2, expireInSeconds: 30 * 60 },
);
registerSchedule({ name: FULL_EVALUATION, cron: "0 2 * * *", description: "every night at 02:00 UTC" });

// Suppressions (suppressions.ts): a created one is applied to the open findings it matches, a revoked one's findings
// reopen. Enqueued after each create or revoke commits ({ id }); every minute (no id) it settles whatever is still
// pending, so an enqueue lost between commit and send costs at most a minute. Idempotent: a settled suppression is
// skipped, and every run takes the evaluations' lock.
registerHandler<{ id?: string }>(
  APPLY_SUPPRESSION,
  async (data, { db }) => {
    if (typeof data?.id === "string") await settleSuppression(db, data.id);
    else await settlePendingSuppressions(db);
  },
  { retryLimit: 3, expireInSeconds: 15 * 60 },
);
registerSchedule({
  name: APPLY_SUPPRESSION,
  cron: "* * * * *",
  description: "on every suppression created or revoked, and every minute for any still pending",
});
