import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ssfEvents, ssfTransmitters } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { newId } from "@/lib/ids";
import { matchPeople, subjectKeys, subjectOf } from "./subject";
import { KeysUnavailable, SetRefused, verifySet, type SetErrorCode, type VerifyOptions } from "./verify";

/**
 * Receives one pushed SET (RFC 8935): verified (verify.ts), recorded once per
 * (issuer, jti) — a second delivery is a replay and is refused — with its
 * subject matched to a person in the graph, and audited. Every refusal is
 * audited too, with its reason and, when the SET named a configured
 * transmitter, which one; nothing of the token is quoted. Firing the rules is
 * the trigger job's (it reads the events recorded here).
 */

export const ssfReceiver = systemActor("ssf receiver");

export type ReceiveResult =
  | { status: 202; eventId: string; outcome: "matched" | "no_match" }
  | { status: 400; err: SetErrorCode; description: string }
  | { status: 503; description: string };

const MAX_SUBJECT_CHARS = 4096;

/** Audits one refused SET: the reason, and the transmitter when the SET named a configured one. */
export async function auditRefusal(
  db: Db,
  reason: { err: string; description: string },
  transmitter: { id: string; issuer: string } | null,
  requestId?: string,
) {
  await db.transaction((tx) =>
    emitAudit(tx, ssfReceiver, {
      action: "ssf.set_refused",
      target: transmitter ? { type: "ssf_transmitter", id: transmitter.id } : undefined,
      after: { err: reason.err, reason: reason.description, ...(transmitter ? { issuer: transmitter.issuer } : {}) },
      requestId,
    }),
  );
}

export interface ReceiveOptions extends VerifyOptions {
  requestId?: string;
}

export async function receiveSet(db: Db, token: string, opts: ReceiveOptions = {}): Promise<ReceiveResult> {
  let verified: Awaited<ReturnType<typeof verifySet>>;
  try {
    verified = await verifySet(db, token, opts);
  } catch (e) {
    if (e instanceof SetRefused) {
      await auditRefusal(db, e, e.transmitter, opts.requestId);
      return { status: 400, err: e.err, description: e.description };
    }
    if (e instanceof KeysUnavailable) {
      await auditRefusal(db, { err: "keys_unavailable", description: e.message }, e.transmitter, opts.requestId);
      return { status: 503, description: `${e.message}; try again later` };
    }
    throw e;
  }
  const { transmitter, payload } = verified;
  const t = { id: transmitter.id, issuer: transmitter.issuer };
  const subject = subjectOf(payload);
  if (JSON.stringify(subject).length > MAX_SUBJECT_CHARS) {
    const refusal = new SetRefused("invalid_request", "the SET's subject identifier is too large", t);
    await auditRefusal(db, refusal, t, opts.requestId);
    return { status: 400, err: refusal.err, description: refusal.description };
  }
  const people = await matchPeople(db, subjectKeys(subject));
  const nodeId = people[0] ?? null;
  const outcome = nodeId ? "matched" : "no_match";
  const eventTypes = Object.keys(payload.events);
  const now = opts.now ?? new Date();
  const id = newId("ssf");
  const stored = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(ssfEvents)
      .values({
        id,
        transmitterId: transmitter.id,
        issuer: transmitter.issuer,
        jti: payload.jti,
        eventTypes,
        subject,
        nodeId,
        issuedAt: new Date(payload.iat * 1000),
        receivedAt: now,
        outcome,
      })
      .onConflictDoNothing()
      .returning({ id: ssfEvents.id });
    if (!row) return false;
    await tx.update(ssfTransmitters).set({ lastEventAt: now }).where(eq(ssfTransmitters.id, transmitter.id));
    await emitAudit(tx, ssfReceiver, {
      action: "ssf.event_received",
      target: { type: "ssf_event", id },
      after: { transmitterId: transmitter.id, issuer: transmitter.issuer, jti: payload.jti, eventTypes, nodeId, outcome },
      requestId: opts.requestId,
    });
    return true;
  });
  if (!stored) {
    const refusal = new SetRefused("invalid_request", "this SET was already received (its jti is not new): a replay", t);
    await auditRefusal(db, refusal, t, opts.requestId);
    return { status: 400, err: refusal.err, description: refusal.description };
  }
  return { status: 202, eventId: id, outcome };
}
