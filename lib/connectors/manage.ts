import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { CONNECTOR_KINDS, connectorRuns, connectors, sources } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput, zodDetails } from "@/lib/errors";
import { firstAttributeSecret, secretRefusal } from "@/lib/ingest/secrets/attributes";
import { SOURCE_NAME_RE } from "@/lib/graph/model";
import { newId } from "@/lib/ids";
import { driverFor, DRIVERS } from "./drivers";
import { ConnectorError } from "./errors";
import { runProgress, testConnection, type ConnectorRow, type ConnectorRunRow, type RunLimits } from "./run";
import { describeSchedule, nextSlot, scheduleProblem } from "./schedule";
import { reseal, seal, secretKeyProblem, sealedWithCurrentKey } from "./secret-box";
import type { AnyDriver, FieldSpec } from "./types";

/**
 * Connectors as admins manage them (source.manage) and analysts and auditors
 * see them (import.read). A credential goes in sealed and never comes out: no
 * answer, audit event or log line carries it, only whether and when it was set.
 */

const nameSchema = z.string().trim().min(1, "is required").max(100, "at most 100 characters");
const scheduleSchema = z
  .string()
  .trim()
  .max(100, "at most 100 characters")
  .nullable()
  .refine((s) => s === null || s === "" || scheduleProblem(s) === null, { error: (i) => scheduleProblem(String(i.input)) ?? "is not valid" });
const objectSchema = z.record(z.string(), z.unknown(), { error: "must be an object" });

export const createConnectorSchema = z
  .object({
    name: nameSchema,
    kind: z.enum(CONNECTOR_KINDS, { error: `must be one of ${CONNECTOR_KINDS.join(", ")}` }),
    /** The graph source it writes; default: its name in source form. */
    sourceName: z.string().regex(SOURCE_NAME_RE, "1-100 letters, digits, dot, dash or underscore, starting with a letter or digit").optional(),
    settings: objectSchema.default({}),
    credential: objectSchema.optional(),
    schedule: scheduleSchema.optional(),
    scheduleMode: z.enum(["full", "incremental"], { error: 'must be "full" or "incremental"' }).default("full"),
    enabled: z.boolean({ error: "must be true or false" }).default(true),
  })
  .strict();

export const updateConnectorSchema = z
  .object({
    name: nameSchema.optional(),
    settings: objectSchema.optional(),
    schedule: scheduleSchema.optional(),
    scheduleMode: z.enum(["full", "incremental"], { error: 'must be "full" or "incremental"' }).optional(),
    enabled: z.boolean({ error: "must be true or false" }).optional(),
    /** The version the editor saw; a newer one answers 409 instead of overwriting another admin's change. */
    expectedVersion: z.number({ error: "must be a number" }).int().positive().optional(),
  })
  .strict();

export const credentialInputSchema = z.object({ credential: objectSchema }).strict();
export const runRequestSchema = z.object({ mode: z.enum(["full", "incremental"], { error: 'must be "full" or "incremental"' }).optional() }).strict();

export interface ConnectorKindView {
  kind: string;
  label: string;
  format: string;
  settingsFields: FieldSpec[];
  credentialFields: FieldSpec[];
  defaultSettings: unknown;
}

export interface ConnectorRunView {
  id: string;
  trigger: string;
  mode: string;
  status: string;
  importId: string | null;
  counts: ConnectorRunRow["counts"];
  errorCode: string | null;
  errorMessage: string | null;
  errors: ConnectorRunRow["errors"];
  warnings: string[];
  actorLabel: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** While it runs on this instance: what it is doing. */
  progress: string | null;
}

export interface ConnectorView {
  id: string;
  name: string;
  kind: string;
  label: string;
  sourceName: string;
  settings: Record<string, unknown>;
  /** Whether a credential is stored (its value is never shown), when, and whether under the current key. */
  credentialSet: boolean;
  credentialSetAt: string | null;
  credentialNeedsReseal: boolean;
  schedule: string | null;
  scheduleText: string | null;
  scheduleMode: "full" | "incremental";
  nextRunAt: string | null;
  enabled: boolean;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  lastRun: ConnectorRunView | null;
  /** A queued or running run, if any (the page shows it as pending). */
  activeRun: ConnectorRunView | null;
}

