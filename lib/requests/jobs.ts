import { registerHandler, registerSchedule } from "@/lib/jobs/registry";
import { expireAccessRequests } from "./expire";
import { notifyNewAccessRequests } from "./notify";

/** Every minute: pending requests and just-in-time grants past their time become expired (lib/requests/expire.ts). */
export const REQUESTS_EXPIRE = "requests.expire";
/** Every minute: approvers are told of new pending requests (lib/requests/notify.ts). */
export const REQUESTS_NOTIFY = "requests.notify";

registerHandler(
  REQUESTS_EXPIRE,
  async (_data, { db }) => {
    // A full batch leaves the rest to the next runs (one a minute); each run is one transaction and one pdp_state bump.
    await expireAccessRequests(db);
  },
  { policy: "stately", retryLimit: 1, expireInSeconds: 5 * 60 },
);
registerSchedule({ name: REQUESTS_EXPIRE, cron: "* * * * *", description: "every minute: expires undecided access requests and ended just-in-time grants" });

registerHandler(
  REQUESTS_NOTIFY,
  async (_data, { db }) => {
    await notifyNewAccessRequests(db);
  },
  { policy: "stately", retryLimit: 0, expireInSeconds: 5 * 60 },
);
registerSchedule({ name: REQUESTS_NOTIFY, cron: "* * * * *", description: "every minute: tells approvers of new access requests" });
