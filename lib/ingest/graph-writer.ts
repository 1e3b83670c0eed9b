import { randomBytes } from "node:crypto";
import { eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { sources, type ImportCounts } from "@/db/schema";
import { AppError, type ErrorDetail } from "@/lib/errors";
import { NODE_ID_PREFIX } from "@/lib/graph/model";
import { newId } from "@/lib/ids";
import { MAX_LISTED_IDS, recordGraphChange } from "@/lib/graph/after-change";
import { bumpGraphVersion } from "@/lib/graph/version";
import { copyLine, CopyWriter } from "./copy-rows";
import type { GraphEdgeRecord, GraphNodeRecord, ImportMode } from "./graph-document";

const STATUSES = new Set(["active", "inactive", "leave", "terminated"]);

export function emptyCounts(): ImportCounts {
  return { nodesCreated: 0, nodesUpdated: 0, nodesEnded: 0, edgesCreated: 0, edgesUpdated: 0, edgesEnded: 0 };
}

/** A node's lifecycle status, from its `status` attribute (SCIM `active`, directories' `status`). */
export function nodeStatus(attributes: Record<string, unknown> | undefined): string | null {
  const s = attributes?.status;
  return typeof s === "string" && STATUSES.has(s) ? s : null;
}

export interface PendingEdge {
  record: GraphEdgeRecord;
  /** Where the record came from, for error messages: `edges[3]` or `line 42`. */
  where: string;
}

/** One staging table for both record types, so one COPY stays open for the whole file: nodes leave from_* null. */
const STAGE_COLUMNS = [
  "ord",
  "where_",
  "id",
  "kind",
  "external_id",
  "name",
  "status",
  "from_source",
  "from_kind",
  "from_ext",
  "to_source",
  "to_kind",
  "to_ext",
  "attributes",
] as const;
/** Located problems found in SQL (edges whose ends never appeared) are listed up to this many; all are counted. */
const LISTED_PROBLEMS = 1000;

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";
let pool = Buffer.alloc(0);
let poolAt = 0;
let stampMs = -1;
let stamp = "";

/**
 * An id like lib/ids newId (prefix, ULID body: 48-bit millisecond time, 80 random bits, Crockford base32), with the
 * random bytes drawn from a pooled buffer: newId's randomBytes(16) per call was a fifth of the import's own CPU.
 */
function stagedId(prefix: string): string {
  const now = Date.now();
  if (now !== stampMs) {
    let t = now;
    let time = "";
    for (let i = 0; i < 10; i++) {
      time = CROCKFORD[t % 32] + time;
      t = Math.floor(t / 32);
    }
    stampMs = now;
    stamp = time;
  }
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(64 * 1024);
    poolAt = 0;
  }
  let rand = "";
  for (let i = 0; i < 16; i++) rand += CROCKFORD[pool[poolAt++]! % 32];
  return `${prefix}_${stamp}${rand}`;
}

/** What finish() found and did. */
export interface FinishResult {
  /** Located problems, at most LISTED_PROBLEMS of them. */
  errors: ErrorDetail[];
  /** All problems found (records rejected by finish). */
  rejected: number;
}

/**
 * Writes one source's graph facts inside the caller's transaction, in two steps (issue #19):
 * 1. stage: every record is appended, as it arrives, to two per-import temporary tables (COPY FROM STDIN on
 *    PostgreSQL, COPY from a blob on PGlite), so nothing of the document is kept in memory and nothing is written
 *    to the graph yet;
 * 2. finish: one set-based merge per table (insert new rows, update changed ones, touch the rest's lastSeenAt,
 *    end-date what a full import no longer reports), the same SQL on both engines.
 * Semantics are those of the row-by-row writer it replaces: nodes and edges are matched by their keys; unchanged rows
 * only get lastSeenAt; a node that comes back is revived with a new validity period, an edge that comes back opens a
 * new row; edges name their ends by reference and may name nodes that appear later in the file or exist already.
 */
export class GraphWriter {
  readonly counts = emptyCounts();
  private ord = 0;
  private readonly stage: string;
  private readonly resolved: string;
  private copy: CopyWriter | null = null;

  private constructor(
    private readonly tx: Db,
    readonly sourceId: string,
    readonly sourceName: string,
    readonly at: Date,
    readonly mode: ImportMode,
  ) {
    // Per writer, so two imports in one session (a savepoint inside another import) never share a staging table.
    const tag = randomBytes(4).toString("hex");
    this.stage = `attest_stage_${tag}`;
    this.resolved = `attest_stage_resolved_${tag}`;
  }