export function kindViews(): ConnectorKindView[] {
  return Object.values(DRIVERS)
    .filter((d): d is AnyDriver => !!d)
    .map((d) => ({
      kind: d.kind,
      label: d.label,
      format: d.format,
      settingsFields: d.settingsFields,
      credentialFields: d.credentialFields,
      defaultSettings: d.defaultSettings,
    }));
}

export function runView(r: ConnectorRunRow): ConnectorRunView {
  return {
    id: r.id,
    trigger: r.trigger,
    mode: r.mode,
    status: r.status,
    importId: r.importId,
    counts: r.counts,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    errors: r.errors,
    warnings: r.warnings,
    actorLabel: r.actorLabel,
    queuedAt: r.queuedAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    durationMs: r.durationMs,
    progress: runProgress.get(r.id) ?? null,
  };
}

function view(c: ConnectorRow, lastRun: ConnectorRunRow | undefined, activeRun: ConnectorRunRow | undefined, now = new Date()): ConnectorView {
  const driver = driverFor(c.kind);
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    label: driver?.label ?? c.kind,
    sourceName: c.sourceName,
    settings: c.settings,
    credentialSet: c.credential !== null,
    credentialSetAt: c.credentialSetAt?.toISOString() ?? null,
    credentialNeedsReseal: c.credential !== null && !secretKeyProblem() && !sealedWithCurrentKey(c.credential),
    schedule: c.schedule,
    scheduleText: c.schedule ? describeSchedule(c.schedule) : null,
    scheduleMode: c.scheduleMode,
    nextRunAt: c.schedule && c.enabled ? nextSlot(c.schedule, now).toISOString() : null,
    enabled: c.enabled,
    version: c.version,
    createdBy: c.createdBy,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    lastRun: lastRun ? runView(lastRun) : null,
    activeRun: activeRun ? runView(activeRun) : null,
  };
}

/** What an audit event may say of a connector: everything but the credential. */
function auditable(c: Pick<ConnectorRow, "name" | "kind" | "sourceName" | "settings" | "schedule" | "scheduleMode" | "enabled">) {
  return { name: c.name, kind: c.kind, sourceName: c.sourceName, settings: c.settings, schedule: c.schedule, scheduleMode: c.scheduleMode, enabled: c.enabled };
}

function requireDriver(kind: string): AnyDriver {
  const d = driverFor(kind);
  if (!d) throw new AppError("validation", "this kind of connector is not available on this server", [{ path: "kind", message: "unavailable" }]);
  return d;
}

/**
 * Settings are shown back and audited, so they must hold no secret: a value the scanner flags (a token pasted in the
 * wrong field, a URL with a password in it) is refused by its path, as an import's attribute would be.
 */
async function checkSettings(driver: AnyDriver, settings: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = driver.settingsSchema.safeParse(settings);
  if (!r.success) {
    const details = zodDetails(r.error.issues as Parameters<typeof zodDetails>[0], "settings");
    throw new AppError("validation", `invalid settings: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, details);
  }
  const secret = await firstAttributeSecret(settings, "settings");
  if (secret) {
    const message = `${secretRefusal(secret)} (credentials go in the credential fields, which are stored encrypted)`;
    throw new AppError("validation", message, [{ path: secret.path, message }]);
  }
  return r.data as Record<string, unknown>;
}

/** Seals a credential after checking it against the driver's schema; refuses without ATTEST_SECRET_KEY. */
function sealCredential(driver: AnyDriver, credential: Record<string, unknown>) {
  const problem = secretKeyProblem();
  if (problem)
    throw new AppError("conflict", `credentials cannot be stored: ${problem}`, [{ path: "credential", message: "no encryption key on this server" }]);
  const r = driver.credentialSchema.safeParse(credential);
  if (!r.success) {
    // zod's messages here are the schema's own words; the values typed are never repeated.
    const details = zodDetails(r.error.issues as Parameters<typeof zodDetails>[0], "credential");
    throw new AppError("validation", `invalid credential: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, details);
  }
  return seal(r.data);
}

