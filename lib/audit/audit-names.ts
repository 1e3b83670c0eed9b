import { inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens, appUsers, campaigns, findings, nodes, reviewItems, sources } from "@/db/schema";
import type { AuditEventView } from "./audit-api";

/** What an id in the audit log stands for now: its name, what it is, and a page to open when there is one. */
export interface AuditName {
  name: string;
  /** "human", "agent", … for nodes; "user", "token", "campaign", "review item", "source", "finding" otherwise. */
  kind: string;
  href?: string;
  /** The subject no longer exists as it did (an ended node, a revoked token): shown muted. */
  gone?: boolean;
}

/** Ids look like `hum_01j…`: a kind prefix and a 26-character ULID body (lib/ids.ts). */
const ID_RE = /^([a-z]{2,5})_[0-9a-z]{26}$/;
const NODE_PREFIXES = new Set(["hum", "grp", "sa", "agt", "mcp", "tool", "ent", "res", "cred"]);
/** A token actor's label ends with its token id (lib/authz/actor.ts actorLabel). */
const TOKEN_IN_LABEL = /\(token (tok_[0-9a-z]{26})\)$/;
/** At most this many ids are looked up per page, so a hostile event with thousands of ids cannot make the page slow. */
const MAX_IDS = 1000;

/** Every id an event mentions: actor, token, target, and ids found as values in before/after (a few levels deep). */
export function idsInEvent(e: Pick<AuditEventView, "actorId" | "actorLabel" | "targetId" | "before" | "after">, into: Set<string> = new Set()): Set<string> {
  const add = (v: unknown) => {
    if (typeof v === "string" && ID_RE.test(v) && into.size < MAX_IDS) into.add(v);
  };
  add(e.actorId);
  add(TOKEN_IN_LABEL.exec(e.actorLabel ?? "")?.[1]);
  add(e.targetId);
  const walk = (v: unknown, depth: number) => {
    if (depth > 4 || into.size >= MAX_IDS) return;
    if (typeof v === "string") add(v);
    else if (Array.isArray(v)) for (const x of v.slice(0, 200)) walk(x, depth + 1);
    else if (v !== null && typeof v === "object") for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(e.before, 0);
  walk(e.after, 0);
  return into;
}

/** The token id in a token actor's label, if any. */
export function tokenIdOf(actorLabel: string | null): string | null {
  return TOKEN_IN_LABEL.exec(actorLabel ?? "")?.[1] ?? null;
}

/**
 * Names for the ids a page of audit events mentions: one batched lookup per kind
 * of id (nodes, users, tokens, campaigns, review items, sources, findings), by
 * primary key, so a page costs a handful of indexed reads however long the log is.
 * Ids that resolve to nothing (deleted users, test ids) are simply absent.
 */
export async function resolveAuditNames(
  db: Db,
  events: Pick<AuditEventView, "actorId" | "actorLabel" | "targetId" | "before" | "after">[],
): Promise<Record<string, AuditName>> {
  const ids = new Set<string>();
  for (const e of events) idsInEvent(e, ids);
  const byPrefix = new Map<string, string[]>();
  for (const id of ids) {
    const prefix = ID_RE.exec(id)![1]!;
    const key = NODE_PREFIXES.has(prefix) ? "node" : prefix;
    byPrefix.set(key, [...(byPrefix.get(key) ?? []), id]);
  }
  const out: Record<string, AuditName> = {};
  const want = (k: string) => byPrefix.get(k) ?? [];
  const lookups: (() => Promise<void>)[] = [];
  if (want("node").length)
    lookups.push(() =>
      db
        .select({ id: nodes.id, name: nodes.name, kind: nodes.kind, validTo: nodes.validTo })
        .from(nodes)
        .where(inArray(nodes.id, want("node")))
        .then((rows) => {
          for (const r of rows) out[r.id] = { name: r.name, kind: r.kind, href: `/nodes/${r.id}`, ...(r.validTo ? { gone: true } : {}) };
        }),
    );
  if (want("usr").length)
    lookups.push(() =>
      db
        .select({ id: appUsers.id, name: appUsers.name, email: appUsers.email })
        .from(appUsers)
        .where(inArray(appUsers.id, want("usr")))
        .then((rows) => {
          for (const r of rows) out[r.id] = { name: r.name || r.email, kind: "user" };
        }),
    );
  if (want("tok").length)
    lookups.push(() =>
      db
        .select({ id: apiTokens.id, name: apiTokens.name, revokedAt: apiTokens.revokedAt })
        .from(apiTokens)
        .where(inArray(apiTokens.id, want("tok")))
        .then((rows) => {
          for (const r of rows) out[r.id] = { name: r.name, kind: "token", ...(r.revokedAt ? { gone: true } : {}) };
        }),
    );
  if (want("cmp").length)
    lookups.push(() =>
      db
        .select({ id: campaigns.id, name: campaigns.name })
        .from(campaigns)
        .where(inArray(campaigns.id, want("cmp")))
        .then((rows) => {
          for (const r of rows) out[r.id] = { name: r.name, kind: "campaign", href: `/campaigns/${r.id}` };
        }),
    );
  if (want("itm").length)
    lookups.push(() =>
      db
        .select({ id: reviewItems.id, subject: reviewItems.subjectName, target: reviewItems.targetName, campaignId: reviewItems.campaignId })
        .from(reviewItems)
        .where(inArray(reviewItems.id, want("itm")))
        .then((rows) => {
          for (const r of rows) out[r.id] = { name: `${r.subject} → ${r.target}`, kind: "review item", href: `/campaigns/${r.campaignId}` };
        }),
    );
  if (want("src").length)
    lookups.push(() =>
      db
        .select({ id: sources.id, name: sources.name })
        .from(sources)
        .where(inArray(sources.id, want("src")))
        .then((rows) => {
          for (const r of rows) out[r.id] = { name: r.name, kind: "source" };
        }),
    );
  if (want("fnd").length)
    lookups.push(() =>
      db
        .select({ id: findings.id, title: findings.title })
        .from(findings)
        .where(inArray(findings.id, want("fnd")))
        .then((rows) => {
          for (const r of rows) out[r.id] = { name: r.title, kind: "finding", href: `/findings/${r.id}` };
        }),
    );
  // In sequence: one connection runs one query at a time (PGlite, a transaction), and these are a handful of key lookups.
  for (const l of lookups) await l();
  return out;
}
