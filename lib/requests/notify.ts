import { and, asc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accessRequests, appUserRoles, appUsers } from "@/db/schema";
import { publicBaseUrl, smtpConfig } from "@/lib/notifications/config";
import { sendEmail, type SendResult } from "@/lib/notifications/transports";
import { minutesInWords } from "./model";
import { approverActive } from "./queries";
import { requestViews, type AccessRequestView } from "./views";

/** Requests announced per run; the next run (a minute later) takes the rest. */
export const NOTIFY_BATCH = 200;
/** Requests listed in one e-mail; the inbox shows them all. */
const LIST_LIMIT = 20;

export interface NotifyResult {
  /** Requests marked notified in this run. */
  requests: string[];
  /** One line per recipient: sent, skipped (why) or failed (why). */
  recipients: { userId: string; email: string; requests: number; status: "sent" | "skipped" | "failed"; reason: string | null }[];
}

export interface NotifyOptions {
  now?: Date;
  env?: NodeJS.ProcessEnv;
  batch?: number;
}

const looksLikeAddress = (s: string) => /^[^\s@<>]+@[^\s@<>]+$/.test(s.trim());
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function line(r: AccessRequestView): string {
  const acting = r.actingFor ? ` (acting for ${r.actingFor.name})` : "";
  const server = r.tool.server ? ` on ${r.tool.server.name}` : "";
  return `${r.subject.name}${acting} asks to call ${r.tool.name}${server}${r.tool.risk ? ` [${r.tool.risk} risk]` : ""}: ${r.why}`;
}

export function accessRequestEmail(name: string, list: AccessRequestView[], link: string, now: Date): { subject: string; text: string; html: string } {
  const shown = list.slice(0, LIST_LIMIT);
  const more = list.length - shown.length;
  const first = list[0]!;
  const subject =
    list.length === 1 ? `Access request: ${first.subject.name} asks to call ${first.tool.name}` : `${list.length} access requests wait for your decision`;
  const expires = (r: AccessRequestView) => {
    const mins = Math.max(1, Math.round((Date.parse(r.requestExpiresAt) - now.getTime()) / 60_000));
    return `expires in ${minutesInWords(mins)}`;
  };
  const text = [
    `Hello ${name},`,
    "",
    list.length === 1 ? "An agent or person asks for your approval to use a tool:" : "Agents or people ask for your approval to use tools:",
    "",
    ...shown.map((r) => `- ${line(r)} (${expires(r)})`),
    ...(more ? [`… and ${more} more.`] : []),
    "",
    `Approve for a limited time or deny in your inbox: ${link}`,
    "",
    "— Attest",
  ].join("\n");
  const html = [
    `<p>Hello ${esc(name)},</p>`,
    `<p>${list.length === 1 ? "An agent or person asks for your approval to use a tool:" : "Agents or people ask for your approval to use tools:"}</p>`,
    `<ul>${shown.map((r) => `<li>${esc(line(r))} (${esc(expires(r))})</li>`).join("")}</ul>`,
    more ? `<p>… and ${more} more.</p>` : "",
    `<p><a href="${esc(link)}">Approve for a limited time or deny in your inbox</a></p>`,
    "<p>— Attest</p>",
  ].join("\n");
  return { subject, text, html };
}

/**
 * Tells approvers of new access requests (job `requests.notify`, every minute; never in the decision point's request
 * path): the pending, unexpired requests nobody was told of yet are claimed (`notified_at` set, rows another run
 * holds skipped), then each recipient gets one e-mail listing theirs — the named approver, or every active admin for
 * a request that names none. The in-app notice is the inbox itself, which lists them above the campaign items.
 *
 * Once: a claimed request is never announced again. Claiming comes before sending, so an instance that dies in
 * between loses that e-mail (at most once); the request still waits in the inbox and expires on its own.
 * Without e-mail configured (ATTEST_SMTP_URL) requests are still claimed and reported as skipped, so turning e-mail
 * on later does not send a backlog of stale requests.
 */
