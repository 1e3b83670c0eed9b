import { desc, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { pdpPolicies } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { bumpPdpState } from "@/lib/db/pdp-state";
import { AppError, zodDetails } from "@/lib/errors";
import { policySchema, type PdpPolicy } from "./policy";
import { readPolicy } from "./load-state";

export interface PolicyView {
  /** 0 = nothing stored yet: the defaults are in force. */
  version: number;
  policy: PdpPolicy;
  changedBy: string | null;
  changedAt: string | null;
  reason: string | null;
}

/** GET /api/v1/pdp/policy: the policy in force and its version (admins; the settings page). */
export async function getPdpPolicy(db: Db, actor: Actor): Promise<PolicyView> {
  requirePermission(actor, "admin.settings");
  const [row] = await db.select().from(pdpPolicies).orderBy(desc(pdpPolicies.version)).limit(1);
  const { version, policy } = await readPolicy(db);
  return { version, policy, changedBy: row?.changedBy ?? null, changedAt: row?.createdAt.toISOString() ?? null, reason: row?.reason ?? null };
}

const putSchema = z.strictObject({
  /** The version the edit was made on (0 when none was stored): a newer one in force is a 409. */
  version: z.number().int().min(0),
  policy: z.unknown(),
  reason: z.string().trim().max(500).optional(),
});

/**
 * PUT /api/v1/pdp/policy: `{ version, policy, reason? }` stores the policy as the next version (rows are never
 * updated), audited in the same transaction, and bumps pdp_state so every instance's decision point takes it up.
 * Optimistic concurrency: `version` must be the one in force, else 409 (someone else changed it meanwhile).
 */
export async function putPdpPolicy(db: Db, actor: Actor, input: unknown, opts: { requestId?: string } = {}): Promise<PolicyView> {
  requirePermission(actor, "admin.settings");
  const body = putSchema.safeParse(input);
  if (!body.success) {
    const details = zodDetails(body.error.issues);
    throw new AppError("validation", `invalid policy edit: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, details);
  }
  const parsed = policySchema.safeParse(body.data.policy ?? {});
  if (!parsed.success) {
    const details = zodDetails(parsed.error.issues, "policy");
    throw new AppError("validation", `invalid policy: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, details);
  }
  const policy = parsed.data;
  return db.transaction(async (tx) => {
    // Serialise editors: the version read and the insert below must not interleave with another edit.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('attest_pdp_policy'))`);
    const current = await readPolicy(tx);
    if (current.version !== body.data.version)
      throw new AppError("conflict", `the policy changed since version ${body.data.version}: it is now version ${current.version}; reload and edit again`, [
        { path: "version", message: "not the version in force" },
      ]);
    const version = current.version + 1;
    const [row] = await tx
      .insert(pdpPolicies)
      .values({
        version,
        policy: policy as unknown as Record<string, unknown>,
        changedById: actor.id,
        changedBy: actorLabel(actor),
        reason: body.data.reason ?? null,
      })
      .returning();
    await emitAudit(tx, actor, {
      action: "pdp.policy.update",
      target: { type: "pdp_policy", id: String(version) },
      before: { version: current.version, policy: current.policy },
      after: { version, policy, reason: body.data.reason ?? null },
      requestId: opts.requestId,
    });
    await bumpPdpState(tx);
    return { version, policy, changedBy: row!.changedBy, changedAt: row!.createdAt.toISOString(), reason: row!.reason };
  });
}
