import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { edges, nodes } from "@/db/schema";
import { isDepartedStatus } from "./owner-state";

const MAX_LEVELS = 6;

/**
 * The nearest active manager of a person: their manager, or, when that manager
 * has left too, the next one up (at most six levels; cycles stop the walk).
 * `via` names the managers passed over, for the reason shown to the analyst.
 */
export async function activeManagerOf(db: Db, humanId: string): Promise<{ id: string; name: string; via: string | null } | null> {
  const passed: string[] = [];
  const seen = new Set([humanId]);
  let current = humanId;
  for (let level = 0; level < MAX_LEVELS; level++) {
    const [m] = await db
      .select({ id: nodes.id, name: nodes.name, status: nodes.status, validTo: nodes.validTo })
      .from(edges)
      .innerJoin(nodes, eq(nodes.id, edges.fromId))
      .where(and(eq(edges.toId, current), eq(edges.kind, "manages"), isNull(edges.validTo), eq(nodes.kind, "human")))
      .orderBy(edges.validFrom, edges.id)
      .limit(1);
    if (!m || seen.has(m.id)) return null;
    if (m.validTo === null && !isDepartedStatus(m.status)) return { id: m.id, name: m.name, via: passed.length ? passed.join(", ") : null };
    passed.push(m.name);
    seen.add(m.id);
    current = m.id;
  }
  return null;
}
