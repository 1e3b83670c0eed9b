import { and, eq, lt, or } from "drizzle-orm";
import type { Db, DatabaseKind } from "@/db/client";
import { connectorRuns, connectors, type ConnectorRunCounts } from "@/db/schema";
import { loadOutboundPolicy } from "@/lib/admin/outbound-settings";
import { systemActor } from "@/lib/authz/actor";
import type { ErrorDetail } from "@/lib/errors";
import { errorForLog } from "@/lib/errors/log-safe";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { currentInstanceId, instanceIsDead } from "@/lib/instance";
import { createOutboundFetch } from "@/lib/net/outbound";
import { AnswerBundle } from "./bundle";
import { driverFor } from "./drivers";
import { CONNECTOR_FAILURES, ConnectorError } from "./errors";
import { politeFetch, type PoliteFetchOptions } from "./http";
import { open } from "./secret-box";
import type { AnyDriver, CollectContext } from "./types";

export type ConnectorRow = typeof connectors.$inferSelect;
export type ConnectorRunRow = typeof connectorRuns.$inferSelect;

/** Limits of one run's calls; the environment may lower the retries (ATTEST_CONNECTOR_MAX_RETRIES). */
export interface RunLimits extends Partial<PoliteFetchOptions> {
  /** Whole collection, all calls and waits together. */
  timeoutMs?: number;
}

const g = globalThis as typeof globalThis & { __attestConnectorProgress?: Map<string, string> };
/** What each run in this process is doing now, by run id (shown on the admin page while it runs). */
export const runProgress: Map<string, string> = (g.__attestConnectorProgress ??= new Map());

function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): RunLimits {
  const n = Number(env.ATTEST_CONNECTOR_MAX_RETRIES);
  return Number.isInteger(n) && n >= 0 && n <= 20 ? { maxRetries: n } : {};
}

/** Opens the credential and checks settings and credential against the driver's schemas. */
function prepare(row: ConnectorRow, driver: AnyDriver): { settings: unknown; credential: unknown } {
  if (!row.credential) throw new ConnectorError("no_credential");
  const credential = driver.credentialSchema.safeParse(open(row.credential));
  if (!credential.success) throw new ConnectorError("no_credential", { detail: "the stored credential lacks a field this connector needs: enter it again" });
  const settings = driver.settingsSchema.safeParse(row.settings);
  if (!settings.success) throw new ConnectorError("internal", { detail: "the stored settings no longer pass the connector's checks: edit and save them" });
  return { settings: settings.data, credential: credential.data };
}

/** Every string in the settings (an org, a tenant, an account), and each of their URL path segments, for callShape to hide. */
function settingValues(settings: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string") {
      out.push(v);
      if (/^https?:\/\//i.test(v)) {
        try {
          out.push(...new URL(v).pathname.split("/").filter(Boolean));
        } catch {
          // not a URL after all
        }
      }
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(settings);
  return out;
}

/** The context a driver collects with: the outbound client, the connector's hosts allowed for its own calls. */
async function context(db: Db, row: ConnectorRow, driver: AnyDriver, limits: RunLimits, onProgress: (m: string) => void) {
  const { settings, credential } = prepare(row, driver);
  const policy = await loadOutboundPolicy(db);
  const outbound = createOutboundFetch({
    policy: { allowHosts: [...policy.allowHosts, ...driver.hosts(settings)], allowPrivateRanges: policy.allowPrivateRanges },
    timeoutMs: 60_000,
    maxResponseBytes: 64 * 1024 * 1024,
  });
  const signal = AbortSignal.timeout(limits.timeoutMs ?? 60 * 60_000);
  const polite = politeFetch(outbound, { ...limitsFromEnv(), ...limits, signal, hide: settingValues(settings) });
  const bundle = new AnswerBundle();
  const ctx: CollectContext<unknown, unknown> = { settings, credential, fetch: polite.fetch, bundle, signal, progress: onProgress };
  return { ctx, polite };
}

/** What a thrown error means for the run: ours as it is, else what the outbound client recorded, else internal. */
function failureOf(e: unknown, recorded: ConnectorError | undefined): ConnectorError {
  if (e instanceof ConnectorError) return e;
  if (recorded) return recorded;
  return new ConnectorError("internal");
}

/** "Test connection": one cheap authenticated call, answered in words. Never writes to the graph. */
export async function testConnection(
  db: Db,
  row: ConnectorRow,
  limits: RunLimits = {},
): Promise<{ ok: true; message: string } | { ok: false; code: string; message: string }> {
  const driver = driverFor(row.kind);
  if (!driver) return { ok: false, code: "internal", message: "no driver for this connector's kind" };
  let polite: ReturnType<typeof politeFetch> | undefined;
  try {
    const c = await context(db, row, driver, { maxRetries: 1, maxWaitMs: 5_000, timeoutMs: 20_000, ...limits }, () => undefined);
    polite = c.polite;
    return { ok: true, message: await driver.test(c.ctx) };
  } catch (e) {
    const f = failureOf(e, polite?.failure());
    if (f.failure === "internal") console.error(`[connectors] test of ${row.id} failed:`, errorForLog(e));
    return { ok: false, code: f.failure, message: f.message };
  }
}

