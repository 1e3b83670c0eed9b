import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db } from "@/db/client";
import { edges, nodes } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { getAccessIndex } from "@/lib/graph/access-cache";
import { KIND_CODE } from "@/lib/graph/access-index";
import type { NodeKind, OwnerRole } from "@/lib/graph/model";
import { bfs } from "@/lib/graph/traverse";
import { effectiveOwnersOf, edgeRoles, isDepartedStatus } from "./owner-state";
import { resolveRef, type RefNode } from "./refs";
import { activeManagerOf } from "./successor";

export const suggestionsQuerySchema = z.object({ node: z.string().trim().min(1, "node is required").max(700) }).strict();

export const SUGGESTION_RULES = ["acts_for", "previous_owner_manager", "group_usage", "attribute"] as const;
export type SuggestionRule = (typeof SUGGESTION_RULES)[number];

export interface Suggestion {
  owner: { id: string; kind: "human" | "group"; name: string; status: string | null; email: string | null };
  role: OwnerRole;
  rules: SuggestionRule[];
  reasons: string[];
  score: number;
}

interface Candidate {
  id: string;
  role: OwnerRole;
  rule: SuggestionRule;
  reason: string;
  score: number;
}

type Person = { id: string; kind: NodeKind; name: string; status: string | null; validTo: Date | null; attributes: Record<string, unknown> };

async function loadNodes(db: Db, ids: readonly string[]): Promise<Map<string, Person>> {
  if (ids.length === 0) return new Map();
  const found = await db
    .select({ id: nodes.id, kind: nodes.kind, name: nodes.name, status: nodes.status, validTo: nodes.validTo, attributes: nodes.attributes })
    .from(nodes)
    .where(inArray(nodes.id, [...new Set(ids)]));
  return new Map(found.map((n) => [n.id, n]));
}

const gone = (p: Person) => p.validTo !== null || isDepartedStatus(p.status);

/** Rule 1: the human an agent acts for; for a service-account principal, that account's active owners. */
async function actsFor(db: Db, node: RefNode): Promise<Candidate[]> {
  if (node.kind !== "agent") return [];
  const principal = alias(nodes, "principal");
  const found = await db
    .select({ id: principal.id, kind: principal.kind, name: principal.name, status: principal.status, validTo: principal.validTo })
    .from(edges)
    .innerJoin(principal, eq(principal.id, edges.toId))
    .where(and(eq(edges.fromId, node.id), eq(edges.kind, "acts_for"), isNull(edges.validTo)));
  const out: Candidate[] = [];
  for (const p of found) {
    if (p.kind === "human" && !gone({ ...p, attributes: {} }))
      out.push({ id: p.id, role: "business", rule: "acts_for", reason: `${node.name} acts for ${p.name}`, score: 100 });
    if (p.kind === "service_account") {
      for (const o of (await effectiveOwnersOf(db, [p.id])).get(p.id) ?? []) {
        if (o.active)
          out.push({
            id: o.owner.id,
            role: "business",
            rule: "acts_for",
            reason: `${node.name} acts for service account ${p.name}, which ${o.owner.name} owns`,
            score: 60,
          });
      }
    }
    if (p.kind === "human" && gone({ ...p, attributes: {} })) {
      const m = await activeManagerOf(db, p.id);
      if (m)
        out.push({
          id: m.id,
          role: "business",
          rule: "previous_owner_manager",
          reason: `manager of ${p.name} (${p.validTo ? "gone" : p.status}), whom ${node.name} acts for`,
          score: 85,
        });
    }
  }
  return out;
}

/** Rule 2: the manager of a previous owner who left (walking up past managers who left too). */
async function previousOwnerManager(db: Db, node: RefNode): Promise<Candidate[]> {
  const owned = await db
    .select({ ownerId: edges.fromId, attributes: edges.attributes, validTo: edges.validTo })
    .from(edges)
    .where(and(eq(edges.toId, node.id), eq(edges.kind, "owns")));
  const people = await loadNodes(
    db,
    owned.map((o) => o.ownerId),
  );
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const o of owned) {
    const p = people.get(o.ownerId);
    if (!p || p.kind !== "human" || !gone(p) || seen.has(p.id)) continue;
    seen.add(p.id);
    const m = await activeManagerOf(db, p.id);
    if (!m) continue;
    const role = edgeRoles(o.attributes)[0] ?? "business";
    out.push({
      id: m.id,
      role,
      rule: "previous_owner_manager",
      reason: `manager of ${p.name}, the previous ${role} owner (${p.validTo ? "gone" : p.status})${m.via ? `, through ${m.via}` : ""}`,
      score: 90,
    });
  }
  return out;
}

