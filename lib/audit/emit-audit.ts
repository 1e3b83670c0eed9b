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

/** How far back the fast head read looks (the log is partitioned by month on occurred_at). */
const RECENT_HEAD_MS = 40 * 86_400_000;

/**
 * The hash of the newest event, under the chain lock. The log is partitioned
 * by month, and "order by seq desc limit 1" plans and opens every partition
 * (4 ms at 28 partitions, growing with the log's age). The identity sequence's
 * last value is the highest seq ever handed out; when the event carrying it
 * exists it is the head, and looking for it only among recent partitions
 * (plan-time pruning on occurred_at) is a primary-key lookup in two or three.
 * When it is not found (the last append rolled back, or no event for 40 days)
 * the full read answers.
 */
async function chainHead(tx: Db): Promise<string | null> {
  const since = new Date(Date.now() - RECENT_HEAD_MS);
  const recent = (await tx.execute(
    sql`select hash from audit_events where occurred_at >= ${since.toISOString()}::timestamptz
          and seq = (select last_value from audit_events_seq_seq where is_called)`,
  )) as unknown as { rows: { hash: string }[] };
  if (recent.rows[0]) return recent.rows[0].hash;
  const [last] = await tx.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
  return last?.hash ?? null;
}

/**
 * Appends one event to the hash-chained audit log. Call it inside the
 * transaction of the change it records, so that a change is never without its
 * event and a failed audit write rolls the change back.
 */
export async function emitAudit(tx: Db, actor: Actor, event: AuditEventInput): Promise<{ id: string; hash: string }> {
  const locked = (await tx.execute(
    sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}), current_setting('transaction_isolation') as isolation`,
  )) as unknown as {
    rows: { isolation: string }[];
  };
  // Under repeatable read or serializable the snapshot may predate the lock, so the
  // previous hash read below could miss an event committed while we waited: the
  // chain would fork. Only read committed takes a fresh snapshot after the lock.
  const isolation = locked.rows[0]?.isolation;
  if (isolation !== "read committed") throw new Error(`emitAudit needs a read committed transaction (this one is ${isolation ?? "unknown"})`);
  const prevHash = (await chainHead(tx)) ?? GENESIS_HASH;
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
  /** Events verified (all of them when ok; those before the break otherwise). */
  entries: number;
  /** The hash of the last verified event (the genesis hash for an empty log). */
  head: string;
  brokenAt?: { seq: number; id: string; reason: string };
  /** When an anchor was given: whether that earlier head is still in the chain. */
  anchor?: { hash: string; found: boolean; seq: number | null };
}

export interface VerifyOptions {
  pageSize?: number;
  /**
   * A head recorded earlier (in an evidence manifest, say). The chain alone
   * cannot show that events were cut off its end; an anchor that is no longer
   * in the chain can, so `ok` is false when it is missing.
   */
  anchor?: string;
  /**
   * The hash the first event present must point back to (default: the genesis
   * hash). After the oldest partitions were detached for archive, this is the
   * head of the archived part (docs/SCALING-AUDIT.md), so the rest still verifies.
   */
  startHash?: string;
}

/** Recomputes the whole chain. Reads in pages so a long log never sits in memory. */
export async function verifyAuditChain(db: Db, opts: VerifyOptions | number = {}): Promise<ChainVerification> {
  const { pageSize = 5000, anchor, startHash = GENESIS_HASH } = typeof opts === "number" ? { pageSize: opts } : opts;
  const result = await walkChain(db, pageSize, anchor, startHash);
  if (!anchor) return result;
  const found = result.anchor ?? { hash: anchor, found: anchor === startHash, seq: null };
  return { ...result, ok: result.ok && found.found, anchor: found };
}

async function walkChain(db: Db, pageSize: number, anchor: string | undefined, startHash: string): Promise<ChainVerification> {
  let prev = startHash;
  let entries = 0;
  let afterSeq = 0;
  let anchorAt: ChainVerification["anchor"];
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.seq} > ${afterSeq}`)
      .orderBy(auditEvents.seq)
      .limit(pageSize);
    for (const r of rows) {
      const broken = (reason: string): ChainVerification => ({
        ok: false,
        entries,
        head: prev,
        brokenAt: { seq: r.seq, id: r.id, reason },
        ...(anchorAt ? { anchor: anchorAt } : {}),
      });
      // A deleted or reordered event shows here: its successor no longer points at the event before it.
      if (r.prevHash !== prev) return broken("previous hash does not match");
      if (chainHash(prev, r) !== r.hash) return broken("event content does not match its hash");
      prev = r.hash;
      entries++;
      afterSeq = r.seq;
      if (anchor && r.hash === anchor) anchorAt = { hash: anchor, found: true, seq: r.seq };
    }
    if (rows.length < pageSize) break;
  }
  return { ok: true, entries, head: prev, ...(anchorAt ? { anchor: anchorAt } : {}) };
}
