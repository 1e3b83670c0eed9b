import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accessRequests } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { bumpPdpState } from "@/lib/db/pdp-state";
import { newId } from "@/lib/ids";
import type { StepUp } from "./evaluate";
import type { PdpState } from "./state";

export interface OpenedRequest {
  id: string;
  status: "pending";
  requestExpiresAt: Date;
  approverId: string | null;
  created: boolean;
}

const MEMO_MAX = 10_000;
const pendingMemo = new Map<string, { version: number; request: OpenedRequest }>();

/**
 * The access request an approval_required answer stands for: the pending one for (subject, tool, action) when there
 * is one, else a new one (the partial unique index access_requests_open_key keeps it to one however many calls race).
 * The approver is the tool's (else its server's) active owner's account — never the subject itself or the principal
 * it acts for (separation of duties); null = the admins decide. A new request is audited and bumps pdp_state in its
 * transaction. This is the one write on the decision path, and only on a step-up.
 */
export async function openAccessRequest(
  db: Db,
  actor: Actor,
  state: PdpState,
  s: StepUp,
  opts: { now: Date; graphVersion: number; justification?: string | null; requestId?: string },
): Promise<OpenedRequest> {
  const tool = state.facts.tools.get(s.toolId);
  const approverHuman = tool?.approverHumanId ?? null;
  const approverId = approverHuman && approverHuman !== s.subjectId && approverHuman !== s.actingForId ? (tool?.approverUserId ?? null) : null;
  const requestExpiresAt = new Date(opts.now.getTime() + state.decisions.policy.jit.requestMinutes * 60_000);
  const find = async (tx: Db) =>
    (
      await tx
        .select({ id: accessRequests.id, requestExpiresAt: accessRequests.requestExpiresAt, approverId: accessRequests.approverId })
        .from(accessRequests)
        .where(
          and(
            eq(accessRequests.subjectId, s.subjectId),
            eq(accessRequests.toolId, s.toolId),
            eq(accessRequests.action, s.action),
            eq(accessRequests.status, "pending"),
          ),
        )
        .limit(1)
    )[0];
  // Repeated step-ups for the same pair are answered from memory while the decision state is unchanged (any
  // approval, denial or expiry bumps it, and the next call looks again).
  const memoKey = `${s.subjectId}\u0000${s.toolId}\u0000${s.action}`;
  const memo = pendingMemo.get(memoKey);
  if (memo && memo.version === state.decisions.version && memo.request.requestExpiresAt.getTime() > opts.now.getTime()) return memo.request;
  const open = await find(db);
  if (open) {
    const request = { ...open, status: "pending" as const, created: false };
    if (pendingMemo.size >= MEMO_MAX) pendingMemo.delete(pendingMemo.keys().next().value!);
    pendingMemo.set(memoKey, { version: state.decisions.version, request });
    return request;
  }
  return db.transaction(async (tx) => {
    const id = newId("arq");
    const [row] = await tx
      .insert(accessRequests)
      .values({
        id,
        subjectId: s.subjectId,
        actingForId: s.actingForId,
        toolId: s.toolId,
        action: s.action,
        reasonCode: s.cause,
        justification: opts.justification ?? null,
        requestedVia: actor.type === "token" ? actor.tokenId : actor.id,
        status: "pending",
        approverId,
        requestExpiresAt,
        graphVersion: opts.graphVersion,
      })
      .onConflictDoNothing()
      .returning({ id: accessRequests.id });
    if (!row) {
      const raced = await find(tx);
      if (raced) return { ...raced, status: "pending" as const, created: false };
      throw new Error("access request neither inserted nor found");
    }
    await emitAudit(tx, actor, {
      action: "access_request.open",
      target: { type: "access_request", id },
      after: { subjectId: s.subjectId, actingForId: s.actingForId, toolId: s.toolId, action: s.action, reasonCode: s.cause, approverId, requestExpiresAt },
      requestId: opts.requestId,
    });
    await bumpPdpState(tx);
    return { id, status: "pending" as const, requestExpiresAt, approverId, created: true };
  });
}
