import { createHash } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { canonicalJson } from "@/lib/audit/canonical-json";
import { AppError, isAppError } from "@/lib/errors";
import { describeNodes, reachableFromFor, whoCanReachFor, type AccessPage } from "@/lib/graph/access-api";
import { pickCaughtUpReadDb } from "@/lib/graph/graph-feed";
import { type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { parseNodeRef, resolveNodeId } from "@/lib/graph/node-ref";
import { DEFAULT_DEPTH, MAX_DEPTH } from "@/lib/graph/traverse";

/** Reports hold at most this many rows; past it they say they are truncated (the access API pages further). */
export const MAX_REPORT_ROWS = 20_000;
const PAGE = 500;

const ISO_RE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

export const REPORT_FORMATS = ["json", "csv", "pdf", "zip"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const accessReportQuerySchema = z
  .object({
    /** "Who could reach this?": a node id or source:kind:externalId. */
    target: z.string().trim().min(1).max(700).optional(),
    /** "What could this reach?": a node id or source:kind:externalId. */
    principal: z.string().trim().min(1).max(700).optional(),
    /** The instant asked about (a date means 00:00 UTC that day); default: now. */
    asOf: z
      .string()
      .max(40)
      .refine((s) => ISO_RE.test(s) && !Number.isNaN(Date.parse(s)), "asOf must be an ISO 8601 date or date-time")
      .optional(),
    maxDepth: z
      .string()
      .regex(/^\d+$/, `maxDepth must be a whole number from 1 to ${MAX_DEPTH}`)
      .transform(Number)
      .pipe(z.number().int().min(1, `maxDepth must be from 1 to ${MAX_DEPTH}`).max(MAX_DEPTH, `maxDepth must be from 1 to ${MAX_DEPTH}`))
      .default(DEFAULT_DEPTH),
    format: z.enum(REPORT_FORMATS, { error: `format must be one of ${REPORT_FORMATS.join(", ")}` }).default("json"),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (!q.target === !q.principal)
      ctx.addIssue({
        code: "custom",
        path: [q.target ? "principal" : "target"],
        message: "give exactly one of target (who could reach it) or principal (what it could reach)",
      });
  });
export type AccessReportQuery = z.infer<typeof accessReportQuerySchema>;

export interface ReportNode {
  id: string;
  name: string;
  kind: NodeKind;
  source: string;
  externalId: string;
}

export interface AccessReportRow extends ReportNode {
  depth: number;
  /** From the principal's side: principal → … → target. */
  path: { nodes: ReportNode[]; edges: EdgeKind[] };
}

export interface AccessReport {
  /** Derived from the question (direction, subject, instant, depth): asking it again gives the same id. */
  id: string;
  direction: "who-can-reach" | "reachable-from";
  subject: ReportNode;
  asOf: string;
  maxDepth: number;
  total: number;
  truncated: boolean;
  countsByKind: Partial<Record<NodeKind, number>>;
  rows: AccessReportRow[];
}

export function reportTitle(r: Pick<AccessReport, "direction" | "subject">): string {
  return r.direction === "who-can-reach" ? `Who could reach ${r.subject.name}` : `What ${r.subject.name} could reach`;
}

/** "source:kind:externalId", how a person finds the node again in its source. */
export const nodeRef = (n: ReportNode) => `${n.source}:${n.kind}:${n.externalId}`;

/** All pages of one who-can-reach / reachable-from answer; pages are tied to one graph version, so a change mid-way starts again. */
async function allPages(fetchPage: (cursor?: string) => Promise<AccessPage>): Promise<{ items: AccessPage["items"]; total: number }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const items: AccessPage["items"] = [];
      let page = await fetchPage();
      items.push(...page.items);
      while (page.nextCursor && items.length < MAX_REPORT_ROWS) {
        page = await fetchPage(page.nextCursor);
        items.push(...page.items);
      }
      return { items: items.slice(0, MAX_REPORT_ROWS), total: page.total };
    } catch (err) {
      if (!(isAppError(err) && err.code === "conflict") || attempt >= 2) throw err;
    }
  }
}

/**
 * Point-in-time access report: every principal that could reach `target`, or
 * everything `principal` could reach, at `asOf`, each with one shortest path
 * of access edges, from the graph as it was then (node names as they are now).
 * Reads only; exporting it (exportAccessReport) is what gets audited.
 */
export async function buildAccessReport(db: Db, actor: Actor, q: AccessReportQuery): Promise<AccessReport> {
  requirePermission(actor, "evidence.export");
  requirePermission(actor, "graph.read");
  const direction = q.target ? "who-can-reach" : "reachable-from";
  const raw = (q.target ?? q.principal)!;
  const param = q.target ? "target" : "principal";
  const asOf = q.asOf ? new Date(q.asOf) : new Date();
  const subjectId = await resolveNodeId(db, parseNodeRef(raw, param));

  // Without asOf the question is about now: the current index (cached) answers it.
  const common = { maxDepth: q.maxDepth, asOf: q.asOf ? asOf : undefined, limit: PAGE };
  const { items, total } = await allPages((cursor) =>
    direction === "who-can-reach"
      ? whoCanReachFor(db, actor, { ...common, target: subjectId, cursor })
      : reachableFromFor(db, actor, { ...common, principal: subjectId, cursor }),
  );

  const ids = new Set<string>([subjectId]);
  for (const i of items) for (const n of i.path.nodes) ids.add(n);
  const info = new Map<string, ReportNode>();
  const all = [...ids];
  // Names of the whole report: the read replica when it has everything committed so far (DATABASE_READ_URL), else the primary.
  const readDb = await pickCaughtUpReadDb(db);
  for (let i = 0; i < all.length; i += 1000) {
    for (const [id, d] of await describeNodes(readDb, all.slice(i, i + 1000)))
      info.set(id, { id, name: d.name, kind: d.kind, source: d.source, externalId: d.externalId });
  }
  const subject = info.get(subjectId);
  if (!subject) throw new AppError("not_found", `${param}: node not found`);

  const countsByKind: Partial<Record<NodeKind, number>> = {};
  const rows = items.map((i) => {
    countsByKind[i.kind] = (countsByKind[i.kind] ?? 0) + 1;
    return {
      id: i.id,
      name: i.name,
      kind: i.kind,
      source: i.source,
      externalId: i.externalId,
      depth: i.depth,
      path: { nodes: i.path.nodes.map((n) => info.get(n)!), edges: i.path.edges },
    };
  });
  const id = `rpt_${createHash("sha256")
    .update(canonicalJson({ direction, subject: subjectId, asOf: asOf.toISOString(), maxDepth: q.maxDepth }))
    .digest("hex")
    .slice(0, 26)}`;
  return { id, direction, subject, asOf: asOf.toISOString(), maxDepth: q.maxDepth, total, truncated: total > rows.length, countsByKind, rows };
}
