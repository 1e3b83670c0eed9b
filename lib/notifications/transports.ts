import nodemailer from "nodemailer";
import { createOutboundFetch, OutboundError, type OutboundPolicy } from "@/lib/net/outbound";
import type { SmtpConfig } from "./config";

/**
 * The two ways a message leaves: SMTP (nodemailer) and an HTTPS POST to a chat
 * webhook through the app's outbound client (allow-list, no private addresses
 * unless opened, no redirects, bounded time). Each answers a SendResult that
 * says whether trying again may help; reasons name a class or a status code,
 * never a URL, an address's password or the remote's text.
 */
export type SendResult = { ok: true; messageId?: string } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };

const NETWORK_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

export async function sendEmail(config: SmtpConfig, mail: { to: string; subject: string; text: string; html: string }): Promise<SendResult> {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTls,
    auth: config.auth ?? undefined,
    tls: { rejectUnauthorized: config.rejectUnauthorized },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  try {
    const info = await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    if (info.rejected?.length) return { ok: false, retry: false, reason: "the SMTP server refused the recipient" };
    return { ok: true, messageId: info.messageId };
  } catch (e) {
    const err = e as { code?: string; responseCode?: number };
    if (typeof err.responseCode === "number") {
      // 4xx is a temporary refusal (try later), 5xx a permanent one.
      const temporary = err.responseCode >= 400 && err.responseCode < 500;
      return { ok: false, retry: temporary, reason: `the SMTP server answered ${err.responseCode}` };
    }
    if (err.code === "EAUTH") return { ok: false, retry: false, reason: "the SMTP server refused the login (ATTEST_SMTP_USER / ATTEST_SMTP_PASSWORD)" };
    if (err.code === "ETLS") return { ok: false, retry: false, reason: "the TLS handshake with the SMTP server failed" };
    if (err.code && NETWORK_CODES.has(err.code)) return { ok: false, retry: true, reason: `could not reach the SMTP server (${err.code})` };
    return { ok: false, retry: true, reason: `sending failed (${err.code ?? "unknown error"})` };
  } finally {
    transport.close();
  }
}

/** Retry-After as seconds or an HTTP date, in ms from now (null when absent or unreadable). */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d{1,7}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** Failures of the outbound client that trying again will not fix (a setting must change first). */
const PERMANENT = new Set(["not_allowed", "blocked_address", "redirect", "tls", "too_large"]);

export async function postWebhook(url: string, body: unknown, policy: OutboundPolicy): Promise<SendResult> {
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    return { ok: false, retry: false, reason: "the webhook address is not a URL" };
  }
  // The admin named this host by adding the channel: it is allowed for this request; private ranges stay as configured.
  const fetch = createOutboundFetch({ policy: { allowHosts: [...policy.allowHosts, host], allowPrivateRanges: policy.allowPrivateRanges }, timeoutMs: 20_000 });
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch (e) {
    if (e instanceof OutboundError) return { ok: false, retry: !PERMANENT.has(e.failure), reason: `${e.failure}: ${e.message.replace(/^[a-z_]+: /, "")}` };
    return { ok: false, retry: true, reason: "the request failed" };
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return { ok: true };
  if (res.status === 429)
    return { ok: false, retry: true, reason: "HTTP 429 (rate limited)", retryAfterMs: retryAfterMs(res.headers.get("retry-after")) ?? undefined };
  if (res.status >= 500)
    return { ok: false, retry: true, reason: `HTTP ${res.status}`, retryAfterMs: retryAfterMs(res.headers.get("retry-after")) ?? undefined };
  return { ok: false, retry: false, reason: `HTTP ${res.status}` };
}
