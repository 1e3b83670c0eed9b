import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { nodes, sources } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { generateToken } from "@/lib/authz/tokens";
import { AppError, parseInput } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { SOURCE_NAME_RE } from "@/lib/graph/model";

export const createSourceSchema = z
  .object({
    name: z.string().regex(SOURCE_NAME_RE, "1-100 letters, digits, dot, dash or underscore, starting with a letter or digit"),
    /** Only SCIM sources are created here; import sources come into being with their first import. */
    type: z.literal("scim", { error: 'must be "scim"' }),
    description: z.string().trim().max(500, "at most 500 characters").optional(),
  })
  .strict();

/** PATCH /api/v1/sources/{id}: disable or enable a source (its SCIM token is refused while disabled). */
export const updateSourceSchema = z
  .object({
    status: z.enum(["active", "disabled"], { error: 'must be "active" or "disabled"' }),
  })
  .strict();

export interface SourceView {
  id: string;
  name: string;
  type: string;
  description: string | null;
  /** Whether a SCIM token is set (its value is never shown after it is issued). */
  scimEnabled: boolean;
  /** "disabled" while an admin has disabled it: its SCIM token is refused. */
  status: "active" | "disabled";
  disabledAt: string | null;
  /** When the SCIM token last authenticated a request (to the minute). */
  scimTokenLastUsedAt: string | null;
  /** Last import, or last SCIM write. */
  lastImportAt: string | null;
  createdAt: string;
  /** Current (not end-dated) nodes of this source. */
  nodeCount: number;
  nodeCounts: Record<string, number>;
}

type SourceRow = typeof sources.$inferSelect;

function view(s: SourceRow, counts: Record<string, number> = {}): SourceView {
  return {
    id: s.id,
    name: s.name,
    type: s.type,
    description: s.description,
    scimEnabled: s.scimTokenHash !== null,
    status: s.disabledAt ? "disabled" : "active",
    disabledAt: s.disabledAt?.toISOString() ?? null,
    scimTokenLastUsedAt: s.scimTokenLastUsedAt?.toISOString() ?? null,
    lastImportAt: s.lastImportAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
    nodeCount: Object.values(counts).reduce((a, b) => a + b, 0),
    nodeCounts: counts,
  };
}

/**
 * Creates a SCIM source and its bearer token. The token is in this answer only:
 * the source keeps its SHA-256, and the audit event records the token's prefix, never the token.
 */
export async function createSource(db: Db, actor: Actor, input: unknown, requestId?: string): Promise<{ source: SourceView; scimToken: string }> {
  requirePermission(actor, "source.manage");
  const parsed = parseInput(createSourceSchema, input);
  const { token, hash, prefix } = generateToken();
  const row = await db.transaction(async (tx) => {
    // The unique name index decides between concurrent creators; the loser gets a 409, not a 500.
    const [created] = await tx
      .insert(sources)
      .values({ id: newId("src"), name: parsed.name, type: parsed.type, description: parsed.description ?? null, scimTokenHash: hash })
      .onConflictDoNothing()
      .returning();
    if (!created) throw new AppError("conflict", `a source named ${parsed.name} already exists`, [{ path: "name", message: "already taken" }]);
    await emitAudit(tx, actor, {
      action: "source.create",
      target: { type: "source", id: created.id },
      after: { name: created.name, type: created.type, description: created.description, scimTokenPrefix: prefix },
      requestId,
    });
    return created;
  });
  return { source: view(row), scimToken: token };
}

/** Issues a new SCIM token for a SCIM source; the old one stops working at once. */
export async function rotateScimToken(db: Db, actor: Actor, sourceId: string, requestId?: string): Promise<{ source: SourceView; scimToken: string }> {
  requirePermission(actor, "source.manage");
  const { token, hash, prefix } = generateToken();
  return db.transaction(async (tx) => {
    const [src] = await tx.select().from(sources).where(eq(sources.id, sourceId)).for("update");
    if (!src) throw new AppError("not_found", "source not found");
    if (src.type !== "scim") throw new AppError("conflict", `${src.name} is a ${src.type} source; only SCIM sources have a SCIM token`);
    const [updated] = await tx
      .update(sources)
      .set({ scimTokenHash: hash, scimTokenLastUsedAt: null, updatedAt: new Date() })
      .where(eq(sources.id, src.id))
      .returning();
    await emitAudit(tx, actor, {
      action: "source.scim_token.rotate",
      target: { type: "source", id: src.id },
      before: { scimEnabled: src.scimTokenHash !== null },
      after: { scimEnabled: true, scimTokenPrefix: prefix },
      requestId,
    });
    return { source: view(updated!, (await countNodes(tx, [src.id])).get(src.id)), scimToken: token };
  });
}

/**
 * Disables or enables a source (source.manage). A disabled SCIM source's token is refused by /scim/v2 at once
 * (lib/scim/auth.ts) and works again when it is enabled; its nodes stay as they are. Setting the state it already
 * has changes nothing and writes no event.
 */
export async function setSourceStatus(db: Db, actor: Actor, sourceId: string, input: unknown, requestId?: string): Promise<SourceView> {
  requirePermission(actor, "source.manage");
  const { status } = parseInput(updateSourceSchema, input);
  return db.transaction(async (tx) => {
    const [src] = await tx.select().from(sources).where(eq(sources.id, sourceId)).for("update");
    if (!src) throw new AppError("not_found", "source not found");
    const was = src.disabledAt ? "disabled" : "active";
    if (was === status) return view(src, (await countNodes(tx, [src.id])).get(src.id));
    const now = new Date();
    const [updated] = await tx
      .update(sources)
      .set({ disabledAt: status === "disabled" ? now : null, updatedAt: now })
      .where(eq(sources.id, src.id))
      .returning();
    await emitAudit(tx, actor, {
      action: status === "disabled" ? "source.disable" : "source.enable",
      target: { type: "source", id: src.id },
      before: { status: was },
      after: { status },
      requestId,
    });
    return view(updated!, (await countNodes(tx, [src.id])).get(src.id));
  });
}

/** Current node counts by source, then by kind. */
async function countNodes(db: Db, sourceIds?: string[]): Promise<Map<string, Record<string, number>>> {
  const rows = await db
    .select({ sourceId: nodes.sourceId, kind: nodes.kind, n: sql<number>`count(*)::int` })
    .from(nodes)
    .where(and(isNull(nodes.validTo), sourceIds ? inArray(nodes.sourceId, sourceIds) : undefined))
    .groupBy(nodes.sourceId, nodes.kind);
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) out.set(r.sourceId, { ...out.get(r.sourceId), [r.kind]: r.n });
  return out;
}

export const listSourcesQuerySchema = z
  .object({
    /** Only sources of this type (e.g. `scim`). */
    type: z.string().trim().min(1, "must not be empty").max(40, "at most 40 characters").optional(),
  })
  .strict();

/** Every source (or those of one type) with its current node counts by kind, by name. */
export async function listSources(
  db: Db,
  actor: Actor,
  q: z.infer<typeof listSourcesQuerySchema> = {},
): Promise<{ items: SourceView[]; total: number; nextCursor: null }> {
  requirePermission(actor, "graph.read");
  const rows = await db
    .select()
    .from(sources)
    .where(q.type ? eq(sources.type, q.type) : undefined)
    .orderBy(asc(sources.name));
  const counts = rows.length ? await countNodes(db, q.type ? rows.map((r) => r.id) : undefined) : new Map<string, Record<string, number>>();
  const items = rows.map((s) => view(s, counts.get(s.id)));
  return { items, total: items.length, nextCursor: null };
}