export async function notifyNewAccessRequests(db: Db, opts: NotifyOptions = {}): Promise<NotifyResult> {
  const now = opts.now ?? new Date();
  const env = opts.env ?? process.env;
  const claimed = await db.transaction(async (tx) => {
    const due = await tx
      .select({ id: accessRequests.id })
      .from(accessRequests)
      .where(and(eq(accessRequests.status, "pending"), isNull(accessRequests.notifiedAt), gt(accessRequests.requestExpiresAt, now)))
      .orderBy(asc(accessRequests.createdAt), asc(accessRequests.id))
      .limit(opts.batch ?? NOTIFY_BATCH)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(accessRequests)
      .set({ notifiedAt: now })
      .where(
        and(
          inArray(
            accessRequests.id,
            due.map((d) => d.id),
          ),
          isNull(accessRequests.notifiedAt),
        ),
      )
      .returning();
  });
  if (claimed.length === 0) return { requests: [], recipients: [] };

  const views = new Map((await requestViews(db, claimed)).map((v) => [v.id, v]));
  const named = [...new Set(claimed.map((r) => r.approverId).filter((x): x is string => !!x))];
  const people = named.length
    ? await db
        .select({ id: appUsers.id, name: appUsers.name, email: appUsers.email, status: appUsers.status })
        .from(appUsers)
        .where(inArray(appUsers.id, named))
    : [];
  // A named approver who can no longer decide (disabled, no reviewing role) hands the request to the admins (lib/requests/queries.ts).
  const able = new Set<string>();
  for (const id of named) if (await approverActive(db, id)) able.add(id);
  const toAdmins = (r: (typeof claimed)[number]) => r.approverId === null || !able.has(r.approverId);
  const admins = claimed.some(toAdmins)
    ? await db
        .selectDistinct({ id: appUsers.id, name: appUsers.name, email: appUsers.email, status: appUsers.status })
        .from(appUsers)
        .innerJoin(appUserRoles, eq(appUserRoles.userId, appUsers.id))
        .where(and(eq(appUserRoles.role, "admin"), eq(appUsers.status, "active")))
        .orderBy(asc(appUsers.email))
    : [];
  const byUser = new Map<string, { user: (typeof people)[number]; list: AccessRequestView[] }>();
  const add = (user: (typeof people)[number], v: AccessRequestView) => {
    const e = byUser.get(user.id) ?? { user, list: [] };
    e.list.push(v);
    byUser.set(user.id, e);
  };
  const personById = new Map(people.map((p) => [p.id, p]));
  for (const r of claimed) {
    const v = views.get(r.id)!;
    const p = r.approverId ? personById.get(r.approverId) : undefined;
    if (p && !toAdmins(r)) add(p, v);
    else for (const a of admins) add(a, v);
  }

  const smtp = smtpConfig(env);
  const link = `${publicBaseUrl(env)}/campaigns/inbox`;
  const recipients: NotifyResult["recipients"] = [];
  for (const { user, list } of byUser.values()) {
    const base = { userId: user.id, email: user.email, requests: list.length };
    let skip: string | null = null;
    if (user.status !== "active") skip = "the recipient's account is disabled";
    else if (!looksLikeAddress(user.email)) skip = "the recipient has no e-mail address";
    else if (!smtp.config) skip = `e-mail is not configured (${smtp.problem})`;
    if (skip || !smtp.config) {
      recipients.push({ ...base, status: "skipped", reason: skip });
      continue;
    }
    const sent: SendResult = await sendEmail(smtp.config, { to: user.email.trim(), ...accessRequestEmail(user.name, list, link, now) });
    recipients.push({ ...base, status: sent.ok ? "sent" : "failed", reason: sent.ok ? null : sent.reason });
    if (!sent.ok) console.warn(`[requests] access request e-mail to user ${user.id} failed: ${sent.reason}`);
  }
  return { requests: claimed.map((r) => r.id).sort(), recipients };
}

/** For tests and the admin's view: requests still waiting to be announced. */
export async function unnotifiedCount(db: Db): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(accessRequests)
    .where(and(eq(accessRequests.status, "pending"), isNull(accessRequests.notifiedAt)));
  return Number(r?.n ?? 0);
}
