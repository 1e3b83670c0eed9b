import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { appUsers, notificationChannels } from "@/db/schema";
import { loadOutboundPolicy } from "@/lib/admin/outbound-settings";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { seal } from "@/lib/connectors/secret-box";
import { AppError, parseInput } from "@/lib/errors";
import { newId } from "@/lib/ids";
import type { OutboundPolicy } from "@/lib/net/outbound";
import { smtpConfig, publicBaseUrl } from "./config";
import { channelUrl, chatPayload } from "./deliver";
import { emailOf, type MessageContext } from "./messages";
import { postWebhook, sendEmail } from "./transports";

export const NOTIFICATION_EVENTS = ["digest", "reminder", "escalation", "overdue"] as const;

/** A chat channel as shown: its webhook URL never leaves the server, only its host. */
export interface ChannelView {
  id: string;
  kind: "slack" | "teams";
  name: string;
  host: string;
  events: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

const webhookUrl = z
  .string()
  .max(2000, "at most 2000 characters")
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === "https:" || u.protocol === "http:";
    } catch {
      return false;
    }
  }, "must be an http(s) URL");
const events = z.array(z.enum(NOTIFICATION_EVENTS)).min(1, "at least one event").max(4);
const name = z.string().trim().min(1, "required").max(100, "at most 100 characters");

export const createChannelSchema = z.object({ kind: z.enum(["slack", "teams"]), name, url: webhookUrl, events, enabled: z.boolean().optional() }).strict();
export const updateChannelSchema = z
  .object({ name: name.optional(), url: webhookUrl.optional(), events: events.optional(), enabled: z.boolean().optional() })
  .strict();

type ChannelRow = typeof notificationChannels.$inferSelect;

function view(r: ChannelRow): ChannelView {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    host: r.urlHost,
    events: r.events,
    enabled: r.enabled,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** What the audit trail keeps of a channel: never the URL, only its host. */
const audited = (r: ChannelRow) => ({ kind: r.kind, name: r.name, host: r.urlHost, events: r.events, enabled: r.enabled });

async function load(db: Db, id: string): Promise<ChannelRow> {
  const [row] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, id));
  if (!row) throw new AppError("not_found", "notification channel not found");
  return row;
}

async function refuseDuplicateName(db: Db, nameValue: string, except?: string): Promise<void> {
  const same = await db.select({ id: notificationChannels.id }).from(notificationChannels).where(eq(notificationChannels.name, nameValue));
  if (same.some((s) => s.id !== except))
    throw new AppError("conflict", "a channel with this name exists; choose another name", [{ path: "name", message: "taken" }]);
}

export async function listChannels(db: Db, actor: Actor): Promise<ChannelView[]> {
  requirePermission(actor, "admin.settings");
  return (await db.select().from(notificationChannels).orderBy(asc(notificationChannels.name))).map(view);
}

export async function getChannel(db: Db, actor: Actor, id: string): Promise<ChannelView> {
  requirePermission(actor, "admin.settings");
  return view(await load(db, id));
}

