import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import { boundedLimit, hubNode, iso, type SectionPage, type SectionQuery } from "./common";

/** One audit event about the node, with the actor's name and the event in words. */
export interface HubAuditEvent {
  seq: number;
  id: string;
  occurredAt: string;
  action: string;
  /** The event in words ("Assigned Priya Patel as business owner"). */
  summary: string;
  actor: { type: string; id: string; name: string };
  /** "node": about the node itself; "finding": about one of its findings. */
  about: { type: string; id: string };
  /** Fields whose value changed, before → after (flat values as text; nested ones as short JSON). */
  changes: { field: string; before: string | null; after: string | null }[];
}

interface Row {
  seq: number | string;
  id: string;
  occurred_at: Date | string;
  actor_type: string;
  actor_id: string;
  actor_label: string | null;
  user_name: string | null;
  action: string;
  target_type: string;
  target_id: string;
  before: unknown;
  after: unknown;
}

const isCursor = (v: unknown): v is { s: number } =>
  typeof v === "object" && v !== null && Number.isSafeInteger((v as { s: unknown }).s) && (v as { s: number }).s > 0;

const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");

function shown(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v.length > 200 ? `${v.slice(0, 199)}…` : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const j = JSON.stringify(v);
  return j.length > 200 ? `${j.slice(0, 199)}…` : j;
}

/** The fields an event changed; ids and bookkeeping fields are left out. */
export function auditChanges(before: unknown, after: unknown): HubAuditEvent["changes"] {
  const b = obj(before);
  const a = obj(after);
  const skip = new Set(["scimId", "via", "rule", "subjectId", "queued", "alreadyQueued"]);
  const out: HubAuditEvent["changes"] = [];
  for (const field of [...new Set([...Object.keys(b), ...Object.keys(a)])]) {
    if (skip.has(field)) continue;
    const x = shown(b[field]);
    const y = shown(a[field]);
    if (x !== y) out.push({ field, before: x, after: y });
  }
  return out.slice(0, 12);
}

/** An audit event in words; unknown actions fall back to their name. */
export function describeAuditEvent(action: string, before: unknown, after: unknown): string {
  const b = obj(before);
  const a = obj(after);
  switch (action) {
    case "owner.assign":
      return `Assigned ${str(obj(a.owner).name) || "an owner"} as ${str(a.role) || "an"} owner${str(a.reason) ? ` (“${str(a.reason)}”)` : ""}`;
    case "owner.unassign":
      return `Removed ${str(obj(b.owner).name) || "an owner"} as ${str(b.role) || "an"} owner${str(a.reason) ? ` (“${str(a.reason)}”)` : ""}`;
    case "ownership.offboard":
      return `Queued ${Array.isArray(a.queued) ? a.queued.length : 0} ownership reassignment(s) after a departure`;
    case "finding.accept":
      return `Accepted a finding's risk until ${str(a.acceptedUntil).slice(0, 10)}: “${str(a.acceptedReason)}”`;
    case "finding.reopen":
      return "Reopened a finding";
    case "scim.user.create":
    case "scim.group.create":
      return "Created by SCIM provisioning";
    case "scim.user.replace":
    case "scim.user.patch":
    case "scim.group.replace":
    case "scim.group.patch":
      return "Updated by SCIM provisioning";
    case "scim.user.delete":
    case "scim.group.delete":
      return "Deprovisioned by SCIM (ended)";
    case "scim.user.manager_resolved":
      return "Manager linked once they were provisioned";
    default:
      return action.replace(/[._]/g, " ");
  }
}

/**
 * Audit events about the node, newest first (audit.read): those whose target
 * is the node, and those about its findings. Both are ranges of
 * audit_events_target_idx (target_type, target_id); pages by seq.
 */
export async function listNodeAudit(db: Db, actor: Actor, rawId: string, q: SectionQuery = {}): Promise<SectionPage<HubAuditEvent>> {
  const node = await hubNode(db, actor, rawId, "audit");
  const limit = boundedLimit(q.limit);
  const before = q.cursor ? decodeCursor(q.cursor, isCursor).s : null;
  const found = await rows<Row>(
    db,
    sql`select a.seq, a.id, a.occurred_at, a.actor_type, a.actor_id, a.actor_label, u.name as user_name, a.action, a.target_type, a.target_id, a.before, a.after
      from (
        select * from audit_events where target_type = 'node' and target_id = ${node.id}
        union all
        select ae.* from findings f join audit_events ae on ae.target_type = 'finding' and ae.target_id = f.id where f.subject_id = ${node.id}
      ) a
      left join app_users u on u.id = a.actor_id and a.actor_type in ('user', 'token')
      ${before !== null ? sql`where a.seq < ${before}` : sql``}
      order by a.seq desc
      limit ${limit + 1}`,
  );
  const items = found.slice(0, limit).map((r): HubAuditEvent => ({
    seq: Number(r.seq),
    id: r.id,
    occurredAt: iso(r.occurred_at)!,
    action: r.action,
    summary: describeAuditEvent(r.action, r.before, r.after),
    actor: { type: r.actor_type, id: r.actor_id, name: r.user_name ?? r.actor_label ?? r.actor_id },
    about: { type: r.target_type, id: r.target_id },
    changes: r.action.startsWith("owner.") || r.action === "ownership.offboard" ? [] : auditChanges(r.before, r.after),
  }));
  const last = found[limit - 1];
  return { items, nextCursor: found.length > limit && last ? encodeCursor({ s: Number(last.seq) }) : null };
}
