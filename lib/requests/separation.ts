import { and, eq, inArray, isNull, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { edges } from "@/db/schema";

/** Identity links form a star (one account stands for the person, lib/connectors/linking.ts): two hops reach every account. */
const LINK_HOPS = 2;

/**
 * The identities that are the signed-in person's own: the human node their app user is linked to, that person's
 * other accounts (identity links, `same_as`, either direction) and the agents acting for any of them (`acts_for`).
 * Like the campaigns' separation of duties (lib/campaigns/reviewers.ts conflictOf, lib/campaigns/triggers/events.ts
 * identitiesOf), nobody decides access of themselves or of an agent working for them. Bounded: a person's links and
 * agents, never a graph walk.
 */
export async function ownIdentities(db: Db, humanNodeId: string | null): Promise<Set<string>> {
  const people = new Set<string>();
  if (!humanNodeId) return people;
  people.add(humanNodeId);
  let frontier = [humanNodeId];
  for (let hop = 0; hop < LINK_HOPS && frontier.length; hop++) {
    const links = await db
      .select({ from: edges.fromId, to: edges.toId })
      .from(edges)
      .where(and(eq(edges.kind, "same_as"), isNull(edges.validTo), or(inArray(edges.fromId, frontier), inArray(edges.toId, frontier))));
    const next: string[] = [];
    for (const l of links)
      for (const id of [l.from, l.to])
        if (!people.has(id)) {
          people.add(id);
          next.push(id);
        }
    frontier = next;
  }
  const agents = await db
    .select({ id: edges.fromId })
    .from(edges)
    .where(and(eq(edges.kind, "acts_for"), isNull(edges.validTo), inArray(edges.toId, [...people])));
  return new Set([...people, ...agents.map((a) => a.id)]);
}

/**
 * Why the person whose own identities are `mine` may not decide a request of `subjectId` (acting for
 * `actingForId`), or null. The subject and the principal it acts for must both be someone else.
 */
export function conflictOfRequest(mine: Set<string>, req: { subjectId: string; actingForId: string | null }): string | null {
  if (mine.has(req.subjectId)) return "separation of duties: the request is for you or for an agent acting for you";
  if (req.actingForId && mine.has(req.actingForId)) return "separation of duties: the subject acts for you";
  return null;
}
