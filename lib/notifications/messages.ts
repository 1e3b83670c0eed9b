import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appUsers, campaignNotifications, campaigns, reviewItems } from "@/db/schema";
import { inboxLink } from "./config";

/**
 * What a message says, per channel: an e-mail (subject, text, HTML) to the
 * recipient, a Slack-compatible incoming-webhook body (`{ text, blocks }`), and
 * a Teams workflow body (a message with one Adaptive Card attachment). The
 * payload shapes and where they are documented: PROVENANCE.md beside this file.
 */
export interface MessageContext {
  kind: "digest" | "reminder" | "escalation" | "overdue" | "test";
  campaign: { id: string; name: string; dueAt: Date } | null;
  recipient: { name: string; email: string };
  reviewer: { name: string } | null;
  pendingItems: number;
  /** The recorded one-line message. */
  message: string;
  /** For a digest: the reviewer's items (a bounded sample) and how many there are in all. */
  items: { subject: string; access: string; target: string; recommendation: string | null }[];
  link: string;
}

/** How many items a digest e-mail lists by name; the rest are counted. */
export const DIGEST_LIST_LIMIT = 50;

/** The context of one recorded message, read at send time (the digest lists the reviewer's items then). */
export async function loadMessageContext(db: Db, notificationId: string, env: NodeJS.ProcessEnv = process.env): Promise<MessageContext | null> {
  const [n] = await db.select().from(campaignNotifications).where(eq(campaignNotifications.id, notificationId));
  if (!n) return null;
  const [c] = await db.select({ id: campaigns.id, name: campaigns.name, dueAt: campaigns.dueAt }).from(campaigns).where(eq(campaigns.id, n.campaignId));
  const people = await db.select({ id: appUsers.id, name: appUsers.name, email: appUsers.email }).from(appUsers).where(eq(appUsers.id, n.recipientId));
  const [reviewer] =
    n.reviewerId === n.recipientId ? [people[0]] : await db.select({ name: appUsers.name }).from(appUsers).where(eq(appUsers.id, n.reviewerId));
  const items =
    n.kind === "digest"
      ? await db
          .select({
            subject: reviewItems.subjectName,
            access: reviewItems.edgeKind,
            target: reviewItems.targetName,
            recommendation: reviewItems.recommendation,
          })
          .from(reviewItems)
          .where(and(eq(reviewItems.campaignId, n.campaignId), eq(reviewItems.reviewerId, n.reviewerId), isNull(reviewItems.decision)))
          .orderBy(asc(reviewItems.subjectName), asc(reviewItems.targetName), asc(reviewItems.id))
          .limit(DIGEST_LIST_LIMIT)
      : [];
  return {
    kind: n.kind,
    campaign: c ?? null,
    recipient: { name: people[0]?.name ?? "", email: people[0]?.email ?? "" },
    reviewer: reviewer ? { name: reviewer.name } : null,
    pendingItems: n.pendingItems,
    message: n.message,
    items,
    link: inboxLink(n.campaignId, env),
  };
}

const TITLES: Record<MessageContext["kind"], string> = {
  digest: "New items to review",
  reminder: "Reminder: items to review",
  overdue: "Overdue: items to review",
  escalation: "Escalation: a reviewer is late",
  test: "Test message",
};

export function subjectOf(m: MessageContext): string {
  const c = m.campaign ? ` in "${m.campaign.name}"` : "";
  switch (m.kind) {
    case "digest":
      return `[Attest] ${m.pendingItems} new item${m.pendingItems === 1 ? "" : "s"} to review${c}`;
    case "reminder":
      return `[Attest] Reminder: ${m.pendingItems} item${m.pendingItems === 1 ? "" : "s"} to review${c}`;
    case "overdue":
      return `[Attest] Overdue: ${m.pendingItems} item${m.pendingItems === 1 ? "" : "s"} to review${c}`;
    case "escalation":
      return `[Attest] Escalation: ${m.reviewer?.name ?? "a reviewer"} is late${c}`;
    case "test":
      return "[Attest] Test message";
  }
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const access = (k: string) => k.replace(/_/g, " ");

export function emailOf(m: MessageContext): { subject: string; text: string; html: string } {
  const more = m.kind === "digest" && m.pendingItems > m.items.length ? m.pendingItems - m.items.length : 0;
  const lines = [
    `Hello ${m.recipient.name},`,
    "",
    m.message,
    ...(m.items.length
      ? ["", ...m.items.map((i) => `- ${i.subject}: ${access(i.access)} ${i.target}${i.recommendation ? ` (suggest ${i.recommendation})` : ""}`)]
      : []),
    ...(more ? [`… and ${more} more.`] : []),
    "",
    m.kind === "escalation" ? `The reviewer's inbox for this campaign: ${m.link}` : `Open your inbox for this campaign: ${m.link}`,
    "",
    "— Attest",
  ];
  const html = [
    `<p>Hello ${esc(m.recipient.name)},</p>`,
    `<p>${esc(m.message)}</p>`,
    m.items.length
      ? `<ul>${m.items.map((i) => `<li>${esc(i.subject)}: ${esc(access(i.access))} <strong>${esc(i.target)}</strong>${i.recommendation ? ` (suggest ${esc(i.recommendation)})` : ""}</li>`).join("")}</ul>`
      : "",
    more ? `<p>… and ${more} more.</p>` : "",
    `<p><a href="${esc(m.link)}">Open the inbox for this campaign</a></p>`,
    `<p>— Attest</p>`,
  ].join("\n");
  return { subject: subjectOf(m), text: lines.join("\n"), html };
}

/** Slack mrkdwn: &, < and > are the only characters to escape (they delimit links and mentions). */
const slackEsc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The chat line: who it is for, and the recorded message (no item names: a channel is read by many). */
function chatLine(m: MessageContext): string {
  return m.kind === "test" ? m.message : `For ${m.recipient.name}: ${m.message}`;
}

export function slackPayloadOf(m: MessageContext): { text: string; blocks: unknown[] } {
  const line = slackEsc(chatLine(m));
  return {
    text: `${TITLES[m.kind]}. ${line} ${m.link}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${TITLES[m.kind]}*\n${line}` } },
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open the inbox" }, url: m.link }] },
    ],
  };
}

export function teamsPayloadOf(m: MessageContext): unknown {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: TITLES[m.kind], weight: "Bolder", size: "Medium", wrap: true },
            { type: "TextBlock", text: chatLine(m), wrap: true },
          ],
          actions: [{ type: "Action.OpenUrl", title: "Open the inbox", url: m.link }],
        },
      },
    ],
  };
}
