import { and, desc, eq, lt, or, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { imports, type ImportCounts } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, formatPath, isAppError, type ErrorDetail } from "@/lib/errors";
import { notifyGraphChanged } from "@/lib/graph/after-change";
import { edgeKindMismatch } from "@/lib/graph/model";
import { newId } from "@/lib/ids";
import { currentInstanceId, instanceIsDead } from "@/lib/instance";
import type { GraphEdgeRecord, GraphNodeRecord } from "./graph-document";
import { parseGraphEdge, parseGraphNode } from "./parse-records";
import { GraphWriter, type PendingEdge } from "./graph-writer";
import { findAttributeSecrets, secretRefusal } from "./secrets/attributes";
import type { DecodedImport } from "./import-items";
import { enrichToolAttributes } from "./tool-attributes";

const CHUNK = 1000;
/** The answer lists every problem, up to this many (then says how many more). */
export const MAX_REPORTED_ERRORS = 1000;

export type ImportFormat =
  | "graph"
  | "jsonl"
  | "csv"
  | "mcp-config"
  | "bloodhound-opengraph"
  | "baton"
  | "mcp-discovery"
  | "mcp-tools"
  | "aws-iam"
  | "entra-graph"
  | "okta-api"
  | "github-rest"
  | "identity-links";
export const SOURCE_TYPE: Record<ImportFormat, string> = {
  graph: "import",
  jsonl: "import",
  csv: "import",
  "mcp-config": "mcp_config",
  "bloodhound-opengraph": "bloodhound",
  baton: "baton",
  "mcp-discovery": "mcp_discovery",
  // A tools/list file is discovery done elsewhere: same per-server source, same type.
  "mcp-tools": "mcp_discovery",
  // A connector's source has the same type whether it was pulled live or imported from the vendor's export.
  "aws-iam": "aws_iam",
  "entra-graph": "entra",
  "okta-api": "okta",
  "github-rest": "github",
  "identity-links": "identity_links",
};

export interface ImportOptions {
  format: ImportFormat;
  allowPartial?: boolean;
  fileName?: string;
  bytes?: number;
  requestId?: string;
}

export type ImportRecord = typeof imports.$inferSelect;

type Progress = { processed: number; phase: "reading" | "writing" | "finishing" };
const g = globalThis as typeof globalThis & { __attestImportProgress?: Map<string, Progress> };
/** Progress of imports running in this process (a running transaction is invisible to other sessions). */
export const importProgress: Map<string, Progress> = (g.__attestImportProgress ??= new Map());

class Rejected extends Error {}

/** Starts the import record outside the data transaction, so progress and failures stay visible. */
async function startRecord(
  db: Db,
  actor: Actor,
  opts: ImportOptions,
  sourceName: string | null,
  mode: "full" | "incremental",
  decoded?: DecodedImport,
): Promise<string> {
  const id = newId("imp");
  const now = new Date();
  await db.insert(imports).values({
    id,
    sourceName,
    format: opts.format,
    mode,
    status: "running",
    allowPartial: opts.allowPartial ?? false,
    fileName: opts.fileName ?? null,
    bytes: opts.bytes ?? null,
    warnings: decoded?.warnings ?? [],
    detectedFormat: decoded?.detectedFormat ?? null,
    actorType: actor.type,
    actorId: actor.id,
    actorLabel: actorLabel(actor),
    startedAt: now,
    heartbeatAt: now,
    instanceId: currentInstanceId(),
  });
  return id;
}

/** Records an import that was refused before any record could be read (bad header, unreadable file). */
export async function recordRefusedImport(
  db: Db,
  actor: Actor,
  opts: ImportOptions,
  errors: ErrorDetail[],
  sourceName: string | null = null,
): Promise<ImportRecord> {
  requirePermission(actor, "import.run");
  const id = await startRecord(db, actor, opts, sourceName, "incremental");
  const [row] = await db
    .update(imports)
    .set({ status: "rejected", errors: errors.slice(0, MAX_REPORTED_ERRORS), errorCount: errors.length, finishedAt: new Date(), durationMs: 0 })
    .where(eq(imports.id, id))
    .returning();
  return row!;
}