async function runsOf(db: Db, ids: string[]): Promise<{ last: Map<string, ConnectorRunRow>; active: Map<string, ConnectorRunRow> }> {
  const last = new Map<string, ConnectorRunRow>();
  const active = new Map<string, ConnectorRunRow>();
  if (!ids.length) return { last, active };
  // The latest finished run and any open one per connector (a few rows each: runs are indexed by connector and time).
  const rows = await db
    .selectDistinctOn([connectorRuns.connectorId, sql`${connectorRuns.status} in ('queued', 'running')`])
    .from(connectorRuns)
    .where(and(inArray(connectorRuns.connectorId, ids), sql`${connectorRuns.trigger} <> 'test'`))
    .orderBy(connectorRuns.connectorId, sql`${connectorRuns.status} in ('queued', 'running')`, desc(connectorRuns.queuedAt));
  for (const r of rows) (r.status === "queued" || r.status === "running" ? active : last).set(r.connectorId, r);
  return { last, active };
}

async function loadRow(db: Db, id: string, lock = false): Promise<ConnectorRow> {
  const q = db.select().from(connectors).where(eq(connectors.id, id));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new AppError("not_found", "connector not found");
  return row;
}

export async function listConnectors(
  db: Db,
  actor: Actor,
): Promise<{ items: ConnectorView[]; total: number; nextCursor: null; secretKeyProblem: string | null }> {
  requirePermission(actor, "import.read");
  const rows = await db.select().from(connectors).orderBy(connectors.name);
  const { last, active } = await runsOf(
    db,
    rows.map((r) => r.id),
  );
  const items = rows.map((r) => view(r, last.get(r.id), active.get(r.id)));
  return { items, total: items.length, nextCursor: null, secretKeyProblem: secretKeyProblem() };
}

export async function getConnector(db: Db, actor: Actor, id: string): Promise<ConnectorView> {
  requirePermission(actor, "import.read");
  const row = await loadRow(db, id);
  const { last, active } = await runsOf(db, [id]);
  return view(row, last.get(id), active.get(id));
}

export async function listConnectorRuns(db: Db, actor: Actor, id: string, limit = 20): Promise<{ items: ConnectorRunView[]; total: number; nextCursor: null }> {
  requirePermission(actor, "import.read");
  await loadRow(db, id);
  const rows = await db.select().from(connectorRuns).where(eq(connectorRuns.connectorId, id)).orderBy(desc(connectorRuns.queuedAt)).limit(limit);
  return { items: rows.map(runView), total: rows.length, nextCursor: null };
}

const slug = (name: string) =>
  name
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 100) || "connector";