function countByKind(items: { kind: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i.kind] = (out[i.kind] ?? 0) + 1;
  return out;
}

/**
 * Runs one queued connector run to the end: collect through the SDK, convert,
 * import (one transaction, all or nothing, audited by the import engine). Any
 * failure fails the run with a clear message and nothing written. Returns the
 * finished run. A run that is not queued (already taken by another delivery)
 * is returned as it is.
 */
export async function executeRun(db: Db, runId: string, limits: RunLimits = {}): Promise<ConnectorRunRow> {
  const started = new Date();
  const [taken] = await db
    .update(connectorRuns)
    .set({ status: "running", startedAt: started, instanceId: currentInstanceId() })
    .where(and(eq(connectorRuns.id, runId), eq(connectorRuns.status, "queued")))
    .returning();
  if (!taken) {
    const [row] = await db.select().from(connectorRuns).where(eq(connectorRuns.id, runId));
    if (!row) throw new Error(`connector run ${runId} does not exist`);
    return row;
  }
  const finish = async (set: Partial<ConnectorRunRow>) => {
    const finishedAt = new Date();
    runProgress.delete(runId);
    const [row] = await db
      .update(connectorRuns)
      .set({ ...set, finishedAt, durationMs: finishedAt.getTime() - started.getTime() })
      .where(eq(connectorRuns.id, runId))
      .returning();
    return row!;
  };
  const fail = (e: ConnectorError, extra: { errors?: ErrorDetail[]; importId?: string | null; counts?: ConnectorRunCounts | null } = {}) =>
    finish({
      status: "failed",
      errorCode: e.failure,
      errorMessage: e.message,
      errors: extra.errors ?? [],
      importId: extra.importId ?? null,
      counts: extra.counts ?? null,
    });

  const [row] = await db.select().from(connectors).where(eq(connectors.id, taken.connectorId));
  if (!row) return fail(new ConnectorError("internal", { detail: "the connector was deleted" }));
  const driver = driverFor(row.kind);
  if (!driver) return fail(new ConnectorError("internal", { detail: "no driver for this connector's kind" }));
  let polite: ReturnType<typeof politeFetch> | undefined;
  let counts: ConnectorRunCounts | null = null;
  try {
    runProgress.set(runId, "connecting");
    const c = await context(db, row, driver, limits, (m) => runProgress.set(runId, m));
    polite = c.polite;
    await driver.collect(c.ctx);
    runProgress.set(runId, "converting");
    const converted = driver.convert(c.ctx.bundle, { source: row.sourceName, mode: taken.mode, settings: c.ctx.settings });
    const stats = polite.stats();
    if (!converted.ok) {
      return fail(new ConnectorError("malformed", { detail: `${converted.errors.length} problem${converted.errors.length === 1 ? "" : "s"} in the answers` }), {
        errors: converted.errors.slice(0, 100),
      });
    }
    counts = {
      nodesByKind: countByKind(converted.document.nodes),
      edgesByKind: countByKind(converted.document.edges),
      calls: stats.calls,
      retries: stats.retries,
    };
    runProgress.set(runId, "writing");
    const record = await runImport(db, systemActor(`connector ${row.name}`), decodeConverted(converted.document, { warnings: converted.warnings }), {
      format: driver.format,
      fileName: `connector ${row.name}`,
    });
    if (record.status !== "succeeded")
      return fail(new ConnectorError("import_rejected", { detail: `import ${record.id}: ${record.errorCount} problem${record.errorCount === 1 ? "" : "s"}` }), {
        errors: record.errors.slice(0, 100),
        importId: record.id,
        counts,
      });
    return finish({ status: "succeeded", importId: record.id, counts, warnings: converted.warnings.slice(0, 200) });
  } catch (e) {
    const f = failureOf(e, polite?.failure());
    if (f.failure === "internal") console.error(`[connectors] run ${runId} failed:`, errorForLog(e));
    return fail(f, { counts });
  }
}

/**
 * Fails runs left running by a dead instance (the sweep of lib/jobs, at start
 * and every 30 s), and runs queued over an hour ago whose job was lost.
 */
export async function failInterruptedRuns(db: Db, kind: DatabaseKind): Promise<number> {
  const e = new ConnectorError("interrupted");
  const done = await db
    .update(connectorRuns)
    .set({ status: "failed", errorCode: e.failure, errorMessage: e.message, finishedAt: new Date() })
    .where(
      or(
        and(eq(connectorRuns.status, "running"), instanceIsDead(connectorRuns.instanceId, kind)),
        and(eq(connectorRuns.status, "queued"), lt(connectorRuns.queuedAt, new Date(Date.now() - 60 * 60_000))),
      ),
    )
    .returning({ id: connectorRuns.id });
  return done.length;
}

export { CONNECTOR_FAILURES };
