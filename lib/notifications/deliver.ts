import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { notificationChannels, notificationDeliveries } from "@/db/schema";
import { loadOutboundPolicy } from "@/lib/admin/outbound-settings";
import { open } from "@/lib/connectors/secret-box";
import type { OutboundPolicy } from "@/lib/net/outbound";
import { smtpConfig } from "./config";
import { emailOf, loadMessageContext, slackPayloadOf, teamsPayloadOf, type MessageContext } from "./messages";
import { postWebhook, sendEmail, type SendResult } from "./transports";

/** Attempts per delivery, the first included. */
export const MAX_ATTEMPTS = 5;
/** Backoff after the n-th failed attempt: 30 s, 2 min, 8 min, then 10 min; a Retry-After is honoured up to the cap. */
export const MAX_RETRY_DELAY_MS = 10 * 60_000;
export function backoffMs(attempt: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, 30_000 * 4 ** Math.max(0, attempt - 1));
}

export interface AttemptOutcome {
  status: "sent" | "failed" | "skipped" | "pending";
  attempts: number;
  /** When pending after a failed attempt: wait this long before the next one. */
  retryInMs?: number;
  reason?: string | null;
}

export interface AttemptOptions {
  now?: Date;
  env?: NodeJS.ProcessEnv;
  /** Tests pass the policy; by default the admin's outbound settings. */
  policy?: OutboundPolicy;
}

export async function chatPayload(kind: "slack" | "teams", m: MessageContext): Promise<unknown> {
  return kind === "teams" ? teamsPayloadOf(m) : slackPayloadOf(m);
}

/** The webhook URL of a channel, opened from its sealed form (never logged, never stored elsewhere). */
export function channelUrl(sealed: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const v = open(sealed as Parameters<typeof open>[0], env) as { url?: unknown };
  if (typeof v?.url !== "string") throw new Error("sealed channel URL has no url");
  return v.url;
}

/**
 * One attempt of one delivery (the job `notifications.deliver`): sends it and
 * records the outcome. Success → sent (with the SMTP Message-ID). A failure
 * that may pass (5xx, 429, connection errors, SMTP 4xx) stays pending with the
 * reason and the delay before the next attempt, until MAX_ATTEMPTS; any other
 * (4xx, a refused host) → failed at once. A delivery that is no longer pending
 * is left alone (the job may run twice).
 */
export async function attemptDelivery(db: Db, deliveryId: string, opts: AttemptOptions = {}): Promise<AttemptOutcome | null> {
  const env = opts.env ?? process.env;
  const [d] = await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, deliveryId));
  if (!d) return null;
  if (d.status !== "pending") return { status: d.status, attempts: d.attempts, reason: d.reason };
  const record = async (set: Partial<typeof notificationDeliveries.$inferInsert>): Promise<void> => {
    await db
      .update(notificationDeliveries)
      .set({ ...set, updatedAt: opts.now ?? new Date() })
      .where(eq(notificationDeliveries.id, deliveryId));
  };
  const m = await loadMessageContext(db, d.notificationId, env);
  if (!m) {
    await record({ status: "skipped", reason: "the message no longer exists" });
    return { status: "skipped", attempts: d.attempts, reason: "the message no longer exists" };
  }
  let result: SendResult;
  if (d.channel === "email") {
    const smtp = smtpConfig(env);
    if (!smtp.config) {
      const reason = `e-mail is not configured (${smtp.problem})`;
      await record({ status: "skipped", reason });
      return { status: "skipped", attempts: d.attempts, reason };
    }
    result = await sendEmail(smtp.config, { to: d.address, ...emailOf(m) });
  } else {
    const [ch] = d.channelId ? await db.select().from(notificationChannels).where(eq(notificationChannels.id, d.channelId)) : [];
    if (!ch || !ch.enabled) {
      const reason = ch ? "the channel was disabled" : "the channel was removed";
      await record({ status: "skipped", reason });
      return { status: "skipped", attempts: d.attempts, reason };
    }
    let url: string;
    try {
      url = channelUrl(ch.url, env);
    } catch {
      const reason = "the channel's webhook address cannot be opened with this server's ATTEST_SECRET_KEY";
      await record({ status: "failed", reason, attempts: d.attempts + 1 });
      return { status: "failed", attempts: d.attempts + 1, reason };
    }
    result = await postWebhook(url, await chatPayload(ch.kind, m), opts.policy ?? (await loadOutboundPolicy(db)));
  }
  const attempts = d.attempts + 1;
  const now = opts.now ?? new Date();
  if (result.ok) {
    await record({ status: "sent", attempts, reason: null, sentAt: now, messageId: result.messageId ?? null });
    return { status: "sent", attempts, reason: null };
  }
  if (result.retry && attempts < MAX_ATTEMPTS) {
    const retryInMs = Math.min(MAX_RETRY_DELAY_MS, result.retryAfterMs ?? backoffMs(attempts));
    const reason = `attempt ${attempts} of ${MAX_ATTEMPTS} failed: ${result.reason}; trying again`;
    await record({ attempts, reason });
    return { status: "pending", attempts, retryInMs, reason };
  }
  const reason = result.retry ? `gave up after ${attempts} attempts: ${result.reason}` : result.reason;
  await record({ status: "failed", attempts, reason });
  return { status: "failed", attempts, reason };
}