/**
 * Rule 3: the group whose members most use or can reach the node (access
 * edges against their direction, 4 edges). Groups are ranked by members who
 * reach it × the share of the group's active members who do, so a small team
 * that all uses a server beats "All Staff".
 */
async function groupUsage(db: Db, node: RefNode): Promise<Candidate[]> {
  const ix = await getAccessIndex(db);
  const start = ix.indexOf.get(node.id);
  if (start === undefined) return [];
  const human = KIND_CODE.get("human");
  const users = bfs(ix, start, "in", 4)
    .reached.filter((r) => ix.kinds[r.node] === human)
    .map((r) => ix.ids[r.node]!);
  if (users.length === 0) return [];
  const member = alias(nodes, "member");
  const activeMember = and(eq(member.kind, "human"), isNull(member.validTo), sql`coalesce(${member.status}, 'active') not in ('terminated', 'inactive')`);
  const memberships = await db
    .select({ groupId: edges.toId, memberId: edges.fromId })
    .from(edges)
    .innerJoin(member, eq(member.id, edges.fromId))
    .where(and(eq(edges.kind, "member_of"), isNull(edges.validTo), inArray(edges.fromId, users), activeMember));
  const usersByGroup = new Map<string, Set<string>>();
  for (const m of memberships) usersByGroup.set(m.groupId, (usersByGroup.get(m.groupId) ?? new Set()).add(m.memberId));
  if (usersByGroup.size === 0) return [];
  const sizes = await db
    .select({ groupId: edges.toId, n: sql<number>`count(*)::int` })
    .from(edges)
    .innerJoin(member, eq(member.id, edges.fromId))
    .where(and(eq(edges.kind, "member_of"), isNull(edges.validTo), inArray(edges.toId, [...usersByGroup.keys()]), activeMember))
    .groupBy(edges.toId);
  const groups = await loadNodes(db, [...usersByGroup.keys()]);
  const ranked = sizes
    .map((s) => {
      const using = usersByGroup.get(s.groupId)?.size ?? 0;
      return { id: s.groupId, using, size: s.n, weight: (using * using) / Math.max(s.n, 1) };
    })
    .filter((g) => g.using > 0 && g.size > 0 && groups.get(g.id)?.validTo === null)
    .sort((a, b) => b.weight - a.weight || a.size - b.size)
    .slice(0, 2);
  return ranked.map((g) => ({
    id: g.id,
    role: "technical" as const,
    rule: "group_usage" as const,
    reason: `${g.using} of its ${g.size} active members use or can reach ${node.name}`,
    score: Math.round(40 + 40 * Math.min(1, g.using / g.size)),
  }));
}

const ATTRIBUTE_KEYS: Record<string, OwnerRole> = {
  owner: "business",
  owners: "business",
  owner_email: "business",
  ownerEmail: "business",
  businessOwner: "business",
  technicalOwner: "technical",
  created_by: "technical",
  createdBy: "technical",
  creator: "technical",
};

/** Owner names an import carried in attributes: `owner`, `created_by` and the like, and `owner:…` tags or labels. */
export function namedOwners(attributes: Record<string, unknown>): { key: string; value: string; role: OwnerRole }[] {
  const out: { key: string; value: string; role: OwnerRole }[] = [];
  const push = (key: string, v: unknown, role: OwnerRole) => {
    for (const s of Array.isArray(v) ? v : [v]) if (typeof s === "string" && s.trim()) out.push({ key, value: s.trim(), role });
  };
  for (const [k, role] of Object.entries(ATTRIBUTE_KEYS)) if (k in attributes) push(k, attributes[k], role);
  for (const key of ["tags", "labels"]) {
    const v = attributes[key];
    if (Array.isArray(v)) {
      for (const t of v) {
        const m = typeof t === "string" ? /^(owner|created[_-]?by)\s*[:=]\s*(.+)$/i.exec(t.trim()) : null;
        if (m) out.push({ key: `${key}`, value: m[2]!.trim(), role: m[1]!.toLowerCase() === "owner" ? "business" : "technical" });
      }
    } else if (v && typeof v === "object") {
      for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
        const role = ATTRIBUTE_KEYS[k] ?? (k.toLowerCase() === "owner" ? "business" : undefined);
        if (role) push(`${key}.${k}`, val, role);
      }
    }
  }
  return out;
}

