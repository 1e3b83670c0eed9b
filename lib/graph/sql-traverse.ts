import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { ACCESS_EDGE_KINDS, PRINCIPAL_KINDS } from "./model";

/**
 * SQL baselines for the access-graph traversals, to measure the in-memory
 * index (access-index.ts, traverse.ts) against what the database alone can do.
 * Not used by the app. Portable to PGlite and PostgreSQL (plain SQL, no
 * PL/pgSQL). Every technique walks access edges only, current rows only
 * (valid_to is null), at most maxDepth edges, and answers every node reached
 * (current nodes, the start excluded) with its minimum depth — exactly what
 * reachableFrom / whoCanReach answer in memory:
 *
 * - naive_cte: recursive CTE enumerating every simple path (UNION ALL, a path
 *   array and a `<> all(path)` cycle check), then min(depth) per node. Its
 *   work grows with the number of paths, not nodes: exponential on graphs with
 *   diamonds. Guarded by a path budget (a LIMIT the recursive CTE stops at) as
 *   well as the statement timeout.
 * - frontier_cte: recursive CTE with UNION on (node, depth): each level holds
 *   the distinct nodes at exactly that many steps, so work is bounded by
 *   nodes × depth; a recursive CTE cannot see earlier levels, so nodes are
 *   revisited at every later depth (through cycles and diamonds of unequal length).
 * - iterative_bfs: a frontier BFS driven from TypeScript, one query per level
 *   (`from_id = any($frontier)`), the visited set kept here; each node is
 *   expanded once, at its minimum depth.
 *
 * One difference remains by design: SQL walks every current edge, while the
 * in-memory index drops edges whose ends are not current nodes; the two agree
 * unless a current edge points at an end-dated node (an import end-dates a
 * node's own edges with it, but not another source's edges to it).
 *
 * Each runs in a read-only transaction with `set_config('statement_timeout', …, true)`
 * (SET LOCAL), so a baseline never hangs a benchmark on PostgreSQL. PGlite
 * ignores statement_timeout: there the naive CTE's path budget is the guard,
 * and the iterative BFS checks its time between levels.
 */
export const SQL_TECHNIQUES = ["naive_cte", "frontier_cte", "iterative_bfs"] as const;
export type SqlTechnique = (typeof SQL_TECHNIQUES)[number];
export type Direction = "out" | "in";

export interface SqlTraverseOptions {
  /** Statement timeout in ms (default 10 s). */
  timeoutMs?: number;
  /** naive_cte only: give up after enumerating this many paths (default 2,000,000). */
  pathBudget?: number;
}

export interface SqlReached {
  id: string;
  depth: number;
}

export type SqlTraverseResult =
  | { ok: true; reached: SqlReached[]; /** naive_cte: paths enumerated; frontier_cte: (node, depth) rows; iterative_bfs: queries run. */ work: number }
  | { ok: false; reason: "timeout" | "budget"; message: string };

export const DEFAULT_SQL_TIMEOUT_MS = 10_000;
export const DEFAULT_PATH_BUDGET = 2_000_000;

const accessKinds = () => sql`${sql.param([...ACCESS_EDGE_KINDS])}::text[]`;
const principalKinds = () => sql`${sql.param([...PRINCIPAL_KINDS])}::text[]`;

class BudgetExceeded extends Error {}
class TimeBudgetExceeded extends Error {}

/** True for PostgreSQL's "canceling statement due to statement timeout" (SQLSTATE 57014), however the driver wraps it. */
export function isStatementTimeout(e: unknown): boolean {
  for (let err = e as { code?: unknown; cause?: unknown } | undefined, i = 0; err && i < 5; err = err.cause as typeof err, i++) {
    if (err.code === "57014") return true;
  }
  return false;
}

/** Runs `fn` in a read-only transaction with a local statement timeout; maps timeouts and budgets to a result. */
async function guarded(db: Db, timeoutMs: number, fn: (tx: Db) => Promise<{ reached: SqlReached[]; work: number }>): Promise<SqlTraverseResult> {
  const ms = Math.max(1, Math.floor(timeoutMs));
  try {
    const r = await db.transaction(
      async (tx) => {
        await tx.execute(sql`select set_config('statement_timeout', ${String(ms)}, true)`);
        return fn(tx as unknown as Db);
      },
      { isolationLevel: "repeatable read", accessMode: "read only" },
    );
    return { ok: true, ...r };
  } catch (e) {
    if (e instanceof BudgetExceeded) return { ok: false, reason: "budget", message: e.message };
    if (e instanceof TimeBudgetExceeded || isStatementTimeout(e)) return { ok: false, reason: "timeout", message: `exceeded the ${ms} ms statement timeout` };
    throw e;
  }
}

