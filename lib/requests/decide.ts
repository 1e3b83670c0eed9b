import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { accessRequests } from "@/db/schema";
import { bumpPdpState } from "@/lib/db/pdp-state";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { grantLimitMinutes, MAX_GRANT_MINUTES, REQUEST_DECISIONS } from "./model";
import { approverActive, isAdmin, personOf, visibleRequest } from "./queries";
import { conflictOfRequest, ownIdentities } from "./separation";
import { requestViews, type AccessRequestView, type RequestRow } from "./views";

export const requestDecisionSchema = z
  .object({
    decision: z.enum(REQUEST_DECISIONS, { error: "decision must be approve or deny" }),
    note: z.string({ error: "note must be text" }).trim().max(2000, "note must be at most 2000 characters").optional(),
    grantMinutes: z
      .number({ error: "grantMinutes must be a number of minutes" })
      .int("grantMinutes must be a whole number of minutes")
      .min(1, `grantMinutes must be from 1 to ${MAX_GRANT_MINUTES}`)
      .max(MAX_GRANT_MINUTES, `grantMinutes must be from 1 to ${MAX_GRANT_MINUTES}`)
      .optional(),
    version: z
      .number({ error: "version is required: the request version you decided on" })
      .int("version must be a whole number")
      .min(1, "version must be 1 or more"),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.decision === "deny" && d.grantMinutes !== undefined)
      ctx.addIssue({ code: "custom", path: ["grantMinutes"], message: "only an approval grants time" });
  });
export type RequestDecisionInput = z.infer<typeof requestDecisionSchema>;

export interface DecideOptions {
  now?: Date;
  requestId?: string;
}

async function conflictAnswer(tx: Db, row: RequestRow, sent: number): Promise<AppError> {
  const [cur] = await tx.select({ status: accessRequests.status, version: accessRequests.version }).from(accessRequests).where(eq(accessRequests.id, row.id));
  return new AppError(
    "conflict",
    `the request changed since version ${sent}: it is now version ${cur?.version ?? "?"} (${cur?.status ?? "gone"}); reload and decide again`,
    [{ path: "version", message: `current version is ${cur?.version ?? "unknown"}` }],
  );
}

/**
 * POST /access-requests/{id}/decision: `{ decision: "approve" | "deny", note?, grantMinutes?, version }`.
 *
 * What must stay true:
 * - only the named approver decides (an admin when the request names none); a request the caller may not see is
 *   "not found", one they may see but not decide is 403;
 * - separation of duties: never the subject itself, the principal it acts for, or anyone whose own identity (their
 *   linked accounts, the agents acting for them) is either;
 * - a versioned write: a conditional UPDATE (… WHERE version = $v AND status = 'pending'), so of concurrent
 *   decisions exactly one changes the row and the others answer 409;
 * - a pending request past `request_expires_at` cannot be decided (409), even before the expiry job marks it;
 * - an approval grants until now + min(grantMinutes, the policy's `jit.grantMinutes`), the policy's length by default;
 * - audit event and `bumpPdpState` in the same transaction, so every instance's decision point reloads on commit and a
 *   failed audit write rolls the decision back.
 */
export async function decideAccessRequest(db: Db, actor: Actor, id: string, input: unknown, opts: DecideOptions = {}): Promise<AccessRequestView> {
  requirePermission(actor, "review.decide");
  const d = parseInput(requestDecisionSchema, input);
  const me = personOf(actor);
  if (!me) throw new AppError("forbidden", "deciding an access request needs a person: sign in, or use an API token of a user");
  const now = opts.now ?? new Date();
  const row = await db.transaction(async (tx) => {
    const req = await visibleRequest(tx, actor, id);
    // The named approver decides; an admin decides a request naming nobody, or one whose approver can no longer decide.
    const mayDecide = req.approverId === me || (isAdmin(actor) && (req.approverId === null || !(await approverActive(tx, req.approverId))));
    if (!mayDecide) throw new AppError("forbidden", "this request is for another approver to decide");
    const conflict = conflictOfRequest(await ownIdentities(tx, actor.humanNodeId), req);
    if (conflict) throw new AppError("forbidden", `${conflict}; another approver must decide it`);
    if (req.version !== d.version) throw await conflictAnswer(tx, req, d.version);
    if (req.status !== "pending") throw new AppError("conflict", `the request is already ${req.status}: it can no longer be decided`);
    if (req.requestExpiresAt.getTime() <= now.getTime())
      throw new AppError("conflict", `the request expired at ${req.requestExpiresAt.toISOString()}: the caller must ask again`);

    const limit = await grantLimitMinutes(tx);
    const minutes = d.decision === "approve" ? Math.min(d.grantMinutes ?? limit, limit) : null;
    const grantExpiresAt = minutes === null ? null : new Date(now.getTime() + minutes * 60_000);
    const status = d.decision === "approve" ? "approved" : "denied";
    const [updated] = await tx
      .update(accessRequests)
      .set({
        status,
        decidedById: me,
        decidedAt: now,
        decisionNote: d.note || null,
        grantExpiresAt,
        version: sql`${accessRequests.version} + 1`,
        updatedAt: now,
      })
      .where(and(eq(accessRequests.id, req.id), eq(accessRequests.version, d.version), eq(accessRequests.status, "pending")))
      .returning();
    if (!updated) throw await conflictAnswer(tx, req, d.version);
    await emitAudit(tx, actor, {
      action: d.decision === "approve" ? "access_request.approve" : "access_request.deny",
      target: { type: "access_request", id: req.id },
      before: { status: req.status, version: req.version },
      after: {
        status,
        version: updated.version,
        subjectId: req.subjectId,
        actingForId: req.actingForId,
        toolId: req.toolId,
        action: req.action,
        note: updated.decisionNote,
        grantMinutes: minutes,
        ...(minutes !== null && d.grantMinutes !== undefined && d.grantMinutes > minutes ? { grantMinutesAsked: d.grantMinutes } : {}),
        grantExpiresAt: grantExpiresAt?.toISOString() ?? null,
      },
      requestId: opts.requestId,
    });
    await bumpPdpState(tx);
    return updated;
  });
  return (await requestViews(db, [row]))[0]!;
}
