import { count, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { campaignTriggerFirings, nodes, ssfEvents, ssfTransmitters } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { forgetRemoteKeys, SET_ALGORITHMS } from "./verify";

/**
 * Shared Signals transmitters allowed to push SETs to /api/v1/ssf/events: the
 * issuer their SETs carry, the audience they must name (this receiver), and
 * their public signing keys — a key set given inline or the URL it is
 * published at. Admin only (admin.settings); every change audited. A key set
 * holding private or symmetric key material is refused: the receiver needs
 * public keys only, and must never hold a transmitter's secret.
 */

/** JWK members that are private (RSA, EC, OKP) or symmetric (`k`): never accepted. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

const b64url = z
  .string()
  .max(2048)
  .regex(/^[A-Za-z0-9_-]+$/, "must be base64url");
const jwk = z
  .object({
    kty: z.enum(["RSA", "EC", "OKP"], { error: "must be RSA, EC or OKP (a public key)" }),
    kid: z.string().max(200).optional(),
    use: z.literal("sig").optional(),
    alg: z
      .string()
      .refine((a) => SET_ALGORITHMS.includes(a), `must be one of ${SET_ALGORITHMS.join(", ")}`)
      .optional(),
    key_ops: z.array(z.literal("verify")).max(1).optional(),
    n: b64url.optional(),
    e: b64url.optional(),
    crv: z.enum(["P-256", "P-384", "P-521", "Ed25519", "Ed448"]).optional(),
    x: b64url.optional(),
    y: b64url.optional(),
    x5c: z.array(z.string().max(8192)).max(5).optional(),
    x5t: z.string().max(200).optional(),
    "x5t#S256": z.string().max(200).optional(),
  })
  .passthrough()
  .superRefine((k, ctx) => {
    for (const m of PRIVATE_MEMBERS)
      if (m in k) ctx.addIssue({ code: "custom", path: [m], message: "private or secret key material is not accepted: give the public key only" });
    const need = k.kty === "RSA" ? ["n", "e"] : k.kty === "EC" ? ["crv", "x", "y"] : ["crv", "x"];
    for (const m of need) if (!(m in k)) ctx.addIssue({ code: "custom", path: [m], message: `is required for a ${k.kty} key` });
    const known = new Set(["kty", "kid", "use", "alg", "key_ops", "n", "e", "crv", "x", "y", "x5c", "x5t", "x5t#S256"]);
    for (const m of Object.keys(k))
      if (!known.has(m) && !PRIVATE_MEMBERS.includes(m)) ctx.addIssue({ code: "custom", path: [m], message: "is not a known public key member" });
  });

const jwks = z.object({ keys: z.array(jwk).min(1, "give at least one key").max(20) }).strict();
const httpsUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password;
    } catch {
      return false;
    }
  }, "must be an http(s) URL without credentials");

export const transmitterSchema = z
  .object({
    name: z.string().trim().min(1, "is required").max(200),
    issuer: z.string().trim().min(1, "is required").max(500),
    audience: z.string().trim().min(1, "is required").max(500),
    jwksUrl: httpsUrl.optional(),
    jwks: jwks.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const transmitterUpdateSchema = z
  .object({
    name: z.string().trim().min(1, "is required").max(200).optional(),
    audience: z.string().trim().min(1, "is required").max(500).optional(),
    jwksUrl: httpsUrl.nullable().optional(),
    jwks: jwks.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const ssfEventsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }).strict();
export const transmittersQuerySchema = z.object({}).strict();

type TransmitterRow = typeof ssfTransmitters.$inferSelect;

export interface TransmitterView {
  id: string;
  name: string;
  issuer: string;
  audience: string;
  jwksUrl: string | null;
  /** The inline public keys, described (kid, type, algorithm, curve). */
  keys: { kid: string | null; kty: string; alg: string | null; crv: string | null }[];
  enabled: boolean;
  lastEventAt: string | null;
  events: number;
  createdAt: string;
  updatedAt: string;
}

function keySource(jwksUrl: string | null | undefined, set: unknown): void {
  if (!jwksUrl && !set) throw new AppError("validation", "give the transmitter's keys: jwksUrl or jwks", [{ path: "jwks", message: "give jwksUrl or jwks" }]);
  if (jwksUrl && set) throw new AppError("validation", "give jwksUrl or jwks, not both", [{ path: "jwks", message: "give jwksUrl or jwks, not both" }]);
}

async function views(db: Db, rows: TransmitterRow[]): Promise<TransmitterView[]> {
  if (rows.length === 0) return [];
  const counts = await db
    .select({ id: ssfEvents.transmitterId, n: count() })
    .from(ssfEvents)
    .where(sql`${ssfEvents.transmitterId} = any(${sql.param(rows.map((r) => r.id))}::text[])`)
    .groupBy(ssfEvents.transmitterId);
  const n = new Map(counts.map((c) => [c.id, c.n]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    issuer: r.issuer,
    audience: r.audience,
    jwksUrl: r.jwksUrl,
    keys: (r.jwks?.keys ?? []).map((k) => ({
      kid: typeof k.kid === "string" ? k.kid : null,
      kty: String(k.kty),
      alg: typeof k.alg === "string" ? k.alg : null,
      crv: typeof k.crv === "string" ? k.crv : null,
    })),
    enabled: r.enabled,
    lastEventAt: r.lastEventAt?.toISOString() ?? null,
    events: n.get(r.id) ?? 0,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }));
}

const auditShape = (r: TransmitterRow) => ({
  name: r.name,
  issuer: r.issuer,
  audience: r.audience,
  jwksUrl: r.jwksUrl,
  keys: (r.jwks?.keys ?? []).map((k) => ({ kid: k.kid ?? null, kty: k.kty, alg: k.alg ?? null })),
  enabled: r.enabled,
});

