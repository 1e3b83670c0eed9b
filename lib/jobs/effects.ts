import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { jobEffects } from "@/db/schema";

/**
 * Runs `effect` once per key, whatever the number of deliveries: the key is
 * claimed in the effect's own transaction, so a redelivered job (or two
 * workers racing) either sees the key taken and does nothing, or does the
 * effect and takes the key together. Returns whether the effect ran.
 */
export async function runOnce(db: Db, key: string, jobId: string | null, effect: (tx: Db) => Promise<unknown>): Promise<boolean> {
  return db.transaction(async (tx) => {
    const claimed = await tx
      .insert(jobEffects)
      .values({ key, jobId, doneAt: sql`now()` } as never)
      .onConflictDoNothing()
      .returning({ key: jobEffects.key });
    if (!claimed.length) return false;
    await effect(tx);
    return true;
  });
}