  /**
   * Opens (creating if new) the source and locks it, so two imports of one source never interleave, and creates the
   * staging tables (temporary: not WAL-logged, dropped at commit or rollback).
   * Follow-up work (offboarding people who left, remediation checks, findings) is not the writer's:
   * finish() records what changed, and lib/pipeline runs it after commit.
   */
  static async open(tx: Db, sourceName: string, sourceType: string, mode: ImportMode, at: Date): Promise<GraphWriter> {
    await tx
      .insert(sources)
      .values({ id: newId("src"), name: sourceName, type: sourceType })
      .onConflictDoNothing();
    const [src] = await tx.select({ id: sources.id, type: sources.type }).from(sources).where(eq(sources.name, sourceName)).for("update");
    // A SCIM source is the IdP's to write: a full import into it would end every identity the IdP pushed.
    if (src!.type === "scim" && sourceType !== "scim") {
      throw new AppError("conflict", `source ${sourceName} is kept by SCIM; import into another source name`, [{ path: "source", message: "a SCIM source" }]);
    }
    // The staging COPY stays open for the whole file and the merges are one statement per table: at M and L they run
    // past the pool's per-statement limit (ATTEST_STATEMENT_TIMEOUT_MS, 30 s), which guards requests' queries, not
    // an import's bounded work. Lifted for this transaction only.
    await tx.execute(sql`set local statement_timeout = 0`);
    const w = new GraphWriter(tx, src!.id, sourceName, at, mode);
    await tx.execute(
      sql.raw(`create temporary table ${w.stage} (ord bigint not null, where_ text not null, id text not null, kind text not null,
        external_id text, name text, status text, from_source text, from_kind text, from_ext text, to_source text, to_kind text,
        to_ext text, attributes jsonb not null) on commit drop`),
    );
    w.copy = new CopyWriter(tx, w.stage, STAGE_COLUMNS);
    return w;
  }

  /** Stages a chunk of valid nodes (the caller has removed duplicates). */
  async writeNodes(chunk: { record: GraphNodeRecord; where: string }[]): Promise<ErrorDetail[]> {
    for (const { record: n, where } of chunk) {
      const attributes = n.attributes ?? {};
      const id = stagedId(NODE_ID_PREFIX[n.kind]);
      await this.copy!.write(
        copyLine([
          String(this.ord++),
          where,
          id,
          n.kind,
          n.externalId,
          n.name,
          nodeStatus(attributes),
          null,
          null,
          null,
          null,
          null,
          null,
          JSON.stringify(attributes),
        ]),
      );
    }
    return [];
  }

  /** Stages a chunk of valid edges (the caller has removed duplicates and self-loops); their ends are resolved in finish(). */
  async writeEdges(chunk: PendingEdge[]): Promise<ErrorDetail[]> {
    for (const { record: e, where } of chunk) {
      await this.copy!.write(
        copyLine([
          String(this.ord++),
          where,
          stagedId("edg"),
          e.kind,
          null,
          null,
          null,
          e.from.source ?? this.sourceName,
          e.from.kind,
          e.from.externalId,
          e.to.source ?? this.sourceName,
          e.to.kind,
          e.to.externalId,
          JSON.stringify(e.attributes ?? {}),
        ]),
      );
    }
    return [];
  }

  /** Gives up staging (the import is rejected or failed): the open COPY, if any, is cancelled so the transaction can roll back. */
  async abort(): Promise<void> {
    await this.copy?.abort();
  }

  /**
   * Runs `insert` over the staged rows' ordinals: in one statement on PostgreSQL; on PGlite in ranges of 5,000, since
   * one statement inserting tens of thousands of rows there ran ~20× slower per row than in pieces (S: 73 s against
   * the earlier chunked writer's 6 s), the per-statement work (after-trigger queue of the foreign keys) growing with it.
   */
  private async inRanges(insert: (lo: number, hi: number) => Promise<{ n: number; ids: string[] }>): Promise<{ n: number; ids: string[] }> {
    const step = this.copy!.engine === "postgres" ? Number.MAX_SAFE_INTEGER : 5_000;
    const out = { n: 0, ids: [] as string[] };
    for (let lo = 0; lo < this.ord; lo += step) {
      const r = await insert(lo, Math.min(lo + step, this.ord));
      out.n += r.n;
      if (out.ids.length <= MAX_LISTED_IDS) out.ids.push(...r.ids.slice(0, MAX_LISTED_IDS + 1 - out.ids.length));
    }
    return out;
  }