/** The columns an edge is followed by, per direction: `out` follows from → to, `in` to → from. */
function ends(direction: Direction) {
  return direction === "out" ? { near: sql.raw("from_id"), far: sql.raw("to_id") } : { near: sql.raw("to_id"), far: sql.raw("from_id") };
}

/**
 * Keeps the current nodes (principals only for who-can-reach) of `reached`
 * (columns id, depth). A lateral primary-key lookup per reached node, fenced
 * with OFFSET 0: the planner under-estimates recursive CTEs and would
 * otherwise hash-join them against a sequential scan of every node, which
 * costs ~10 ms on 50k nodes even when the answer holds three.
 */
function currentNodes(reached: SQL, principalsOnly: boolean) {
  return sql`
    select r.id, r.depth
    from ${reached} r
    join lateral (select n.kind from nodes n where n.id = r.id and n.valid_to is null offset 0) n on true
    ${principalsOnly ? sql`where n.kind = any(${principalKinds()})` : sql``}`;
}

function naiveCte(start: string, direction: Direction, maxDepth: number, principalsOnly: boolean, budget: number) {
  const { near, far } = ends(direction);
  return sql`
    with recursive walk(node, depth, path) as (
      select e.${far}, 1, array[e.${near}, e.${far}]::text[]
      from edges e
      where e.${near} = ${start}::text and e.kind = any(${accessKinds()}) and e.valid_to is null
      union all
      select e.${far}, w.depth + 1, w.path || e.${far}
      from walk w
      join edges e on e.${near} = w.node
      where w.depth < ${maxDepth}::int and e.kind = any(${accessKinds()}) and e.valid_to is null and e.${far} <> all(w.path)
    ),
    capped as (select node, depth from walk limit ${budget + 1}::int),
    reached as (${currentNodes(sql`(select node as id, min(depth) as depth from capped group by node)`, principalsOnly)})
    select r.id, r.depth, t.paths
    from (select count(*)::int as paths from capped) t
    left join reached r on true`;
}

function frontierCte(start: string, direction: Direction, maxDepth: number, principalsOnly: boolean) {
  const { near, far } = ends(direction);
  return sql`
    with recursive walk(node, depth) as (
      select ${start}::text, 0
      union
      select e.${far}, w.depth + 1
      from walk w
      join edges e on e.${near} = w.node
      where w.depth < ${maxDepth}::int and e.kind = any(${accessKinds()}) and e.valid_to is null
    ),
    reached as (${currentNodes(sql`(select node as id, min(depth) as depth from walk where node <> ${start}::text group by node)`, principalsOnly)})
    select r.id, r.depth, t.pairs
    from (select count(*)::int as pairs from walk) t
    left join reached r on true`;
}

async function iterativeBfs(tx: Db, start: string, direction: Direction, maxDepth: number, principalsOnly: boolean, deadline: number) {
  const { near, far } = ends(direction);
  const visited = new Map<string, number>([[start, 0]]);
  let frontier = [start];
  let queries = 0;
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    if (performance.now() > deadline) throw new TimeBudgetExceeded();
    const found = await rows<{ id: string }>(
      tx,
      sql`select distinct e.${far} as id from edges e
          where e.${near} = any(${sql.param(frontier)}::text[]) and e.kind = any(${accessKinds()}) and e.valid_to is null`,
    );
    queries++;
    const next: string[] = [];
    for (const { id } of found) {
      if (visited.has(id)) continue;
      visited.set(id, depth);
      next.push(id);
    }
    frontier = next;
  }
  visited.delete(start);
  if (visited.size === 0) return { reached: [], work: queries };
  const current = await rows<{ id: string }>(
    tx,
    sql`select n.id from nodes n where n.id = any(${sql.param([...visited.keys()])}::text[]) and n.valid_to is null ${principalsOnly ? sql`and n.kind = any(${principalKinds()})` : sql``}`,
  );
  return { reached: current.map(({ id }) => ({ id, depth: visited.get(id)! })), work: queries + 1 };
}

/**
 * Every node reachable from `start` along access edges (`out`: as edges point;
 * `in`: against them), within maxDepth edges, with its minimum depth; for
 * `in` with principalsOnly, only humans, service accounts and agents.
 */
