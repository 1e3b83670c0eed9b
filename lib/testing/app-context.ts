import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { appUsers } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { actorForUser } from "@/lib/authz/load-user";

/**
 * Makes `getDatabase()` answer with a test database, so route handlers can be
 * called directly in tests. It sets the same process-wide slot the server fills
 * at start; no request can reach it.
 */
export function useAsAppDatabase(database: Database): void {
  (globalThis as { __attestDb?: Promise<Database> }).__attestDb = Promise.resolve(database);
}

/** The actor of a seeded app user, by email. */
export async function actorByEmail(database: Database, email: string): Promise<Actor> {
  const [u] = await database.db.select({ id: appUsers.id }).from(appUsers).where(eq(appUsers.email, email));
  if (!u) throw new Error(`no app user ${email}`);
  const actor = await actorForUser(database.db, u.id);
  if (!actor) throw new Error(`app user ${email} is not active`);
  return actor;
}
