import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { identityLinkOverrides, sources } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import type { GraphEdgeRecord } from "@/lib/ingest/graph-document";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport, type ImportRecord } from "@/lib/ingest/run-import";

/**
 * Identity linking: one person's accounts in different systems become one
 * person in the graph, so who-can-reach crosses systems. Written as edges of
 * the source `identity-links` by the import engine (full mode: a link that no
 * rule makes any more is end-dated; audited; versioned like any import).
 *
 * Rules (README "Identity linking"), applied to current `human` nodes:
 * 1. Same e-mail: `email`, `upn`, or a `login` that is an e-mail address, compared lower-cased. Only what the
 *    source system states as the person's address counts (each connector says which attribute it fills).
 * 2. GitHub login: a GitHub account (source type github) whose `login` equals another account's `githubLogin`.
 * 3. An admin's decision overrides both: `link` joins two accounts no rule joined, `never` keeps two apart.
 * Accounts joined by a rule form a person; the account that stands for the person is the one from the most
 * authoritative source (Entra ID, Okta, SCIM, other imports, GitHub, AWS IAM; then the oldest), and it gets a
 * `same_as` edge to each other account (edge attributes say which rule). A key shared by more than
 * MAX_ACCOUNTS_PER_KEY accounts (a shared mailbox) links nothing and is reported.
 *
 * Cross-system access: an entitlement carrying `awsRoleArns` (an IdP's AWS app role, e.g. Entra's AWS
 * enterprise application) gets an `assumes` edge to each IAM role with that ARN in an AWS IAM source.
 */
export const LINKS_SOURCE = "identity-links";
export const MAX_ACCOUNTS_PER_KEY = 20;

/** Lower number = more authoritative as the person's own record. */
const SOURCE_RANK: Record<string, number> = { entra: 0, okta: 1, scim: 2, github: 8, aws_iam: 9 };
const rankOf = (sourceType: string) => SOURCE_RANK[sourceType] ?? 5;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface HumanRow {
  id: string;
  externalId: string;
  source: string;
  sourceType: string;
  email: string | null;
  upn: string | null;
  login: string | null;
  githubLogin: string | null;
  firstSeenAt: Date;
}

export interface LinkPlan {
  edges: GraphEdgeRecord[];
  /** Keys that matched too many accounts (counted, never listed: they are addresses). */
  crowdedKeys: number;
  persons: number;
  linkedAccounts: number;
  roleLinks: number;
}