/**
 * Applies one decoded import as one transaction. Every record is validated; with
 * any invalid record nothing is written (unless allowPartial, which writes the
 * valid ones and reports the rest, accepted + rejected = total). Audited in the
 * same transaction. Never throws for bad input: the answer is the import record.
 */
export async function runImport(db: Db, actor: Actor, decoded: DecodedImport, opts: ImportOptions): Promise<ImportRecord> {
  requirePermission(actor, "import.run");
  const started = Date.now();
  const id = await startRecord(db, actor, opts, decoded.source, decoded.mode, decoded);
  const progress: Progress = { processed: 0, phase: "reading" };
  importProgress.set(id, progress);
  // A heartbeat outside the data transaction tells other instances this import is alive (see failInterruptedImports).
  // On PGlite the write simply waits for the transaction; nothing awaits it, so it cannot block the import.
  const heartbeat = setInterval(() => {
    db.update(imports)
      .set({ heartbeatAt: new Date() })
      .where(and(eq(imports.id, id), eq(imports.status, "running")))
      .catch(() => undefined);
  }, 30_000);
  heartbeat.unref();
  const errors: ErrorDetail[] = [];
  let total = 0;
  let rejected = 0;
  /** Problems counted but not listed (finish() lists the first 1,000 edges whose ends are missing). */
  let unlisted = 0;
  let counts: ImportCounts | null = null;
  try {
    await db.transaction(async (tx) => {
      const writer = await GraphWriter.open(tx, decoded.source, SOURCE_TYPE[opts.format], decoded.mode, new Date());
      let nodeChunk: { record: GraphNodeRecord; where: string }[] = [];
      let edgeChunk: PendingEdge[] = [];
      // Writing stops at the first problem unless partial imports are allowed; validation goes on to list them all.
      const writing = () => opts.allowPartial || errors.length + unlisted === 0;
      // Only the listed problems are kept (a file of garbage lines would otherwise grow the list without bound); all are counted.
      const report = (found: ErrorDetail[], records = found.length) => {
        const room = Math.max(0, MAX_REPORTED_ERRORS - errors.length);
        errors.push(...found.slice(0, room));
        unlisted += Math.max(0, found.length - room);
        rejected += records;
      };
      // Secret-looking attribute values are refused per record, whether or not writing goes on, so all are listed.
      const flushNodes = async () => {
        const clean = await withoutSecrets(nodeChunk, report);
        if (clean.length && writing()) report(await writer.writeNodes(clean));
        nodeChunk = [];
      };
      const flushEdges = async () => {
        const clean = await withoutSecrets(edgeChunk, report);
        if (clean.length && writing()) report(await writer.writeEdges(clean));
        edgeChunk = [];
      };
      // Duplicates and self-loops are found here, by key, so they are reported even once writing has stopped.
      const seenNodes = new Set<string>();
      const seenEdges = new Set<string>();
      const refKey = (r: { kind: string; externalId: string; source?: string }) => `${r.source ?? decoded.source}\u0000${r.kind}\u0000${r.externalId}`;
      // The staging COPY holds the transaction's connection until finish(): on any failure it is cancelled first.
      try {
        for await (const item of decoded.items) {
          if (item.type === "error") {
            total++;
            report([item.error]);
            continue;
          }
          total++;
          progress.processed = total;
          if (item.type === "node") {
            const r = parseGraphNode(item.raw);
            const key = r.success ? refKey(r.data) : "";
            if (!r.success)
              report(
                r.error.issues.map((i) => ({ path: detailPath(item.where, i.path), message: i.message })),
                1,
              );
            else if (seenNodes.has(key)) report([{ path: item.where, message: `${r.data.kind} "${r.data.externalId}" appears more than once in this import` }]);
            else {
              seenNodes.add(key);
              // Every tool gets its risk and definition hash here, whatever the format, so they cannot differ by how it arrived.
              const record = r.data.kind === "tool" ? { ...r.data, attributes: enrichToolAttributes(r.data.name, r.data.attributes) } : r.data;
              nodeChunk.push({ record, where: item.where });
            }
            if (nodeChunk.length >= CHUNK) await flushNodes();
          } else {
            const r = parseGraphEdge(item.raw);
            if (!r.success) {
              report(
                r.error.issues.map((i) => ({ path: detailPath(item.where, i.path), message: i.message })),
                1,
              );
              continue;
            }
            const mismatch = edgeKindMismatch(r.data.kind, r.data.from.kind, r.data.to.kind);
            const from = refKey(r.data.from);
            const to = refKey(r.data.to);
            const key = `${r.data.kind}\u0000${from}\u0000${to}`;
            if (mismatch) report([{ path: item.where, message: mismatch }]);
            else if (from === to) report([{ path: item.where, message: "an edge cannot join a node to itself" }]);
            else if (seenEdges.has(key)) report([{ path: item.where, message: `this ${r.data.kind} edge appears more than once in this import` }]);
            else {
              seenEdges.add(key);
              edgeChunk.push({ record: r.data as GraphEdgeRecord, where: item.where });
            }
            if (edgeChunk.length >= CHUNK) {
              await flushNodes();
              await flushEdges();
            }
          }
        }
        progress.phase = "writing";
        await flushNodes();
        await flushEdges();
      } catch (e) {
        await writer.abort();
        throw e;
      }
      progress.phase = "finishing";
      // finish() records the change in the outbox; remediation verification, offboarding and findings follow it
      // out of this request (lib/pipeline/process-changes.ts).
      if (writing()) {
        const done = await writer.finish(id, { allowPartial: opts.allowPartial ?? false });
        report(done.errors, done.rejected);
        unlisted += done.rejected - done.errors.length;
      } else await writer.abort();
      if (errors.length + unlisted > 0 && !opts.allowPartial) throw new Rejected();
      counts = writer.counts;
      const finishedAt = new Date();
      await tx
        .update(imports)
        .set({
          status: "succeeded",
          counts,
          recordsTotal: total,
          recordsAccepted: total - rejected,
          recordsRejected: rejected,
          errors: errors.slice(0, MAX_REPORTED_ERRORS),
          errorCount: errors.length + unlisted,
          finishedAt,
          durationMs: finishedAt.getTime() - started,
        })
        .where(eq(imports.id, id));
      await emitAudit(tx, actor, {
        action: "import.apply",
        target: { type: "source", id: decoded.source },
        after: { importId: id, format: opts.format, mode: decoded.mode, counts, recordsTotal: total, recordsRejected: rejected },
        requestId: opts.requestId,
      });
    });
  } catch (e) {
    const finishedAt = new Date();
    // Bad input (listed problems, or a refusal such as a SCIM-kept source) is "rejected"; anything else is our failure.
    const isRejected = e instanceof Rejected || isAppError(e);
    if (!isRejected) console.error(`[import] ${id} failed:`, e);
    const reported: ErrorDetail[] =
      e instanceof Rejected
        ? errors
        : isAppError(e)
          ? e.details.length
            ? e.details.map((d) => ({ path: d.path, message: e.message }))
            : [{ path: "(import)", message: e.message }]
          : [{ path: "(import)", message: "the import failed on our side and was rolled back; nothing was written" }];
    await db
      .update(imports)
      .set({
        status: isRejected ? "rejected" : "failed",
        recordsTotal: total,
        recordsAccepted: 0,
        recordsRejected: isRejected ? rejected : total,
        errors: reported.slice(0, MAX_REPORTED_ERRORS),
        errorCount: reported.length + (e instanceof Rejected ? unlisted : 0),
        finishedAt,
        durationMs: finishedAt.getTime() - started,
      })
      .where(eq(imports.id, id));
  } finally {
    clearInterval(heartbeat);
    importProgress.delete(id);
  }
  const [row] = await db.select().from(imports).where(eq(imports.id, id));
  if (row!.status === "succeeded") {
    await refreshStatistics(db, row!.counts);
    // The answer does not wait for findings: the job engine hears this and runs the after-change pipeline.
    notifyGraphChanged();
  }
  return row!;
}