/** POST /api/v1/notifications/channels (admin): the URL is sealed at once (ATTEST_SECRET_KEY); audited without it. */
export async function createChannel(db: Db, actor: Actor, input: unknown, opts: { requestId?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ChannelView> {
  requirePermission(actor, "admin.settings");
  const p = parseInput(createChannelSchema, input);
  await refuseDuplicateName(db, p.name);
  const now = new Date();
  const row = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(notificationChannels)
      .values({
        id: newId("nch"),
        kind: p.kind,
        name: p.name,
        url: seal({ url: p.url }, opts.env),
        urlHost: new URL(p.url).host,
        events: [...new Set(p.events)],
        enabled: p.enabled ?? true,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await emitAudit(tx, actor, {
      action: "notification.channel.create",
      target: { type: "notification_channel", id: created!.id },
      after: audited(created!),
      requestId: opts.requestId,
    });
    return created!;
  });
  return view(row);
}

/** PATCH /api/v1/notifications/channels/{id} (admin). A new URL replaces the sealed one. */
export async function updateChannel(
  db: Db,
  actor: Actor,
  id: string,
  input: unknown,
  opts: { requestId?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ChannelView> {
  requirePermission(actor, "admin.settings");
  const p = parseInput(updateChannelSchema, input);
  const before = await load(db, id);
  if (p.name !== undefined) await refuseDuplicateName(db, p.name, id);
  const row = await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(notificationChannels)
      .set({
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.url !== undefined ? { url: seal({ url: p.url }, opts.env), urlHost: new URL(p.url).host } : {}),
        ...(p.events !== undefined ? { events: [...new Set(p.events)] } : {}),
        ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
        updatedAt: new Date(),
      })
      .where(eq(notificationChannels.id, id))
      .returning();
    await emitAudit(tx, actor, {
      action: "notification.channel.update",
      target: { type: "notification_channel", id },
      before: audited(before),
      after: { ...audited(updated!), ...(p.url !== undefined ? { urlReplaced: true } : {}) },
      requestId: opts.requestId,
    });
    return updated!;
  });
  return view(row);
}

/** DELETE /api/v1/notifications/channels/{id} (admin). Its past deliveries stay (they name the channel). */
export async function deleteChannel(db: Db, actor: Actor, id: string, opts: { requestId?: string } = {}): Promise<ChannelView> {
  requirePermission(actor, "admin.settings");
  const before = await load(db, id);
  await db.transaction(async (tx) => {
    await tx.delete(notificationChannels).where(eq(notificationChannels.id, id));
    await emitAudit(tx, actor, {
      action: "notification.channel.delete",
      target: { type: "notification_channel", id },
      before: audited(before),
      requestId: opts.requestId,
    });
  });
  return view(before);
}

export interface TestResult {
  ok: boolean;
  /** Where it went, as may be shown (the channel's host, or the admin's own address). */
  to: string;
  reason: string | null;
}

function testMessage(recipient: { name: string; email: string }, text: string, env?: NodeJS.ProcessEnv): MessageContext {
  return {
    kind: "test",
    campaign: null,
    recipient,
    reviewer: null,
    pendingItems: 0,
    message: text,
    items: [],
    link: `${publicBaseUrl(env)}/campaigns/inbox`,
  };
}

/** POST /api/v1/notifications/channels/{id}/test (admin): posts a test message now and answers how it went; audited. */
export async function testChannel(
  db: Db,
  actor: Actor,
  id: string,
  opts: { requestId?: string; env?: NodeJS.ProcessEnv; policy?: OutboundPolicy } = {},
): Promise<TestResult> {
  requirePermission(actor, "admin.settings");
  const ch = await load(db, id);
  let url: string;
  try {
    url = channelUrl(ch.url, opts.env);
  } catch {
    throw new AppError("conflict", "the channel's webhook address cannot be opened with this server's ATTEST_SECRET_KEY; enter it again");
  }
  const m = testMessage(
    { name: actor.name, email: "" },
    `Test message from Attest to "${ch.name}", sent by ${actor.name}. Notifications will arrive here.`,
    opts.env,
  );
  const r = await postWebhook(url, await chatPayload(ch.kind, m), opts.policy ?? (await loadOutboundPolicy(db)));
  const out: TestResult = { ok: r.ok, to: ch.urlHost, reason: r.ok ? null : r.reason };
  await db.transaction(async (tx) => {
    await emitAudit(tx, actor, {
      action: "notification.channel.test",
      target: { type: "notification_channel", id },
      after: { ok: out.ok, reason: out.reason },
      requestId: opts.requestId,
    });
  });
  return out;
}

/** POST /api/v1/notifications/test-email (admin): sends a test e-mail to the caller's own address now; audited. */
export async function testEmail(db: Db, actor: Actor, opts: { requestId?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TestResult> {
  requirePermission(actor, "admin.settings");
  if (actor.type !== "user" && actor.type !== "token")
    throw new AppError("forbidden", "a test e-mail goes to your own address: sign in, or use an API token of a user");
  const [me] = await db.select({ name: appUsers.name, email: appUsers.email }).from(appUsers).where(eq(appUsers.id, actor.id));
  if (!me) throw new AppError("forbidden", "a test e-mail needs a user");
  const smtp = smtpConfig(opts.env);
  if (!smtp.config) throw new AppError("conflict", `e-mail is not configured: ${smtp.problem}`);
  const m = testMessage(me, "This is a test message from Attest: e-mail notifications reach you.", opts.env);
  const r = await sendEmail(smtp.config, { to: me.email, ...emailOf(m) });
  const out: TestResult = { ok: r.ok, to: me.email, reason: r.ok ? null : r.reason };
  await db.transaction(async (tx) => {
    await emitAudit(tx, actor, {
      action: "notification.email.test",
      target: { type: "notification_settings", id: "email" },
      after: { ok: out.ok, reason: out.reason },
      requestId: opts.requestId,
    });
  });
  return out;
}
