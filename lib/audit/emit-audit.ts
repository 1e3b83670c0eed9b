import { createHash } from "node:crypto";
import { desc, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditEvents } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { actorLabel } from "@/lib/authz/actor";
import { newId } from "@/lib/ids";
import { canonicalJson } from "./canonical-json";

export const GENESIS_HASH = "0".repeat(64);
/** Serialises appends so the chain has one order even under concurrent writers. */
const AUDIT_CHAIN_LOCK = 727275;

export interface AuditEventInput {
  action: string;
  target?: { type: string; id: string };
  before?: unknown;
  after?: unknown;
  requestId?: string;
}

export interface ChainedFields {
  id: string;
  occurredAt: Date;
  actorType: string;
  actorId: string;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

/** SHA-256 over the previous hash and the canonical JSON of the event. */
export function chainHash(prevHash: string, e: ChainedFields): string {
  const body = canonicalJson({
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actorType: e.actorType,
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    before: e.before ?? null,
    after: e.after ?? null,
    requestId: e.requestId,
  });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

/**
 * Appends one event to the hash-chained audit log. Call it inside the
 * transaction of the change it records, so that a change is never without its
 * event and a failed audit write rolls the change back.
 */
export async function emitAudit(tx: Db, actor: Actor, event: AuditEventInput): Promise<{ id: string; hash: string }> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [last] = await tx.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
  const prevHash = last?.hash ?? GENESIS_HASH;
  const fields: ChainedFields = {
    id: newId("evt"),
    occurredAt: new Date(),
    actorType: actor.type,
    actorId: actor.id,
    actorLabel: actorLabel(actor),
    action: event.action,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    before: event.before ?? null,
    after: event.after ?? null,
    requestId: event.requestId ?? null,
  };
  const hash = chainHash(prevHash, fields);
  await tx.insert(auditEvents).values({ ...fields, prevHash, hash });
  return { id: fields.id, hash };
}

export interface ChainVerification {
  ok: boolean;
  entries: number;
  head: string;
  brokenAt?: { seq: number; id: string; reason: string };
}

/** Recomputes the whole chain. Reads in pages so a long log never sits in memory. */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<ChainVerification> {
  let prev = GENESIS_HASH;
  let entries = 0;
  let afterSeq = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.seq} > ${afterSeq}`)
      .orderBy(auditEvents.seq)
      .limit(pageSize);
    for (const r of rows) {
      if (r.prevHash !== prev) return { ok: false, entries, head: prev, brokenAt: { seq: r.seq, id: r.id, reason: "previous hash does not match" } };
      const expect = chainHash(prev, r);
      if (expect !== r.hash) return { ok: false, entries, head: prev, brokenAt: { seq: r.seq, id: r.id, reason: "event content does not match its hash" } };
      prev = r.hash;
      entries++;
      afterSeq = r.seq;
    }
    if (rows.length < pageSize) break;
  }
  return { ok: true, entries, head: prev };
}
