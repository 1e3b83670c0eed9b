import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { graphState } from "@/db/schema";

/**
 * Marks the graph changed; call inside the transaction that changed it. Every
 * writer (imports, SCIM, ownership) calls it, so it lives with the graph, not
 * with any one writer: in-memory indexes in every instance compare this version.
 */
export async function bumpGraphVersion(tx: Db): Promise<number> {
  const [row] = await tx
    .update(graphState)
    .set({ version: sql`${graphState.version} + 1`, updatedAt: new Date() })
    .where(eq(graphState.id, 1))
    .returning({ version: graphState.version });
  return row?.version ?? 0;
}