/** Rule 4: an owner named in the node's imported attributes, matched to a human (email, name, external id) or a group (name, external id). */
async function attributeOwner(db: Db, node: RefNode): Promise<Candidate[]> {
  const named = namedOwners(node.attributes);
  if (named.length === 0) return [];
  const lower = named.map((n) => n.value.toLowerCase());
  const found = await db
    .select({ id: nodes.id, kind: nodes.kind, name: nodes.name, externalId: nodes.externalId, email: sql<string | null>`lower(${nodes.attributes}->>'email')` })
    .from(nodes)
    .where(
      and(
        inArray(nodes.kind, ["human", "group"]),
        isNull(nodes.validTo),
        sql`(lower(${nodes.attributes}->>'email') = any(${sql.param(lower)}::text[]) or lower(${nodes.name}) = any(${sql.param(lower)}::text[]) or ${nodes.externalId} = any(${sql.param(named.map((n) => n.value))}::text[]))`,
      ),
    );
  const out: Candidate[] = [];
  for (const n of named) {
    const v = n.value.toLowerCase();
    const match = found.find((f) => f.email === v || f.name.toLowerCase() === v || f.externalId === n.value);
    if (match) out.push({ id: match.id, role: n.role, rule: "attribute", reason: `named in its attributes (${n.key}: ${n.value})`, score: 70 });
  }
  return out;
}

/**
 * Owner suggestions for one node (GET /api/v1/ownership/suggestions?node=),
 * each with its reasons, best first: the human an agent acts for; the manager
 * of a previous owner who left; the group whose members most use it; an owner
 * named in its imported attributes. Current active owners and people or groups
 * who could not be assigned (left, empty) are never suggested.
 */
export async function suggestOwners(
  db: Db,
  actor: Actor,
  q: z.infer<typeof suggestionsQuerySchema>,
): Promise<{ node: { id: string; kind: NodeKind; name: string }; items: Suggestion[]; total: number; nextCursor: null }> {
  requirePermission(actor, "owner.read");
  const node = await resolveRef(db, q.node, "node");
  const items = await suggestionsFor(db, node);
  return { node: { id: node.id, kind: node.kind, name: node.name }, items, total: items.length, nextCursor: null };
}

export async function suggestionsFor(db: Db, node: RefNode): Promise<Suggestion[]> {
  const candidates = (await Promise.all([actsFor(db, node), previousOwnerManager(db, node), groupUsage(db, node), attributeOwner(db, node)])).flat();
  const current = new Set(((await effectiveOwnersOf(db, [node.id])).get(node.id) ?? []).filter((o) => o.active).map((o) => o.owner.id));
  const people = await loadNodes(
    db,
    candidates.map((c) => c.id),
  );
  const merged = new Map<string, Suggestion>();
  for (const c of candidates.sort((a, b) => b.score - a.score)) {
    const p = people.get(c.id);
    if (!p || current.has(c.id) || gone(p) || (p.kind !== "human" && p.kind !== "group")) continue;
    const s = merged.get(c.id);
    if (s) {
      if (!s.rules.includes(c.rule)) s.rules.push(c.rule);
      if (!s.reasons.includes(c.reason)) s.reasons.push(c.reason);
      s.score = Math.min(100, s.score + 5);
    } else {
      merged.set(c.id, {
        owner: { id: p.id, kind: p.kind, name: p.name, status: p.status, email: typeof p.attributes.email === "string" ? p.attributes.email : null },
        role: c.role,
        rules: [c.rule],
        reasons: [c.reason],
        score: c.score,
      });
    }
  }
  return [...merged.values()].sort((a, b) => b.score - a.score || a.owner.name.localeCompare(b.owner.name));
}