/** Rows written above which the planner's statistics are refreshed before anything queries the new graph. */
export const ANALYZE_AFTER_ROWS = 10_000;

/**
 * After a large import, ANALYZE the graph tables before the pipeline's follow-ups and the next queries read them:
 * PostgreSQL's autovacuum gets to it only after its nap (a minute by default) and PGlite never does; until then the
 * planner takes the tables for as small as they were and picks plans that, on the M benchmark graph, ran the
 * ownership coverage query past a 120 s timeout (1.4 s with statistics). Best effort: an import stands regardless.
 */
async function refreshStatistics(db: Db, counts: ImportCounts | null): Promise<void> {
  if (!counts) return;
  const written = counts.nodesCreated + counts.nodesUpdated + counts.nodesEnded + counts.edgesCreated + counts.edgesUpdated + counts.edgesEnded;
  if (written < ANALYZE_AFTER_ROWS) return;
  try {
    await db.execute(sql`analyze nodes, edges`);
  } catch (e) {
    console.error("[import] ANALYZE after a large import failed; plans may be poor until autovacuum runs:", e instanceof Error ? e.message : e);
  }
}

/** The records of a chunk whose attributes hold nothing secret-like; each other one is reported (one problem per value). */
async function withoutSecrets<T extends { record: { attributes?: Record<string, unknown> }; where: string }>(
  chunk: T[],
  report: (found: ErrorDetail[], records: number) => void,
): Promise<T[]> {
  if (chunk.length === 0) return chunk;
  const found = await findAttributeSecrets(chunk.map((c) => c.record.attributes ?? {}));
  return chunk.filter((c, i) => {
    const secrets = found[i]!;
    if (secrets.length)
      report(
        secrets.map((s) => ({ path: joinPath(c.where, s.path), message: secretRefusal(s) })),
        1,
      );
    return secrets.length === 0;
  });
}