  /** Runs a data-changing statement that returns `id`s: how many, and the first MAX_LISTED_IDS + 1 of them. */
  private async counted(statement: SQL): Promise<{ n: number; ids: string[] }> {
    const [r] = await rows<{ n: number; ids: string[] | null }>(
      this.tx,
      sql`with w as (${statement}) select count(*)::int as n, (select array_agg(id) from (select id from w limit ${MAX_LISTED_IDS + 1}) x) as ids from w`,
    );
    return { n: r?.n ?? 0, ids: r?.ids ?? [] };
  }

  /**
   * Merges the staged rows into the graph. `write` false (the import is already rejected): only flushes nothing and
   * returns. Otherwise: merges nodes, resolves edges' ends (to this import's nodes or current nodes of any source),
   * reports edges whose ends are missing, merges edges, end-dates what a full import no longer reports (never
   * deletes: history stays answerable), bumps the graph version and records the change in the after-change outbox
   * (`ref`: the import id). With problems and not `allowPartial`, it stops before writing edges: the caller rolls
   * the transaction back.
   */
  async finish(ref: string | null, opts: { allowPartial: boolean }): Promise<FinishResult> {
    const tx = this.tx;
    const at = this.at.toISOString();
    const src = this.sourceId;
    const S = sql.raw(this.stage);
    const N = sql`(select ord, id, kind, external_id, name, status, attributes from ${S} where from_kind is null)`;
    const E = sql`(select ord, where_, id, kind, from_source, from_kind, from_ext, to_source, to_kind, to_ext, attributes from ${S} where from_kind is not null)`;
    const R = sql.raw(this.resolved);
    await this.copy!.end();
    // Temporary tables are never analysed; none is needed: a never-analysed table's row count is estimated from its
    // size on disk, which is all the hash joins below need (an ANALYZE here cost ~1 s at S under load, for no change of plan).
    const changedNodes: string[] = [];
    const changedEdges: string[] = [];
    let full = false;
    const note = (list: string[], r: { n: number; ids: string[] }) => {
      if (full) return;
      if (r.n > r.ids.length || changedNodes.length + changedEdges.length + r.n > MAX_LISTED_IDS) {
        full = true;
        return;
      }
      list.push(...r.ids);
    };

    // --- Nodes. A source's first import has nothing to match: skip the lookups.
    const hasNodes = (await rows<{ x: number }>(tx, sql`select 1 as x from nodes where source_id = ${src} limit 1`)).length > 0;
    if (hasNodes) {
      const updated = await this.counted(sql`
        update nodes n set name = s.name, status = s.status, attributes = s.attributes, last_seen_at = ${at}::timestamptz,
          updated_at = ${at}::timestamptz, valid_to = null,
          valid_from = case when n.valid_to is not null then ${at}::timestamptz else n.valid_from end
        from ${N} s
        where n.source_id = ${src} and n.kind = s.kind and n.external_id = s.external_id
          and (n.name is distinct from s.name or n.status is distinct from s.status or n.valid_to is not null or n.attributes <> s.attributes)
        returning n.id`);
      this.counts.nodesUpdated += updated.n;
      // A person who just left is offboarded by the pipeline from this record (lib/pipeline/process-changes.ts).
      note(changedNodes, updated);
      await tx.execute(sql`
        update nodes n set last_seen_at = ${at}::timestamptz from ${N} s
        where n.source_id = ${src} and n.kind = s.kind and n.external_id = s.external_id and n.last_seen_at <> ${at}::timestamptz`);
    }
    const created = await this.inRanges((lo, hi) =>
      this.counted(sql`
      insert into nodes (id, kind, source_id, external_id, name, status, attributes, first_seen_at, last_seen_at, valid_from)
      select s.id, s.kind, ${src}, s.external_id, s.name, s.status, s.attributes, ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
      from ${N} s
      where s.ord >= ${lo} and s.ord < ${hi}
      ${hasNodes ? sql`and not exists (select 1 from nodes n where n.source_id = ${src} and n.kind = s.kind and n.external_id = s.external_id)` : sql``}
      returning id`),
    );
    this.counts.nodesCreated += created.n;
    note(changedNodes, created);
    if (created.n >= 10_000) await tx.execute(sql`analyze nodes`);

    // --- Edges: ends resolved to node ids, once, into a third staging table.
    await tx.execute(sql`
      create temporary table ${R} on commit drop as
      select e.ord, e.id, e.kind, e.attributes, f.id as from_id, t.id as to_id,
        e.kind || ':' || e.from_source || ':' || e.from_kind || ':' || e.from_ext || '->' || e.to_source || ':' || e.to_kind || ':' || e.to_ext as external_id
      from ${E} e
      left join sources fs on fs.name = e.from_source
      left join nodes f on f.source_id = fs.id and f.kind = e.from_kind and f.external_id = e.from_ext and f.valid_to is null
      left join sources ts on ts.name = e.to_source
      left join nodes t on t.source_id = ts.id and t.kind = e.to_kind and t.external_id = e.to_ext and t.valid_to is null`);
    // PGlite inserts in ranges of ordinals (inRanges): each range is then an index scan, not a scan of every staged edge.
    if (this.copy!.engine === "pglite") await tx.execute(sql`create index on ${R} (ord)`);
    const [missing] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from ${R} where from_id is null or to_id is null`);
    const result: FinishResult = { errors: [], rejected: missing!.n };
    if (result.rejected > 0) {
      const listed = await rows<{ where_: string; end: string; source: string; kind: string; ext: string }>(
        tx,
        sql`select e.where_, case when r.from_id is null then 'from' else 'to' end as "end",
              case when r.from_id is null then e.from_source else e.to_source end as source,
              case when r.from_id is null then e.from_kind else e.to_kind end as kind,
              case when r.from_id is null then e.from_ext else e.to_ext end as ext
            from ${R} r join ${E} e on e.ord = r.ord
            where r.from_id is null or r.to_id is null order by r.ord limit ${LISTED_PROBLEMS}`,
      );
      result.errors = listed.map((m) => ({
        path: m.where_,
        message: `edge ${m.end} ${m.source}:${m.kind}:${m.ext}, which is neither in this import nor a current node`,
      }));
      if (!opts.allowPartial) return result;
      await tx.execute(sql`delete from ${R} where from_id is null or to_id is null`);
    }

    const hasEdges = (await rows<{ x: number }>(tx, sql`select 1 as x from edges where source_id = ${src} and valid_to is null limit 1`)).length > 0;
    const sameEdge = sql`e.source_id = ${src} and e.kind = r.kind and e.from_id = r.from_id and e.to_id = r.to_id and e.valid_to is null`;
    if (hasEdges) {
      const updated = await this.counted(sql`
        update edges e set attributes = r.attributes, last_seen_at = ${at}::timestamptz, updated_at = ${at}::timestamptz
        from ${R} r where ${sameEdge} and e.attributes <> r.attributes
        returning e.id`);
      this.counts.edgesUpdated += updated.n;
      note(changedEdges, updated);
      await tx.execute(sql`
        update edges e set last_seen_at = ${at}::timestamptz from ${R} r where ${sameEdge} and e.last_seen_at <> ${at}::timestamptz`);
    }
    const createdEdges = await this.inRanges((lo, hi) =>
      this.counted(sql`
      insert into edges (id, kind, source_id, external_id, from_id, to_id, attributes, first_seen_at, last_seen_at, valid_from)
      select r.id, r.kind, ${src}, r.external_id, r.from_id, r.to_id, r.attributes, ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
      from ${R} r
      where r.ord >= ${lo} and r.ord < ${hi}
      ${hasEdges ? sql`and not exists (select 1 from edges e where ${sameEdge})` : sql``}
      returning id`),
    );
    this.counts.edgesCreated += createdEdges.n;
    note(changedEdges, createdEdges);
    await tx.execute(sql`drop table ${R}, ${S}`);

    if (this.mode === "full") {
      // Every row this import reported has lastSeenAt = at by now; the others of this source are no longer reported.
      const endedEdges = await this.counted(sql`
        update edges set valid_to = ${at}::timestamptz, updated_at = ${at}::timestamptz
        where source_id = ${src} and valid_to is null and last_seen_at < ${at}::timestamptz returning id`);
      const endedNodes = await this.counted(sql`
        update nodes set valid_to = ${at}::timestamptz, updated_at = ${at}::timestamptz
        where source_id = ${src} and valid_to is null and last_seen_at < ${at}::timestamptz returning id`);
      this.counts.edgesEnded += endedEdges.n;
      this.counts.nodesEnded += endedNodes.n;
      note(changedEdges, endedEdges);
      note(changedNodes, endedNodes);
    }
    await tx.update(sources).set({ lastImportAt: this.at, updatedAt: this.at }).where(eq(sources.id, this.sourceId));
    if (Object.values(this.counts).some((n) => n > 0)) await bumpGraphVersion(tx);
    // Recorded even when nothing changed: an import that no longer reports revoked access is what verifies remediation.
    await recordGraphChange(tx, {
      origin: "import",
      ref,
      nodeIds: full ? [] : changedNodes,
      edgeIds: full ? [] : changedEdges,
      sourceIds: [this.sourceId],
      full,
    });
    return result;
  }
}
