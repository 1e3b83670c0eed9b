import { onCampaignLaunched } from "@/lib/campaigns/launch-campaign";
import { currentEngine, enqueueJob } from "@/lib/jobs";
import { registerHandler, registerSchedule } from "@/lib/jobs/registry";
import { attemptDelivery } from "./deliver";
import { recordDigests } from "./digest";
import { dispatchNotifications, stalePendingDeliveries } from "./dispatch";

/**
 * Notifications as jobs: after a launch, `notifications.digest` records one
 * digest per reviewer and dispatches it; every minute `notifications.dispatch`
 * picks up messages recorded elsewhere (reminders, overdue notices,
 * escalations: lib/campaigns/reminders.ts) and restarts deliveries whose job
 * was lost; each delivery is one `notifications.deliver` job that re-enqueues
 * itself after a retryable failure (lib/notifications/deliver.ts).
 */
export const NOTIFY_DIGEST = "notifications.digest";
export const NOTIFY_DISPATCH = "notifications.dispatch";
export const NOTIFY_DELIVER = "notifications.deliver";

/** Enqueues one job per pending delivery (no-op where no engine runs: tests call attemptDelivery). */
export async function enqueueDeliveries(ids: string[], startAfter?: Date): Promise<void> {
  if (!currentEngine()) return;
  for (const id of ids) await enqueueJob(NOTIFY_DELIVER, { deliveryId: id }, { singletonKey: id, ...(startAfter ? { startAfter } : {}) });
}

// The launch itself only enqueues: the digest is written and sent by its own job.
onCampaignLaunched("notifications.digest", async (_db, campaignId) => {
  if (currentEngine()) await enqueueJob(NOTIFY_DIGEST, { campaignId }, { singletonKey: campaignId });
});

registerHandler<{ campaignId?: string }>(
  NOTIFY_DIGEST,
  async (data, { db }) => {
    if (typeof data?.campaignId !== "string") return;
    const ids = await recordDigests(db, data.campaignId);
    if (ids.length) await enqueueDeliveries(await dispatchNotifications(db, { notificationIds: ids }));
  },
  { retryLimit: 3, expireInSeconds: 10 * 60 },
);

registerHandler(
  NOTIFY_DISPATCH,
  async (_data, { db }) => {
    await enqueueDeliveries(await dispatchNotifications(db));
    await enqueueDeliveries(await stalePendingDeliveries(db));
  },
  { policy: "stately", retryLimit: 0, expireInSeconds: 5 * 60 },
);
registerSchedule({ name: NOTIFY_DISPATCH, cron: "* * * * *", description: "every minute: sends recorded reminders, overdue notices and escalations" });

registerHandler<{ deliveryId?: string }>(
  NOTIFY_DELIVER,
  async (data, { db }) => {
    if (typeof data?.deliveryId !== "string") return;
    const r = await attemptDelivery(db, data.deliveryId);
    if (r?.status === "pending" && r.retryInMs !== undefined) {
      // The next attempt is a new job after the delay (a Retry-After is honoured); this one has finished.
      if (currentEngine()) await enqueueJob(NOTIFY_DELIVER, { deliveryId: data.deliveryId }, { startAfter: new Date(Date.now() + r.retryInMs) });
    }
  },
  { retryLimit: 2, expireInSeconds: 5 * 60, teamSize: 2 },
);
