import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ACCESS_EDGE_KINDS, PRINCIPAL_KINDS } from "@/lib/graph/model";

/**
 * The practical floor of issue #4: a plain breadth-first search over
 * adjacency lists in Node, on the same current access edges as the engine,
 * with no version check, no snapshot, no paging, no paths. Deliberately simple
 * (arrays of arrays, a queue, a distance array per query).
 */
export class FloorGraph {
  private constructor(
    readonly ids: string[],
    readonly indexOf: Map<string, number>,
    private readonly principal: Uint8Array,
    private readonly out: number[][],
    private readonly into: number[][],
  ) {}

  /** Reads current nodes and access edges (valid_to is null), as the engine's "now" index does. */
  static async load(db: Db): Promise<FloorGraph> {
    const nodeRows = ((await db.execute(sql`select id, kind from nodes where valid_to is null`)) as unknown as { rows: { id: string; kind: string }[] }).rows;
    const edgeRows = (
      (await db.execute(
        sql`select from_id, to_id from edges where valid_to is null and kind = any(${sql.param([...ACCESS_EDGE_KINDS])}::text[])`,
      )) as unknown as {
        rows: { from_id: string; to_id: string }[];
      }
    ).rows;
    const ids = nodeRows.map((r) => r.id);
    const indexOf = new Map(ids.map((id, i) => [id, i]));
    const principals = new Set<string>(PRINCIPAL_KINDS);
    const principal = Uint8Array.from(nodeRows, (r) => (principals.has(r.kind) ? 1 : 0));
    const out: number[][] = ids.map(() => []);
    const into: number[][] = ids.map(() => []);
    for (const e of edgeRows) {
      const f = indexOf.get(e.from_id);
      const t = indexOf.get(e.to_id);
      if (f === undefined || t === undefined) continue;
      out[f]!.push(t);
      into[t]!.push(f);
    }
    return new FloorGraph(ids, indexOf, principal, out, into);
  }

  /** (node, minimum depth) of every node within maxDepth of start ("in": against the edges), start excluded; principals only if asked. */
  bfs(start: string, direction: "out" | "in", maxDepth: number, principalsOnly: boolean): { id: string; depth: number }[] {
    const s = this.indexOf.get(start);
    if (s === undefined) return [];
    const adj = direction === "out" ? this.out : this.into;
    const dist = new Int16Array(this.ids.length).fill(-1);
    dist[s] = 0;
    const queue = [s];
    const found: { id: string; depth: number }[] = [];
    for (let head = 0; head < queue.length; head++) {
      const u = queue[head]!;
      const d = dist[u]!;
      if (d === maxDepth) continue;
      for (const v of adj[u]!) {
        if (dist[v] !== -1) continue;
        dist[v] = d + 1;
        queue.push(v);
        if (!principalsOnly || this.principal[v]) found.push({ id: this.ids[v]!, depth: d + 1 });
      }
    }
    return found;
  }
}
