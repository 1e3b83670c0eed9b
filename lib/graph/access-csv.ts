import type { z } from "zod";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { AppError } from "@/lib/errors";
import { toCsv, type Cell } from "@/lib/api/csv";
import {
  describeNodes,
  describeReached,
  inOrder,
  pathsFor,
  type pathsQuerySchema,
  reachableFromAnswer,
  type reachableFromQuerySchema,
  whoCanReachAnswer,
  type whoCanReachQuerySchema,
  type AccessAnswer,
} from "./access-api";
import { withReadDb } from "./graph-feed";
import { EDGE_RULES } from "./model";
import { getNodeFor, type neighborsQuerySchema } from "./node-api";
import { listNeighbors } from "./nodes";
import type { PathOut } from "./traverse";

/** The explorer's list as a file: one row per result, the same columns for every mode. */
export const ACCESS_CSV_HEADER = ["name", "kind", "source", "external id", "path length", "path", "id"] as const;
/** More rows than any spreadsheet opens comfortably; a larger answer is refused with a hint rather than cut short silently. */
export const ACCESS_CSV_MAX_ROWS = 200_000;
const CHUNK = 2_000;

export interface CsvFile {
  filename: string;
  body: string;
}

/** "Ada —member of→ Engineering —has entitlement→ GitHub MCP use": a path in words, as the explorer's list shows it. */
export function pathInWords(path: PathOut, name: (id: string) => string): string {
  return path.nodes.map((n, i) => (i === 0 ? name(n) : ` —${EDGE_RULES[path.edges[i - 1]!].label}→ ${name(n)}`)).join("");
}

async function names(db: Db, ids: Iterable<string>): Promise<Map<string, string>> {
  const all = [...new Set(ids)];
  const out = new Map<string, string>();
  for (let i = 0; i < all.length; i += CHUNK) for (const [id, d] of await describeNodes(db, all.slice(i, i + CHUNK))) out.set(id, d.name);
  return out;
}

async function answerCsv(db: Db, a: AccessAnswer, filename: string): Promise<CsvFile> {
  if (a.reached.length > ACCESS_CSV_MAX_ROWS) {
    throw new AppError(
      "bad_request",
      `the answer has ${a.reached.length} rows, more than ${ACCESS_CSV_MAX_ROWS} a CSV export holds; filter by kind or source, or lower maxDepth`,
    );
  }
  const ordered = inOrder(a);
  // Whole-answer name lookups: the read replica when it has the answer's graph version (DATABASE_READ_URL), else the primary.
  const rows = await withReadDb(db, a.ix.version, async (readDb) => {
    const out: Cell[][] = [];
    for (let i = 0; i < ordered.length; i += CHUNK) {
      const items = await describeReached(readDb, a, ordered.slice(i, i + CHUNK));
      const named = await names(
        readDb,
        items.flatMap((it) => it.path.nodes),
      );
      for (const it of items) out.push([it.name, it.kind, it.source, it.externalId, it.depth, pathInWords(it.path, (id) => named.get(id) ?? id), it.id]);
    }
    return out;
  });
  return { filename, body: toCsv(ACCESS_CSV_HEADER, rows) };
}

/** Every principal that reaches the target (all pages, after the kind and source filters), formula-safe. */
export async function whoCanReachCsv(db: Db, actor: Actor, q: z.infer<typeof whoCanReachQuerySchema>): Promise<CsvFile> {
  const a = await whoCanReachAnswer(db, actor, q);
  return answerCsv(db, a, `who-can-reach-${a.start}.csv`);
}

/** Everything the principal reaches (all pages, after the kind and source filters), formula-safe. */
export async function reachableFromCsv(db: Db, actor: Actor, q: z.infer<typeof reachableFromQuerySchema>): Promise<CsvFile> {
  const a = await reachableFromAnswer(db, actor, q);
  return answerCsv(db, a, `reachable-from-${a.start}.csv`);
}

/** The k shortest paths, one row each, described by the node they end at. */
export async function pathsCsv(db: Db, actor: Actor, q: z.infer<typeof pathsQuerySchema>): Promise<CsvFile> {
  const r = await pathsFor(db, actor, q);
  const name = (id: string) => r.nodes[id]?.name ?? id;
  const rows: Cell[][] = r.items.map((p) => {
    const end = p.nodes[p.nodes.length - 1]!;
    const d = r.nodes[end];
    return [name(end), d?.kind, d?.source, d?.externalId, p.length, pathInWords(p, name), end];
  });
  const from = r.items[0]?.nodes[0] ?? "none";
  return { filename: `paths-${from}.csv`, body: toCsv(ACCESS_CSV_HEADER, rows) };
}

/** Every relationship one edge away (all pages), one row per edge, described by the node at its other end. */
export async function neighborsCsv(db: Db, actor: Actor, rawId: string, q: z.infer<typeof neighborsQuerySchema>): Promise<CsvFile> {
  if (q.depth !== 1)
    throw new AppError("validation", "depth: format=csv lists the relationships one edge away; depth must be 1", [
      { path: "depth", message: "must be 1 with format=csv" },
    ]);
  const node = await getNodeFor(db, actor, rawId);
  const rows: Cell[][] = [];
  let cursor: string | undefined;
  do {
    const page = await listNeighbors(db, node.id, { ...q, limit: 500, cursor });
    if (page.total > ACCESS_CSV_MAX_ROWS)
      throw new AppError(
        "bad_request",
        `the node has ${page.total} relationships, more than ${ACCESS_CSV_MAX_ROWS} a CSV export holds; filter by edgeKind or direction`,
      );
    for (const n of page.items) {
      const path = n.edge.direction === "out" ? `${node.name} —${n.edge.label}→ ${n.node.name}` : `${n.node.name} —${n.edge.label}→ ${node.name}`;
      rows.push([n.node.name, n.node.kind, n.node.source, n.node.externalId, 1, path, n.node.id]);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { filename: `neighbors-${node.id}.csv`, body: toCsv(ACCESS_CSV_HEADER, rows) };
}