export async function sqlTraverse(
  db: Db,
  technique: SqlTechnique,
  start: string,
  direction: Direction,
  maxDepth: number,
  opts: SqlTraverseOptions & { principalsOnly?: boolean } = {},
): Promise<SqlTraverseResult> {
  if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new Error("maxDepth must be a positive integer");
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SQL_TIMEOUT_MS;
  const principalsOnly = opts.principalsOnly ?? false;
  switch (technique) {
    case "naive_cte": {
      const budget = opts.pathBudget ?? DEFAULT_PATH_BUDGET;
      return guarded(db, timeoutMs, async (tx) => {
        const out = await rows<{ id: string | null; depth: number | null; paths: number }>(tx, naiveCte(start, direction, maxDepth, principalsOnly, budget));
        const paths = Number(out[0]?.paths ?? 0);
        if (paths > budget) throw new BudgetExceeded(`more than ${budget} paths within depth ${maxDepth}`);
        return { reached: out.filter((r) => r.id !== null).map((r) => ({ id: r.id!, depth: Number(r.depth) })), work: paths };
      });
    }
    case "frontier_cte":
      return guarded(db, timeoutMs, async (tx) => {
        const out = await rows<{ id: string | null; depth: number | null; pairs: number }>(tx, frontierCte(start, direction, maxDepth, principalsOnly));
        return { reached: out.filter((r) => r.id !== null).map((r) => ({ id: r.id!, depth: Number(r.depth) })), work: Number(out[0]?.pairs ?? 0) };
      });
    case "iterative_bfs": {
      const deadline = performance.now() + timeoutMs;
      return guarded(db, timeoutMs, (tx) => iterativeBfs(tx, start, direction, maxDepth, principalsOnly, deadline));
    }
  }
}

/** Every node `principal` reaches through access edges, with its minimum depth (SQL baseline of reachableFrom). */
export function sqlReachableFrom(
  db: Db,
  technique: SqlTechnique,
  principal: string,
  maxDepth: number,
  opts: SqlTraverseOptions = {},
): Promise<SqlTraverseResult> {
  return sqlTraverse(db, technique, principal, "out", maxDepth, opts);
}

/** Every principal with a path of access edges to `target`, with its minimum depth (SQL baseline of whoCanReach). */
export function sqlWhoCanReach(db: Db, technique: SqlTechnique, target: string, maxDepth: number, opts: SqlTraverseOptions = {}): Promise<SqlTraverseResult> {
  return sqlTraverse(db, technique, target, "in", maxDepth, { ...opts, principalsOnly: true });
}

export type SqlPathsResult = { ok: true; paths: string[][]; work: number } | { ok: false; reason: "timeout" | "budget"; message: string };

/**
 * Up to k shortest simple paths from → to (node ids, from first), the naive
 * way: enumerate every simple path from `from` within maxDepth (not expanding
 * past `to`), keep those ending at `to`, order by length. The SQL baseline of
 * kShortestPaths; guarded like naive_cte.
 */
export async function sqlShortestPaths(db: Db, from: string, to: string, k: number, maxDepth: number, opts: SqlTraverseOptions = {}): Promise<SqlPathsResult> {
  const budget = opts.pathBudget ?? DEFAULT_PATH_BUDGET;
  let result: { paths: string[][]; work: number } = { paths: [], work: 0 };
  const r = await guarded(db, opts.timeoutMs ?? DEFAULT_SQL_TIMEOUT_MS, async (tx) => {
    const out = await rows<{ path: string[] | null; paths: number }>(
      tx,
      sql`
        with recursive walk(node, depth, path) as (
          select e.to_id, 1, array[e.from_id, e.to_id]::text[]
          from edges e
          where e.from_id = ${from}::text and e.kind = any(${accessKinds()}) and e.valid_to is null
          union all
          select e.to_id, w.depth + 1, w.path || e.to_id
          from walk w
          join edges e on e.from_id = w.node
          where w.depth < ${maxDepth}::int and w.node <> ${to}::text
            and e.kind = any(${accessKinds()}) and e.valid_to is null and e.to_id <> all(w.path)
        ),
        capped as (select node, depth, path from walk limit ${budget + 1}::int),
        hits as (select path, depth from capped where node = ${to}::text order by depth, path limit ${k}::int)
        select h.path, t.paths
        from (select count(*)::int as paths from capped) t
        left join hits h on true
        order by h.depth, h.path`,
    );
    const paths = Number(out[0]?.paths ?? 0);
    if (paths > budget) throw new BudgetExceeded(`more than ${budget} paths within depth ${maxDepth}`);
    result = { paths: out.filter((o) => o.path !== null).map((o) => o.path!), work: paths };
    return { reached: [], work: paths };
  });
  return r.ok ? { ok: true, ...result } : r;
}
