import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { nodes, sources } from "@/db/schema";
import { AppError, type ErrorDetail } from "@/lib/errors";
import type { NodeKind } from "@/lib/graph/model";
import { parseNodeRef, type NodeRef } from "@/lib/graph/node-ref";

export interface RefNode {
  id: string;
  kind: NodeKind;
  name: string;
  source: string;
  status: string | null;
  attributes: Record<string, unknown>;
  current: boolean;
}

const columns = {
  id: nodes.id,
  kind: nodes.kind,
  name: nodes.name,
  source: sources.name,
  status: nodes.status,
  attributes: nodes.attributes,
  validTo: nodes.validTo,
};

/**
 * Resolves many node references (ids or source:kind:externalId) in two queries.
 * Malformed references and unknown nodes are a 400 naming each one's path
 * (`owners[2].owner`), all at once, so a bulk request says everything wrong with it.
 */
export async function resolveRefs(db: Db, refs: readonly { raw: string; path: string }[]): Promise<Map<string, RefNode>> {
  const problems: ErrorDetail[] = [];
  const parsed: { raw: string; path: string; ref: NodeRef }[] = [];
  for (const r of refs) {
    try {
      parsed.push({ ...r, ref: parseNodeRef(r.raw, r.path) });
    } catch (e) {
      if (e instanceof AppError) problems.push({ path: r.path, message: e.details[0]?.message ?? e.message });
      else throw e;
    }
  }
  const ids = parsed.flatMap((p) => ("id" in p.ref ? [p.ref.id] : []));
  const triples = parsed.flatMap((p) => ("id" in p.ref ? [] : [p.ref]));
  const found = new Map<string, RefNode>();
  const toNode = (r: {
    id: string;
    kind: NodeKind;
    name: string;
    source: string;
    status: string | null;
    attributes: Record<string, unknown>;
    validTo: Date | null;
  }): RefNode => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    source: r.source,
    status: r.status,
    attributes: r.attributes,
    current: r.validTo === null,
  });
  const byId = new Map<string, RefNode>();
  const byTriple = new Map<string, RefNode>();
  if (ids.length) {
    const rows = await db
      .select(columns)
      .from(nodes)
      .innerJoin(sources, eq(sources.id, nodes.sourceId))
      .where(inArray(nodes.id, [...new Set(ids)]));
    for (const r of rows) byId.set(r.id, toNode(r));
  }
  if (triples.length) {
    const rows = await db
      .select({ ...columns, externalId: nodes.externalId })
      .from(nodes)
      .innerJoin(sources, eq(sources.id, nodes.sourceId))
      .where(
        and(
          sql`(${sources.name}, ${nodes.kind}, ${nodes.externalId}) in (select * from unnest(${sql.param(triples.map((t) => t.source))}::text[], ${sql.param(triples.map((t) => t.kind))}::text[], ${sql.param(triples.map((t) => t.externalId))}::text[]))`,
        ),
      );
    for (const r of rows) byTriple.set(`${r.source}\u0000${r.kind}\u0000${r.externalId}`, toNode(r));
  }
  for (const p of parsed) {
    const n = "id" in p.ref ? byId.get(p.ref.id) : byTriple.get(`${p.ref.source}\u0000${p.ref.kind}\u0000${p.ref.externalId}`);
    if (n) found.set(p.raw, n);
    else problems.push({ path: p.path, message: "no such node" });
  }
  if (problems.length) throw new AppError("validation", `invalid node references: ${problems.map((d) => `${d.path}: ${d.message}`).join("; ")}`, problems);
  return found;
}

/** One node by reference, or 404 (for path parameters: an unknown id is "not found", not a bad request). */
export async function resolveRef(db: Db, raw: string, param = "id"): Promise<RefNode> {
  const ref = parseNodeRef(raw, param);
  const where = "id" in ref ? eq(nodes.id, ref.id) : and(eq(sources.name, ref.source), eq(nodes.kind, ref.kind), eq(nodes.externalId, ref.externalId));
  const [row] = await db.select(columns).from(nodes).innerJoin(sources, eq(sources.id, nodes.sourceId)).where(where).limit(1);
  if (!row) throw new AppError("not_found", "node not found");
  return { id: row.id, kind: row.kind, name: row.name, source: row.source, status: row.status, attributes: row.attributes, current: row.validTo === null };
}