export async function createConnector(db: Db, actor: Actor, input: unknown, requestId?: string): Promise<ConnectorView> {
  requirePermission(actor, "source.manage");
  const parsed = parseInput(createConnectorSchema, input);
  const driver = requireDriver(parsed.kind);
  const settings = await checkSettings(driver, parsed.settings);
  const credential = parsed.credential ? sealCredential(driver, parsed.credential) : null;
  const sourceName = parsed.sourceName ?? slug(parsed.name);
  const now = new Date();
  const row = await db.transaction(async (tx) => {
    const [existingSource] = await tx.select({ type: sources.type }).from(sources).where(eq(sources.name, sourceName));
    if (existingSource && existingSource.type !== driver.sourceType)
      throw new AppError("conflict", "a source of another type already has this name; choose another sourceName", [
        { path: "sourceName", message: "taken by another kind of source" },
      ]);
    const [created] = await tx
      .insert(connectors)
      .values({
        id: newId("con"),
        name: parsed.name,
        kind: parsed.kind,
        sourceName,
        settings,
        credential,
        credentialSetAt: credential ? now : null,
        schedule: parsed.schedule || null,
        scheduleMode: parsed.scheduleMode,
        enabled: parsed.enabled,
        // A schedule starts with the next slot, not one that passed before the connector existed.
        lastScheduledAt: now,
        createdBy: actorLabel(actor),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!created) throw new AppError("conflict", "a connector with this name or source already exists", [{ path: "name", message: "already taken" }]);
    await emitAudit(tx, actor, {
      action: "connector.create",
      target: { type: "connector", id: created.id },
      after: { ...auditable(created), credentialSet: credential !== null },
      requestId,
    });
    return created;
  });
  return view(row, undefined, undefined);
}

export async function updateConnector(db: Db, actor: Actor, id: string, input: unknown, requestId?: string): Promise<ConnectorView> {
  requirePermission(actor, "source.manage");
  const parsed = parseInput(updateConnectorSchema, input);
  const row = await db.transaction(async (tx) => {
    const before = await loadRow(tx, id, true);
    if (parsed.expectedVersion !== undefined && parsed.expectedVersion !== before.version)
      throw new AppError("conflict", "the connector was changed since you opened it; reload and apply your change again", [
        { path: "expectedVersion", message: "stale" },
      ]);
    const driver = requireDriver(before.kind);
    const set: Partial<ConnectorRow> = {};
    if (parsed.name !== undefined) set.name = parsed.name;
    if (parsed.settings !== undefined) set.settings = await checkSettings(driver, parsed.settings);
    if (parsed.schedule !== undefined) {
      set.schedule = parsed.schedule || null;
      // A new schedule counts from now: no slot of the old one is run late.
      set.lastScheduledAt = new Date();
    }
    if (parsed.scheduleMode !== undefined) set.scheduleMode = parsed.scheduleMode;
    if (parsed.enabled !== undefined) set.enabled = parsed.enabled;
    const next = { ...before, ...set };
    if (JSON.stringify(auditable(next)) === JSON.stringify(auditable(before))) return before;
    const [updated] = await tx
      .update(connectors)
      .set({ ...set, version: before.version + 1, updatedAt: new Date() })
      .where(eq(connectors.id, id))
      .returning()
      .catch((e: unknown) => {
        if ((e as { code?: string }).code === "23505")
          throw new AppError("conflict", "a connector with this name already exists", [{ path: "name", message: "already taken" }]);
        throw e;
      });
    await emitAudit(tx, actor, {
      action: "connector.update",
      target: { type: "connector", id },
      before: auditable(before),
      after: auditable(updated!),
      requestId,
    });
    return updated!;
  });
  const { last, active } = await runsOf(db, [id]);
  return view(row, last.get(id), active.get(id));
}

/** Stores a new credential (rotation): the old one is gone at once; the audit event says only that it changed. */
export async function setConnectorCredential(db: Db, actor: Actor, id: string, input: unknown, requestId?: string): Promise<ConnectorView> {
  requirePermission(actor, "source.manage");
  const { credential } = parseInput(credentialInputSchema, input);
  const row = await db.transaction(async (tx) => {
    const before = await loadRow(tx, id, true);
    const sealed = sealCredential(requireDriver(before.kind), credential);
    const now = new Date();
    const [updated] = await tx
      .update(connectors)
      .set({ credential: sealed, credentialSetAt: now, version: before.version + 1, updatedAt: now })
      .where(eq(connectors.id, id))
      .returning();
    await emitAudit(tx, actor, {
      action: "connector.credential.set",
      target: { type: "connector", id },
      before: { credentialSet: before.credential !== null, credentialSetAt: before.credentialSetAt?.toISOString() ?? null },
      after: { credentialSet: true, credentialSetAt: now.toISOString() },
      requestId,
    });
    return updated!;
  });
  const { last, active } = await runsOf(db, [id]);
  return view(row, last.get(id), active.get(id));
}

/** Removes a connector and its run history; the graph source it wrote stays (end it with a full import of nothing). */
export async function deleteConnector(db: Db, actor: Actor, id: string, requestId?: string): Promise<void> {
  requirePermission(actor, "source.manage");
  await db.transaction(async (tx) => {
    const before = await loadRow(tx, id, true);
    await tx.delete(connectors).where(eq(connectors.id, id));
    await emitAudit(tx, actor, {
      action: "connector.delete",
      target: { type: "connector", id },
      before: { ...auditable(before), credentialSet: before.credential !== null },
      requestId,
    });
  });
}

/**
 * Queues a run (the caller enqueues its job after this commits). One open run
 * per connector: a second request while one is queued or running answers 409.
 */
export async function requestRun(
  db: Db,
  actor: Actor,
  id: string,
  input: unknown,
  opts: { trigger?: "manual" | "schedule"; requestId?: string } = {},
): Promise<ConnectorRunView> {
  requirePermission(actor, "source.manage");
  const parsed = parseInput(runRequestSchema, input ?? {});
  const run = await db.transaction(async (tx) => {
    const row = await loadRow(tx, id, true);
    if (!row.credential) throw new AppError("conflict", "set the connector's credential before running it", [{ path: "credential", message: "not set" }]);
    const [open] = await tx
      .select({ id: connectorRuns.id })
      .from(connectorRuns)
      .where(and(eq(connectorRuns.connectorId, id), inArray(connectorRuns.status, ["queued", "running"])));
    if (open) throw new AppError("conflict", "a run of this connector is already queued or running", [{ path: "id", message: "busy" }]);
    const [created] = await tx
      .insert(connectorRuns)
      .values({
        id: newId("crun"),
        connectorId: id,
        trigger: opts.trigger ?? "manual",
        mode: parsed.mode ?? "full",
        status: "queued",
        actorLabel: actorLabel(actor),
      })
      .returning();
    await emitAudit(tx, actor, {
      action: "connector.run.request",
      target: { type: "connector", id },
      after: { runId: created!.id, mode: created!.mode, trigger: created!.trigger },
      requestId: opts.requestId,
    });
    return created!;
  });
  return runView(run);
}

/**
 * "Test connection": one authenticated call now (bounded to 20 s), recorded as
 * a run of trigger "test" and audited, so the page shows the last test.
 */
export async function testConnector(
  db: Db,
  actor: Actor,
  id: string,
  requestId?: string,
  limits: RunLimits = {},
): Promise<{ ok: boolean; code: string | null; message: string; run: ConnectorRunView }> {
  requirePermission(actor, "source.manage");
  const row = await loadRow(db, id);
  const started = new Date();
  const result = await testConnection(db, row, limits);
  const finished = new Date();
  const run = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(connectorRuns)
      .values({
        id: newId("crun"),
        connectorId: id,
        trigger: "test",
        mode: "full",
        status: result.ok ? "succeeded" : "failed",
        errorCode: result.ok ? null : result.code,
        errorMessage: result.ok ? null : result.message,
        warnings: result.ok ? [result.message] : [],
        actorLabel: actorLabel(actor),
        queuedAt: started,
        startedAt: started,
        finishedAt: finished,
        durationMs: finished.getTime() - started.getTime(),
      })
      .returning();
    await emitAudit(tx, actor, {
      action: "connector.test",
      target: { type: "connector", id },
      after: { ok: result.ok, code: result.ok ? null : result.code },
      requestId,
    });
    return created!;
  });
  return { ok: result.ok, code: result.ok ? null : result.code, message: result.message, run: runView(run) };
}

/** After a key rotation: re-wraps every credential under the current ATTEST_SECRET_KEY (the previous one must still be set). */
export async function resealCredentials(db: Db, actor: Actor, requestId?: string): Promise<{ resealed: number; failed: number }> {
  requirePermission(actor, "source.manage");
  const problem = secretKeyProblem();
  if (problem) throw new AppError("conflict", problem);
  return db.transaction(async (tx) => {
    const rows = await tx.select({ id: connectors.id, credential: connectors.credential }).from(connectors).for("update");
    let resealed = 0;
    let failed = 0;
    for (const r of rows) {
      if (!r.credential || sealedWithCurrentKey(r.credential)) continue;
      try {
        await tx
          .update(connectors)
          .set({ credential: reseal(r.credential) })
          .where(eq(connectors.id, r.id));
        resealed++;
      } catch (e) {
        if (!(e instanceof ConnectorError)) throw e;
        failed++;
      }
    }
    await emitAudit(tx, actor, { action: "connector.credentials.reseal", target: { type: "connectors", id: "all" }, after: { resealed, failed }, requestId });
    return { resealed, failed };
  });
}