type Ref = { source: string; kind: "human"; externalId: string };
const refOf = (h: HumanRow): Ref => ({ source: h.source, kind: "human", externalId: h.externalId });
export const refText = (r: { source: string; kind: string; externalId: string }) => `${r.source}:${r.kind}:${r.externalId}`;

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p !== x) {
      p = this.find(p);
      this.parent.set(x, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

function keysOf(h: HumanRow): { key: string; rule: string }[] {
  const out: { key: string; rule: string }[] = [];
  const mail = (v: string | null, rule: string) => {
    const s = v?.trim().toLowerCase();
    if (s && EMAIL.test(s)) out.push({ key: `mail:${s}`, rule });
  };
  mail(h.email, "email");
  mail(h.upn, "upn");
  if (h.sourceType !== "github") mail(h.login, "login");
  if (h.sourceType === "github" && h.login) out.push({ key: `gh:${h.login.trim().toLowerCase()}`, rule: "github login" });
  if (h.githubLogin) out.push({ key: `gh:${h.githubLogin.trim().toLowerCase()}`, rule: "github login" });
  return out;
}

/** Works out the links from the graph as it is now (reads humans, role-carrying entitlements, AWS roles, overrides). */
export async function planLinks(db: Db): Promise<LinkPlan> {
  const humans = await rows<HumanRow>(
    db,
    sql`select n.id, n.external_id as "externalId", s.name as source, s.type as "sourceType",
          n.attributes->>'email' as email, n.attributes->>'upn' as upn, n.attributes->>'login' as login,
          n.attributes->>'githubLogin' as "githubLogin", n.first_seen_at as "firstSeenAt"
        from nodes n join sources s on s.id = n.source_id
        where n.kind = 'human' and n.valid_to is null and s.name <> ${LINKS_SOURCE}
        order by n.id`,
  );
  const overrides = await db.select().from(identityLinkOverrides);
  const never = new Set(
    overrides.filter((o) => o.decision === "never").flatMap((o) => [`${o.personRef}\u0000${o.accountRef}`, `${o.accountRef}\u0000${o.personRef}`]),
  );
  const byRef = new Map(humans.map((h) => [refText(refOf(h)), h]));

  // Accounts by key; a crowded key (a shared mailbox, a generic login) links nothing.
  const byKey = new Map<string, { h: HumanRow; rule: string }[]>();
  for (const h of humans) {
    for (const k of keysOf(h)) {
      const list = byKey.get(k.key) ?? [];
      if (!list.some((x) => x.h.id === h.id)) list.push({ h, rule: k.rule });
      byKey.set(k.key, list);
    }
  }
  const uf = new UnionFind();
  const ruleOf = new Map<string, string>(); // account id → the rule that joined it
  let crowdedKeys = 0;
  for (const list of byKey.values()) {
    if (list.length < 2) continue;
    // Accounts of one person live in different systems: two accounts of one source sharing a key are not joined.
    if (new Set(list.map((x) => x.h.source)).size < 2) continue;
    if (list.length > MAX_ACCOUNTS_PER_KEY) {
      crowdedKeys++;
      continue;
    }
    for (const x of list.slice(1)) {
      if (never.has(`${refText(refOf(list[0]!.h))}\u0000${refText(refOf(x.h))}`)) continue;
      uf.union(list[0]!.h.id, x.h.id);
      if (!ruleOf.has(x.h.id)) ruleOf.set(x.h.id, x.rule);
      if (!ruleOf.has(list[0]!.h.id)) ruleOf.set(list[0]!.h.id, list[0]!.rule);
    }
  }
  for (const o of overrides) {
    if (o.decision !== "link") continue;
    const a = byRef.get(o.personRef);
    const b = byRef.get(o.accountRef);
    if (!a || !b || a.id === b.id) continue;
    uf.union(a.id, b.id);
    ruleOf.set(b.id, "admin");
    if (!ruleOf.has(a.id)) ruleOf.set(a.id, "admin");
  }
  const clusters = new Map<string, HumanRow[]>();
  for (const h of humans) {
    if (!ruleOf.has(h.id)) continue;
    const root = uf.find(h.id);
    const list = clusters.get(root) ?? [];
    list.push(h);
    clusters.set(root, list);
  }
  const out: GraphEdgeRecord[] = [];
  let persons = 0;
  let linkedAccounts = 0;
  for (const members of clusters.values()) {
    if (members.length < 2) continue;
    members.sort((a, b) => rankOf(a.sourceType) - rankOf(b.sourceType) || a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || a.id.localeCompare(b.id));
    const person = members[0]!;
    let linked = 0;
    for (const account of members.slice(1)) {
      if (never.has(`${refText(refOf(person))}\u0000${refText(refOf(account))}`)) continue;
      out.push({
        kind: "same_as",
        from: refOf(person),
        to: refOf(account),
        attributes: { rule: ruleOf.get(account.id) ?? "email", accountSource: account.source },
      });
      linked++;
    }
    if (linked) {
      persons++;
      linkedAccounts += linked;
    }
  }

  // An IdP's AWS app role → the IAM roles it lets its holders assume.
  const roleLinks = await rows<{ entSource: string; entId: string; roleSource: string; roleKind: "service_account"; roleId: string }>(
    db,
    sql`select es.name as "entSource", e.external_id as "entId", rs.name as "roleSource", r.kind as "roleKind", r.external_id as "roleId"
        from nodes e join sources es on es.id = e.source_id
        cross join lateral jsonb_array_elements_text(e.attributes->'awsRoleArns') arn(value)
        join nodes r on r.external_id = arn.value and r.kind = 'service_account' and r.valid_to is null
        join sources rs on rs.id = r.source_id and rs.type = 'aws_iam'
        where e.kind = 'entitlement' and e.valid_to is null and e.attributes ? 'awsRoleArns' and jsonb_typeof(e.attributes->'awsRoleArns') = 'array'
        order by 1, 2, 3, 5`,
  );
  const seenRole = new Set<string>();
  for (const r of roleLinks) {
    const key = `${r.entSource}\u0000${r.entId}\u0000${r.roleSource}\u0000${r.roleId}`;
    if (seenRole.has(key)) continue;
    seenRole.add(key);
    out.push({
      kind: "assumes",
      from: { source: r.entSource, kind: "entitlement", externalId: r.entId },
      to: { source: r.roleSource, kind: r.roleKind, externalId: r.roleId },
      attributes: { rule: "aws role arn" },
    });
  }
  return { edges: out, crowdedKeys, persons, linkedAccounts, roleLinks: seenRole.size };
}

/** The current link edges, as comparable keys. */
async function currentLinkKeys(db: Db): Promise<Set<string>> {
  const got = await rows<{ k: string }>(
    db,
    sql`select e.kind || '|' || fs.name || ':' || f.kind || ':' || f.external_id || '|' || ts.name || ':' || t.kind || ':' || t.external_id || '|' || coalesce(e.attributes->>'rule', '') as k
        from edges e join sources s on s.id = e.source_id
        join nodes f on f.id = e.from_id join sources fs on fs.id = f.source_id
        join nodes t on t.id = e.to_id join sources ts on ts.id = t.source_id
        where s.name = ${LINKS_SOURCE} and e.valid_to is null`,
  );
  return new Set(got.map((r) => r.k));
}

const planKey = (e: GraphEdgeRecord) =>
  `${e.kind}|${refText({ source: e.from.source!, kind: e.from.kind, externalId: e.from.externalId })}|${refText({ source: e.to.source!, kind: e.to.kind, externalId: e.to.externalId })}|${String(e.attributes?.rule ?? "")}`;

/**
 * Recomputes every link and writes them when they differ from what the graph
 * holds (so an unchanged directory writes no import). Returns the import, or
 * null when nothing changed.
 */
export async function refreshIdentityLinks(db: Db): Promise<{ plan: LinkPlan; import: ImportRecord | null }> {
  const plan = await planLinks(db);
  const current = await currentLinkKeys(db);
  const wanted = new Set(plan.edges.map(planKey));
  const same = current.size === wanted.size && [...wanted].every((k) => current.has(k));
  const [exists] = await db.select({ id: sources.id }).from(sources).where(eq(sources.name, LINKS_SOURCE));
  if (same && (exists || plan.edges.length === 0)) return { plan, import: null };
  const record = await runImport(
    db,
    systemActor("identity linking"),
    decodeConverted(
      { source: LINKS_SOURCE, mode: "full", nodes: [], edges: plan.edges },
      {
        warnings: plan.crowdedKeys
          ? [`${plan.crowdedKeys} shared e-mail addresses or logins matched more than ${MAX_ACCOUNTS_PER_KEY} accounts and linked nothing`]
          : [],
      },
    ),
    { format: "identity-links", fileName: "identity linking" },
  );
  return { plan, import: record };
}

/** The links of one node (for its page): the person it belongs to and the other accounts, each with the rule. */
export async function linksOfNode(db: Db, nodeId: string) {
  return rows<{ edgeId: string; direction: "out" | "in"; otherId: string; otherName: string; otherSource: string; rule: string | null }>(
    db,
    sql`select e.id as "edgeId", case when e.from_id = ${nodeId} then 'out' else 'in' end as direction,
          o.id as "otherId", o.name as "otherName", os.name as "otherSource", e.attributes->>'rule' as rule
        from edges e join sources s on s.id = e.source_id
        join nodes o on o.id = case when e.from_id = ${nodeId} then e.to_id else e.from_id end
        join sources os on os.id = o.source_id
        where e.kind = 'same_as' and e.valid_to is null and (e.from_id = ${nodeId} or e.to_id = ${nodeId})
        order by o.name`,
  );
}
