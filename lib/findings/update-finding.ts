import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { findings } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { DAY_MS } from "./context";
import { getFinding, type FindingDetail } from "./queries";
import { refreshGroups } from "./groups";
import { loadSettings } from "./settings";

const reason = z.string().trim().min(1, "is required").max(1000, "at most 1000 characters");

const expiresAt = z
  .string()
  .max(40)
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)),
    "must be an ISO 8601 date (end of that day, UTC) or date-time with offset",
  )
  .transform((s) => (s.length === 10 ? new Date(`${s}T23:59:59.999Z`) : new Date(s)));

/**
 * PATCH /api/v1/findings/{id}: accept the risk (with a reason and an expiry) or
 * open the finding again. "resolved" is not accepted here: only an evaluation
 * that no longer finds it resolves a finding.
 */
export const patchFindingSchema = z
  .object({
    status: z.enum(["accepted", "open"], { error: 'must be "accepted" or "open" (a finding is resolved only by an evaluation that no longer finds it)' }),
    reason: reason.optional(),
    expiresAt: expiresAt.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.status === "accepted") {
      if (!v.reason) ctx.addIssue({ code: "custom", path: ["reason"], message: "is required to accept a risk" });
      if (!v.expiresAt) ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "is required to accept a risk" });
    } else if (v.expiresAt) ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "only applies when accepting" });
  });

/**
 * Changes a finding's status by hand, in one transaction with its audit event
 * (finding.accept or finding.reopen, with before and after). Changing nothing
 * (opening an open finding) writes nothing.
 */
export async function updateFinding(db: Db, actor: Actor, id: string, input: unknown, opts: { requestId?: string; now?: Date } = {}): Promise<FindingDetail> {
  requirePermission(actor, "findings.manage");
  const body = parseInput(patchFindingSchema, input);
  const now = opts.now ?? new Date();
  if (body.status === "accepted") {
    const { settings } = await loadSettings(db);
    const until = body.expiresAt!;
    if (until.getTime() <= now.getTime())
      throw new AppError("validation", "expiresAt must be in the future", [{ path: "expiresAt", message: "must be in the future" }]);
    if (until.getTime() > now.getTime() + settings.maxAcceptanceDays * DAY_MS) {
      throw new AppError("validation", `a risk may be accepted for at most ${settings.maxAcceptanceDays} days`, [
        { path: "expiresAt", message: `at most ${settings.maxAcceptanceDays} days ahead` },
      ]);
    }
  }
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(findings).where(eq(findings.id, id)).for("update");
    if (!row) throw new AppError("not_found", "finding not found");
    if (row.status === "resolved")
      throw new AppError("conflict", "this finding is resolved: the last evaluation no longer found it; it reopens by itself if it comes back");
    const expired = row.status === "accepted" && !!row.acceptedUntil && row.acceptedUntil.getTime() <= now.getTime();
    const before = { status: expired ? "open" : row.status, acceptedReason: row.acceptedReason, acceptedUntil: row.acceptedUntil?.toISOString() ?? null };
    if (body.status === "open" && row.status === "open") return;
    const accepting = body.status === "accepted";
    const set = accepting
      ? {
          status: "accepted" as const,
          acceptedReason: body.reason!,
          acceptedUntil: body.expiresAt!,
          acceptedBy: actorLabel(actor),
          acceptedAt: now,
          // A person's acceptance (or reopen) replaces a rule's: the finding is no longer the suppression's.
          suppressionId: null,
          updatedAt: now,
        }
      : { status: "open" as const, acceptedReason: null, acceptedUntil: null, acceptedBy: null, acceptedAt: null, suppressionId: null, updatedAt: now };
    await tx.update(findings).set(set).where(eq(findings.id, id));
    // The work queue counts open findings per cause: accepting takes this one out of its group, reopening puts it back.
    if (row.causeId) await refreshGroups(tx, [row.causeId], now);
    await emitAudit(tx, actor, {
      action: accepting ? "finding.accept" : "finding.reopen",
      target: { type: "finding", id },
      before,
      after: accepting
        ? { status: "accepted", acceptedReason: body.reason, acceptedUntil: body.expiresAt!.toISOString(), rule: row.rule, subjectId: row.subjectId }
        : { status: "open", reason: body.reason ?? null, rule: row.rule, subjectId: row.subjectId },
      requestId: opts.requestId,
    });
  });
  return getFinding(db, actor, id, now);
}
