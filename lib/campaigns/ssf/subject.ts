import { and, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { nodes } from "@/db/schema";

/**
 * The subject of a SET (RFC 9493 subject identifiers, as SSF 1.0 carries them
 * in `sub_id`; older drafts put a `subject` inside each event) matched to
 * people in the graph: by e-mail address, or by the identifier a source gave
 * the account (external id). A complex subject is matched by its `user`
 * member (its `device`, `session`, `tenant` name nothing Attest holds).
 */

/** What a subject identifier lets us look up. */
export interface SubjectKeys {
  emails: string[];
  externalIds: string[];
}

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() && v.length <= 512 ? v.trim() : null);
const looksLikeEmail = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);

/** Collects lookup keys from one subject identifier (depth-bounded: aliases and complex members nest). */
export function subjectKeys(subject: unknown, keys: SubjectKeys = { emails: [], externalIds: [] }, depth = 0): SubjectKeys {
  if (!subject || typeof subject !== "object" || Array.isArray(subject) || depth > 3) return keys;
  const s = subject as Record<string, unknown>;
  switch (s.format) {
    case "email": {
      const e = str(s.email);
      if (e) keys.emails.push(e.toLowerCase());
      break;
    }
    case "iss_sub": {
      // The account as its identity provider names it; some providers use the address itself as `sub`.
      const sub = str(s.sub);
      if (sub) {
        keys.externalIds.push(sub);
        if (looksLikeEmail(sub)) keys.emails.push(sub.toLowerCase());
      }
      break;
    }
    case "opaque": {
      const id = str(s.id);
      if (id) keys.externalIds.push(id);
      break;
    }
    case "account": {
      const uri = str(s.uri);
      const m = uri ? /^acct:(.+)$/i.exec(uri) : null;
      if (m && looksLikeEmail(m[1]!)) keys.emails.push(m[1]!.toLowerCase());
      break;
    }
    case "aliases":
      if (Array.isArray(s.identifiers)) for (const i of s.identifiers.slice(0, 10)) subjectKeys(i, keys, depth + 1);
      break;
    case "complex":
      subjectKeys(s.user, keys, depth + 1);
      break;
    default:
      break;
  }
  return keys;
}

/** The subject identifier of a SET: `sub_id` (SSF 1.0), else the first event's `subject` (earlier drafts). */
export function subjectOf(payload: { sub_id?: unknown; events: Record<string, Record<string, unknown>> }): Record<string, unknown> {
  if (payload.sub_id && typeof payload.sub_id === "object" && !Array.isArray(payload.sub_id)) return payload.sub_id as Record<string, unknown>;
  for (const ev of Object.values(payload.events)) {
    const s = ev.subject;
    if (s && typeof s === "object" && !Array.isArray(s)) return s as Record<string, unknown>;
  }
  return {};
}

/** Current people (human nodes) the keys name, matched by e-mail first; ordered so the first is the one to show. */
export async function matchPeople(db: Db, keys: SubjectKeys): Promise<string[]> {
  const emails = [...new Set(keys.emails)].slice(0, 10);
  const ids = [...new Set(keys.externalIds)].slice(0, 10);
  const parts: SQL[] = [];
  if (emails.length) parts.push(sql`lower(${nodes.attributes}->>'email') = any(${sql.param(emails)}::text[])`);
  if (ids.length) parts.push(inArray(nodes.externalId, ids));
  if (parts.length === 0) return [];
  const rows = await db
    .select({ id: nodes.id, email: sql<string | null>`lower(${nodes.attributes}->>'email')` })
    .from(nodes)
    .where(and(eq(nodes.kind, "human"), isNull(nodes.validTo), or(...parts)))
    .orderBy(nodes.id)
    .limit(20);
  const byEmail = rows.filter((r) => r.email && emails.includes(r.email));
  return [...new Set([...byEmail, ...rows].map((r) => r.id))];
}
