import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { toolUsage } from "@/db/schema";

/** One observed use (or `calls` uses) of a tool by a subject. */
export interface ToolUse {
  subjectId: string;
  toolId: string;
  at: Date;
  calls: number;
  via: "pdp" | "otlp";
}

/**
 * Folds uses into tool_usage: per (subject, tool) the newest use wins `last_used_at` and `last_seen_via`, the
 * oldest `first_used_at`, and calls add up. Uses are merged per key first (one row per key in the statement, as
 * PostgreSQL requires of ON CONFLICT) and written in key order, so concurrent writers lock rows in one order.
 * Call it inside the caller's transaction.
 */
export async function upsertToolUsage(tx: Db, uses: ToolUse[]): Promise<number> {
  const merged = new Map<string, { subjectId: string; toolId: string; first: Date; last: Date; calls: number; via: ToolUse["via"] }>();
  for (const u of uses) {
    const key = `${u.subjectId}\u0000${u.toolId}`;
    const m = merged.get(key);
    if (!m) merged.set(key, { subjectId: u.subjectId, toolId: u.toolId, first: u.at, last: u.at, calls: u.calls, via: u.via });
    else {
      if (u.at < m.first) m.first = u.at;
      if (u.at >= m.last) {
        m.last = u.at;
        m.via = u.via;
      }
      m.calls += u.calls;
    }
  }
  if (!merged.size) return 0;
  const rows = [...merged.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, m]) => ({ subjectId: m.subjectId, toolId: m.toolId, firstUsedAt: m.first, lastUsedAt: m.last, calls: m.calls, lastSeenVia: m.via }));
  await tx
    .insert(toolUsage)
    .values(rows)
    .onConflictDoUpdate({
      target: [toolUsage.subjectId, toolUsage.toolId],
      set: {
        lastSeenVia: sql`case when excluded.last_used_at >= ${toolUsage.lastUsedAt} then excluded.last_seen_via else ${toolUsage.lastSeenVia} end`,
        lastUsedAt: sql`greatest(${toolUsage.lastUsedAt}, excluded.last_used_at)`,
        firstUsedAt: sql`least(${toolUsage.firstUsedAt}, excluded.first_used_at)`,
        calls: sql`${toolUsage.calls} + excluded.calls`,
      },
    });
  return rows.length;
}
