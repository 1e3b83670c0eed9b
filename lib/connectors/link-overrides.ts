import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { identityLinkOverrides } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { refText } from "./linking";

/**
 * An admin's word on two accounts (lib/connectors/linking.ts rule 3): `link`
 * joins them, `never` keeps them apart. Takes effect when the linking job runs
 * next (queued by the route after this commits).
 */
export const linkOverrideSchema = z
  .object({
    personNodeId: z.string().trim().min(1, "is required").max(100, "at most 100 characters"),
    accountNodeId: z.string().trim().min(1, "is required").max(100, "at most 100 characters"),
    decision: z.enum(["link", "never"], { error: 'must be "link" or "never"' }),
    reason: z.string().trim().max(500, "at most 500 characters").optional(),
  })
  .strict();

export interface LinkOverrideView {
  id: string;
  personRef: string;
  accountRef: string;
  decision: "link" | "never";
  reason: string | null;
  actorLabel: string;
  createdAt: string;
}

const view = (r: typeof identityLinkOverrides.$inferSelect): LinkOverrideView => ({
  id: r.id,
  personRef: r.personRef,
  accountRef: r.accountRef,
  decision: r.decision,
  reason: r.reason,
  actorLabel: r.actorLabel,
  createdAt: r.createdAt.toISOString(),
});

async function humanRef(db: Db, id: string, path: string): Promise<string> {
  const [n] = await rows<{ source: string; kind: string; externalId: string }>(
    db,
    sql`select s.name as source, n.kind, n.external_id as "externalId" from nodes n join sources s on s.id = n.source_id where n.id = ${id} and n.valid_to is null`,
  );
  if (!n) throw new AppError("validation", `${path} is not a current node`, [{ path, message: "not found" }]);
  if (n.kind !== "human") throw new AppError("validation", `${path} must be a human (an account of a person)`, [{ path, message: "not a human" }]);
  return refText(n);
}

export async function setLinkOverride(db: Db, actor: Actor, input: unknown, requestId?: string): Promise<LinkOverrideView> {
  requirePermission(actor, "source.manage");
  const parsed = parseInput(linkOverrideSchema, input);
  if (parsed.personNodeId === parsed.accountNodeId)
    throw new AppError("validation", "an account cannot be linked to itself", [{ path: "accountNodeId", message: "same as personNodeId" }]);
  return db.transaction(async (tx) => {
    const personRef = await humanRef(tx, parsed.personNodeId, "personNodeId");
    const accountRef = await humanRef(tx, parsed.accountNodeId, "accountNodeId");
    // One decision per pair, whichever way round it was given.
    const [prev] = await rows<typeof identityLinkOverrides.$inferSelect>(
      tx,
      sql`select id, decision from identity_link_overrides where (person_ref = ${personRef} and account_ref = ${accountRef}) or (person_ref = ${accountRef} and account_ref = ${personRef}) for update`,
    );
    if (prev) await tx.delete(identityLinkOverrides).where(eq(identityLinkOverrides.id, prev.id));
    const [row] = await tx
      .insert(identityLinkOverrides)
      .values({ id: newId("ilo"), personRef, accountRef, decision: parsed.decision, reason: parsed.reason ?? null, actorLabel: actorLabel(actor) })
      .returning();
    await emitAudit(tx, actor, {
      action: "identity_link.override.set",
      target: { type: "identity_link_override", id: row!.id },
      before: prev ? { decision: prev.decision } : undefined,
      after: { personRef, accountRef, decision: parsed.decision, reason: parsed.reason ?? null },
      requestId,
    });
    return view(row!);
  });
}

export async function deleteLinkOverride(db: Db, actor: Actor, id: string, requestId?: string): Promise<void> {
  requirePermission(actor, "source.manage");
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(identityLinkOverrides).where(eq(identityLinkOverrides.id, id)).for("update");
    if (!row) throw new AppError("not_found", "override not found");
    await tx.delete(identityLinkOverrides).where(eq(identityLinkOverrides.id, id));
    await emitAudit(tx, actor, { action: "identity_link.override.delete", target: { type: "identity_link_override", id }, before: view(row), requestId });
  });
}

export async function listLinkOverrides(db: Db, actor: Actor): Promise<{ items: LinkOverrideView[]; total: number; nextCursor: null }> {
  requirePermission(actor, "graph.read");
  const list = await db.select().from(identityLinkOverrides).orderBy(identityLinkOverrides.createdAt);
  return { items: list.map(view), total: list.length, nextCursor: null };
}