export async function listTransmitters(db: Db, actor: Actor): Promise<{ items: TransmitterView[] }> {
  requirePermission(actor, "admin.settings");
  return { items: await views(db, await db.select().from(ssfTransmitters).orderBy(ssfTransmitters.name, ssfTransmitters.id)) };
}

export async function createTransmitter(db: Db, actor: Actor, input: unknown, opts: { requestId?: string } = {}): Promise<TransmitterView> {
  requirePermission(actor, "admin.settings");
  const d = parseInput(transmitterSchema, input);
  keySource(d.jwksUrl, d.jwks);
  const row = await db.transaction(async (tx) => {
    const [dup] = await tx.select({ id: ssfTransmitters.id }).from(ssfTransmitters).where(eq(ssfTransmitters.issuer, d.issuer));
    if (dup) throw new AppError("conflict", "a transmitter with this issuer exists", [{ path: "issuer", message: "already configured" }]);
    const [created] = await tx
      .insert(ssfTransmitters)
      .values({
        id: newId("ssft"),
        name: d.name,
        issuer: d.issuer,
        audience: d.audience,
        jwksUrl: d.jwksUrl ?? null,
        jwks: d.jwks ?? null,
        enabled: d.enabled ?? true,
      })
      .returning();
    await emitAudit(tx, actor, {
      action: "ssf.transmitter_create",
      target: { type: "ssf_transmitter", id: created!.id },
      after: auditShape(created!),
      requestId: opts.requestId,
    });
    return created!;
  });
  return (await views(db, [row]))[0]!;
}

/** Changes a transmitter (its issuer stays: recorded events name it). `enabled: false` disables it: its SETs are refused (access_denied). */
export async function updateTransmitter(db: Db, actor: Actor, id: string, input: unknown, opts: { requestId?: string } = {}): Promise<TransmitterView> {
  requirePermission(actor, "admin.settings");
  const d = parseInput(transmitterUpdateSchema, input);
  const row = await db.transaction(async (tx) => {
    const [before] = await tx.select().from(ssfTransmitters).where(eq(ssfTransmitters.id, id)).for("update");
    if (!before) throw new AppError("not_found", "transmitter not found");
    const jwksUrl = d.jwksUrl === undefined ? before.jwksUrl : d.jwksUrl;
    const set = d.jwks === undefined ? before.jwks : d.jwks;
    // Giving one kind of key source replaces the other.
    const next = {
      jwksUrl: d.jwks ? null : jwksUrl,
      jwks: d.jwksUrl ? null : set,
    };
    keySource(next.jwksUrl, next.jwks);
    const [after] = await tx
      .update(ssfTransmitters)
      .set({
        ...(d.name !== undefined ? { name: d.name } : {}),
        ...(d.audience !== undefined ? { audience: d.audience } : {}),
        ...next,
        ...(d.enabled !== undefined ? { enabled: d.enabled } : {}),
        updatedAt: new Date(),
      })
      .where(eq(ssfTransmitters.id, id))
      .returning();
    await emitAudit(tx, actor, {
      action: d.enabled === false && before.enabled ? "ssf.transmitter_disable" : "ssf.transmitter_update",
      target: { type: "ssf_transmitter", id },
      before: auditShape(before),
      after: auditShape(after!),
      requestId: opts.requestId,
    });
    return after!;
  });
  forgetRemoteKeys(db);
  return (await views(db, [row]))[0]!;
}

export interface SsfEventView {
  id: string;
  transmitter: { id: string; name: string };
  issuer: string;
  jti: string;
  eventTypes: string[];
  node: { id: string; name: string } | null;
  outcome: "matched" | "no_match";
  issuedAt: string | null;
  receivedAt: string;
  /** What the trigger rules did with it (once the trigger job has run). */
  firings: { ruleId: string; outcome: string; campaignId: string | null }[];
}

/** The latest SETs received, newest first, with what they matched. */
export async function listSsfEvents(db: Db, actor: Actor, q: { limit?: number } = {}): Promise<{ items: SsfEventView[] }> {
  requirePermission(actor, "admin.settings");
  const rows = await db
    .select({ e: ssfEvents, t: { id: ssfTransmitters.id, name: ssfTransmitters.name }, nodeName: nodes.name })
    .from(ssfEvents)
    .innerJoin(ssfTransmitters, eq(ssfTransmitters.id, ssfEvents.transmitterId))
    .leftJoin(nodes, eq(nodes.id, ssfEvents.nodeId))
    .orderBy(desc(ssfEvents.receivedAt), desc(ssfEvents.id))
    .limit(q.limit ?? 50);
  const keys = rows.map((r) => `ssf:${r.e.id}`);
  const fired = keys.length
    ? await db
        .select({
          key: campaignTriggerFirings.dedupeKey,
          ruleId: campaignTriggerFirings.ruleId,
          outcome: campaignTriggerFirings.outcome,
          campaignId: campaignTriggerFirings.campaignId,
        })
        .from(campaignTriggerFirings)
        .where(inArray(campaignTriggerFirings.dedupeKey, keys))
    : [];
  return {
    items: rows.map(({ e, t, nodeName }) => ({
      id: e.id,
      transmitter: t,
      issuer: e.issuer,
      jti: e.jti,
      eventTypes: e.eventTypes,
      node: e.nodeId ? { id: e.nodeId, name: nodeName ?? e.nodeId } : null,
      outcome: e.outcome,
      issuedAt: e.issuedAt?.toISOString() ?? null,
      receivedAt: e.receivedAt.toISOString(),
      firings: fired.filter((f) => f.key === `ssf:${e.id}`).map(({ ruleId, outcome, campaignId }) => ({ ruleId, outcome, campaignId })),
    })),
  };
}