function joinPath(where: string, inner: string): string {
  return where.startsWith("line ") || where.includes(".csv") ? `${where}: ${inner}` : `${where}.${inner}`;
}

function detailPath(where: string, path: readonly PropertyKey[]): string {
  const inner = formatPath(path, "");
  if (inner === "(root)") return where;
  return where.startsWith("line ") || where.includes(".csv") ? `${where}: ${inner}` : `${where}.${inner}`;
}

/**
 * An import left running by a process that was killed never committed (its
 * transaction died with it): mark it failed. On PostgreSQL only imports whose
 * heartbeat is old are touched, since another instance may be running one.
 */
export async function failInterruptedImports(db: Db, kind: "pglite" | "postgres"): Promise<number> {
  // An import records the instance running it; one whose instance is dead (see lib/instance) failed with it.
  // Imports of an unregistered process (a CLI) keep the older rule: their own heartbeat, 10 minutes.
  const legacy = kind === "pglite" ? sql`true` : or(isNull(imports.heartbeatAt), lt(imports.heartbeatAt, new Date(Date.now() - 10 * 60_000)));
  const stale = or(and(isNull(imports.instanceId), legacy), instanceIsDead(imports.instanceId, kind));
  const rows = await db
    .update(imports)
    .set({
      status: "failed",
      finishedAt: new Date(),
      errors: [{ path: "(import)", message: "interrupted: the server stopped before the import finished; nothing was written" }],
      errorCount: 1,
    })
    .where(and(eq(imports.status, "running"), stale))
    .returning({ id: imports.id });
  return rows.length;
}

export async function listImports(db: Db, actor: Actor, limit = 50): Promise<(ImportRecord & { progress?: Progress })[]> {
  requirePermission(actor, "import.read");
  const rows = await db.select().from(imports).orderBy(desc(imports.startedAt)).limit(limit);
  return rows.map((r) => ({ ...r, progress: importProgress.get(r.id) }));
}

export async function getImport(db: Db, actor: Actor, id: string): Promise<ImportRecord & { progress?: Progress }> {
  requirePermission(actor, "import.read");
  const [row] = await db.select().from(imports).where(eq(imports.id, id));
  if (!row) throw new AppError("not_found", "import not found");
  return { ...row, progress: importProgress.get(row.id) };
}
