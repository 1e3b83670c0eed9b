import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { FINDING_SEVERITIES } from "@/lib/findings/rules";
import { toolUseForAccesses } from "@/lib/usage/last-used";
import type { LastUseScope, RecommendationEvidence } from "./model";
import { MIN_PEERS } from "./recommend";

/** One access about to become a review item, as the facts loader needs it. */
export interface AccessKey {
  edgeId: string;
  edgeKind: string;
  subjectId: string;
  subjectKind: string;
  targetId: string;
}

/** What Attest knows about one access beyond the graph path: peers, last use, findings. */
export type RecommendationFacts = Omit<RecommendationEvidence, "reasons" | "reasonTones" | "lastUseScope" | "privileged" | "usageCoveredSince"> & {
  lastUseScope: LastUseScope | null;
  usageCoveredSince?: string | null;
  privileged: boolean;
};

export const UNKNOWN_FACTS: RecommendationFacts = {
  peers: null,
  lastUsedAt: null,
  lastUseSource: null,
  lastUseScope: null,
  findings: [],
  privileged: false,
};

/** Findings kept per item, most severe first. */
export const MAX_ITEM_FINDINGS = 5;

/** Edge attributes in which sources report the last use of that very access. */
const EDGE_LAST_USE = ["lastUsedAt", "lastUsed"] as const;
/**
 * Node attributes in which sources report the last use of a whole account (Okta `lastLogin`, an AWS role's
 * `RoleLastUsed` as `lastUsed`) or credential (a GitHub fine-grained PAT's `token_last_used_at` as `lastUsedAt`).
 */
const NODE_LAST_USE = ["lastUsedAt", "lastUsed", "lastLogin"] as const;
/** Subject kinds whose peer group is their blueprint (Entra Agent ID writes `blueprint`, else `agentIdentityBlueprintId`). */
const BLUEPRINT_KINDS = new Set(["agent", "service_account"]);

const texts = (values: Iterable<string>) => sql`${sql.param([...values])}::text[]`;
/** Peers are current principals still at work: a terminated or inactive one neither counts nor supports. */
const INACTIVE = new Set(["terminated", "inactive"]);
const active = (alias: string) => sql.raw(`(${alias}.status is null or ${alias}.status not in ('terminated', 'inactive'))`);
const lastUseOf = (attrs: Record<string, unknown> | null | undefined, keys: readonly string[]): string | null => {
  let best: { iso: string; t: number } | null = null;
  for (const k of keys) {
    const v = attrs?.[k];
    if (typeof v !== "string") continue;
    const t = Date.parse(v);
    if (!Number.isNaN(t) && (!best || t > best.t)) best = { iso: new Date(t).toISOString(), t };
  }
  return best?.iso ?? null;
};
const SEVERITY_RANK = new Map<string, number>(FINDING_SEVERITIES.map((s, i) => [s, i]));

type GroupType = "manager" | "department" | "blueprint";
interface Group {
  type: GroupType;
  key: string;
  label: string;
  /** Members, the subject included. */
  size: number;
}

/**
 * What one launch may share between its chunks: peer groups' holder counts, which repeat from chunk to chunk (the same
 * department, blueprint or manager asking about the same popular target). Optional: without it every chunk reads its
 * own. Pass one per launch (a snapshot of one moment), never across launches.
 */
export interface FactsCache {
  holders: Map<string, number>;
}
export const newFactsCache = (): FactsCache => ({ holders: new Map() });

/**
 * The facts behind the recommendations of a chunk of accesses (keyed by edge
 * id), read in a few set-based queries per chunk, never one per item: launch
 * calls it once per chunk it snapshots. At most eight queries whatever the
 * chunk's size: subjects (with their manager), manager groups' sizes, the
 * department and blueprint groups' sizes (only when a subject needs them),
 * the holders of each (group, access kind, target), the access edges' own
 * attributes, the targets, and the open findings on subjects and targets.
 *
 * - Peers: a person's peers are the other people with the same manager (a
 *   current `manages` edge); when fewer than MIN_PEERS, the other people of the
 *   same `department` (the attribute directories report); an agent's or service
 *   account's are those of the same `blueprint` (Entra Agent ID). The share is
 *   the peers holding the same access (a current edge of the same kind to the
 *   same target, from any source) over the peers, the subject never counted,
 *   nor terminated or inactive peers.
 * - Last use: the access edge's own `lastUsedAt`/`lastUsed` (scope "access");
 *   for a credential used by this subject alone, its `lastUsedAt` (also
 *   "access"), used by several, "credential"; else, for an access reported by
 *   the subject's own source, the account's last sign-in or use ("account").
 * - Findings: open findings whose subject is the item's subject or target.
 * - Tool usage (lib/usage): the subject's newest call of a tool the access reaches, from the decision log or gateways'
 *   OTLP spans (scope "access" when newer than the rest), and since when any use of those tools is seen at all.
 */
export async function loadRecommendationFacts(db: Db, accesses: AccessKey[], cache?: FactsCache): Promise<Map<string, RecommendationFacts>> {
  const out = new Map<string, RecommendationFacts>();
  if (accesses.length === 0) return out;
  const subjectIds = [...new Set(accesses.map((a) => a.subjectId))];
  const targetIds = [...new Set(accesses.map((a) => a.targetId))];

  // 1. Subjects: their source, department, blueprint, account-level last use, and one manager.
  const subjects = await rows<{
    id: string;
    kind: string;
    status: string | null;
    source: string;
    department: string | null;
    blueprint: string | null;
    attributes: Record<string, unknown>;
    manager_id: string | null;
    manager_name: string | null;
  }>(
    db,
    sql`select n.id, n.kind, n.status, s.name as source, n.attributes->>'department' as department,
               coalesce(n.attributes->>'blueprint', n.attributes->>'agentIdentityBlueprintId') as blueprint,
               jsonb_build_object('lastUsedAt', n.attributes->'lastUsedAt', 'lastUsed', n.attributes->'lastUsed', 'lastLogin', n.attributes->'lastLogin') as attributes,
               mg.id as manager_id, mg.name as manager_name
        from nodes n
        join sources s on s.id = n.source_id
        left join lateral (
          select m.from_id as id, mn.name from edges m join nodes mn on mn.id = m.from_id and mn.valid_to is null
          where m.kind = 'manages' and m.valid_to is null and m.to_id = n.id and n.kind = 'human'
          order by m.from_id limit 1
        ) mg on true
        where n.id = any(${texts(subjectIds)})`,
  );
  const subjectById = new Map(subjects.map((s) => [s.id, s]));

  // 2. Peer groups: the manager's reports first; the department or blueprint only where that is too small.
  const managerIds = [...new Set(subjects.map((s) => s.manager_id).filter((x): x is string => !!x))];
  const managerSizes = new Map<string, number>();
  if (managerIds.length) {
    const sizes = await rows<{ id: string; n: number | string }>(
      db,
      sql`select m.from_id as id, count(distinct m.to_id) as n
          from edges m join nodes r on r.id = m.to_id and r.valid_to is null and r.kind = 'human' and ${active("r")}
          where m.kind = 'manages' and m.valid_to is null and m.from_id = any(${texts(managerIds)})
          group by m.from_id`,
    );
    for (const r of sizes) managerSizes.set(r.id, Number(r.n));
  }
  const groupOf = new Map<string, Group | null>();
  const needDept = new Set<string>();
  const needBlueprint = new Set<string>();
  for (const s of subjects) {
    if (s.kind === "human") {
      const n = s.manager_id ? (managerSizes.get(s.manager_id) ?? 0) : 0;
      if (s.manager_id && n - (INACTIVE.has(s.status ?? "") ? 0 : 1) >= MIN_PEERS)
        groupOf.set(s.id, { type: "manager", key: s.manager_id, label: `same manager: ${s.manager_name}`, size: n });
      else if (s.department) needDept.add(s.department);
    } else if (BLUEPRINT_KINDS.has(s.kind) && s.blueprint) needBlueprint.add(s.blueprint);
  }
  const otherSizes = new Map<string, { n: number; name: string | null }>();
  if (needDept.size || needBlueprint.size) {
    const parts = [];
    if (needDept.size)
      parts.push(sql`select 'department' as type, n.attributes->>'department' as key, count(*) as n, null::text as name
                     from nodes n where n.kind = 'human' and n.valid_to is null and ${active("n")} and n.attributes->>'department' = any(${texts(needDept)})
                     group by 2`);
    if (needBlueprint.size)
      parts.push(sql`select 'blueprint' as type, g.key, g.n,
                       (select b.name from nodes b where b.kind = 'agent' and b.valid_to is null and b.attributes->>'entraType' = 'agentIdentityBlueprint'
                          and (b.external_id = g.key or b.attributes->>'appId' = g.key) order by b.id limit 1) as name
                     from (select coalesce(n.attributes->>'blueprint', n.attributes->>'agentIdentityBlueprintId') as key, count(*) as n
                           from nodes n where n.kind in ('agent', 'service_account') and n.valid_to is null and ${active("n")}
                             and coalesce(n.attributes->>'blueprint', n.attributes->>'agentIdentityBlueprintId') = any(${texts(needBlueprint)})
                           group by 1) g`);
    const sizes = await rows<{ type: string; key: string; n: number | string; name: string | null }>(db, sql.join(parts, sql` union all `));
    for (const r of sizes) otherSizes.set(`${r.type}\u0000${r.key}`, { n: Number(r.n), name: r.name });
  }
  for (const s of subjects) {
    if (groupOf.has(s.id)) continue;
    const type: GroupType | null = s.kind === "human" ? "department" : BLUEPRINT_KINDS.has(s.kind) ? "blueprint" : null;
    const key = type === "department" ? s.department : type === "blueprint" ? s.blueprint : null;
    const found = type && key ? otherSizes.get(`${type}\u0000${key}`) : undefined;
    groupOf.set(s.id, type && key && found && found.n - 1 >= MIN_PEERS ? { type, key, label: `same ${type}: ${found.name ?? key}`, size: found.n } : null);
  }

  // 3. Holders of each (group, kind, target). A manager's group is read from the reports (few; edges indexed by
  //    from). A department's or blueprint's from the holders of each distinct (kind, target) in the chunk, read once
  //    whatever the number of groups asking, joined to the combinations asked for, then counted.
  const combos = new Map<string, { type: GroupType; key: string; kind: string; target: string }>();
  const comboKey = (g: Pick<Group, "type" | "key">, kind: string, target: string) => `${g.type}\u0000${g.key}\u0000${kind}\u0000${target}`;
  for (const a of accesses) {
    const g = groupOf.get(a.subjectId);
    if (g) combos.set(comboKey(g, a.edgeKind, a.targetId), { type: g.type, key: g.key, kind: a.edgeKind, target: a.targetId });
  }
  const holders = cache?.holders ?? new Map<string, number>();
  const asked = [...combos.entries()].filter(([k]) => !holders.has(k)).map(([, c]) => c);
  const byManager = asked.filter((c) => c.type === "manager");
  const byAttribute = asked.filter((c) => c.type !== "manager");
  const cols = (cs: typeof byManager) =>
    sql`${texts(cs.map((c) => c.type))}, ${texts(cs.map((c) => c.key))}, ${texts(cs.map((c) => c.kind))}, ${texts(cs.map((c) => c.target))}`;
  const parts = [];
  if (byManager.length)
    parts.push(sql`select c.type, c.key, c.kind, c.target, count(distinct m.to_id) as n
                   from unnest(${cols(byManager)}) as c(type, key, kind, target)
                   join edges m on m.kind = 'manages' and m.valid_to is null and m.from_id = c.key
                   join edges e on e.from_id = m.to_id and e.kind = c.kind and e.to_id = c.target and e.valid_to is null
                   join nodes p on p.id = m.to_id and p.valid_to is null and p.kind = 'human' and ${active("p")}
                   group by 1, 2, 3, 4`);
  if (byAttribute.length)
    parts.push(sql`select c.type, c.key, c.kind, c.target, count(distinct h.from_id) as n
                   from (select distinct e.kind, e.to_id as target, e.from_id,
                                case when p.kind = 'human' then 'department' else 'blueprint' end as type,
                                case when p.kind = 'human' then p.attributes->>'department'
                                     else coalesce(p.attributes->>'blueprint', p.attributes->>'agentIdentityBlueprintId') end as key
                         from (select distinct kind, target from unnest(${texts(byAttribute.map((c) => c.kind))}, ${texts(byAttribute.map((c) => c.target))}) as x(kind, target)) x
                         join edges e on e.kind = x.kind and e.to_id = x.target and e.valid_to is null
                         join nodes p on p.id = e.from_id and p.valid_to is null and p.kind in ('human', 'agent', 'service_account') and ${active("p")}
                         where case when p.kind = 'human' then p.attributes->>'department'
                                    else coalesce(p.attributes->>'blueprint', p.attributes->>'agentIdentityBlueprintId') end
                               = any(${texts(new Set(byAttribute.map((c) => c.key)))})) h
                   join unnest(${cols(byAttribute)}) as c(type, key, kind, target)
                     on c.type = h.type and c.key = h.key and c.kind = h.kind and c.target = h.target
                   group by 1, 2, 3, 4`);
  if (parts.length) {
    const counted = await rows<{ type: GroupType; key: string; kind: string; target: string; n: number | string }>(db, sql.join(parts, sql` union all `));
    for (const r of counted) holders.set(comboKey(r, r.kind, r.target), Number(r.n));
    // Combinations no peer holds come back as no row: remember them as 0.
    for (const c of asked) if (!holders.has(comboKey(c, c.kind, c.target))) holders.set(comboKey(c, c.kind, c.target), 0);
  }

  // 4. The current edges of each access (every source reporting it), with the last use they report.
  const triples = [...new Map(accesses.map((a) => [`${a.subjectId}\u0000${a.edgeKind}\u0000${a.targetId}`, a])).values()];
  const accessEdges = await rows<{ f: string; k: string; t: string; source: string; last_used_at: string | null; last_used: string | null }>(
    db,
    sql`select a.f, a.k, a.t, s.name as source, e.attributes->>'lastUsedAt' as last_used_at, e.attributes->>'lastUsed' as last_used
        from unnest(${texts(triples.map((a) => a.subjectId))}, ${texts(triples.map((a) => a.edgeKind))}, ${texts(triples.map((a) => a.targetId))}) as a(f, k, t)
        join edges e on e.from_id = a.f and e.kind = a.k and e.to_id = a.t and e.valid_to is null
        join sources s on s.id = e.source_id`,
  );
  const edgesOf = new Map<string, typeof accessEdges>();
  for (const e of accessEdges) {
    const k = `${e.f}\u0000${e.k}\u0000${e.t}`;
    const list = edgesOf.get(k) ?? [];
    list.push(e);
    edgesOf.set(k, list);
  }

  // 5. Targets: privileged, and for credentials their last use and how many principals use them.
  const targets = await rows<{
    id: string;
    kind: string;
    source: string;
    privileged: boolean | null;
    attributes: Record<string, unknown>;
    users: number | string | null;
  }>(
    db,
    sql`select n.id, n.kind, s.name as source, (n.attributes->>'privileged') = 'true' as privileged,
               jsonb_build_object('lastUsedAt', n.attributes->'lastUsedAt', 'lastUsed', n.attributes->'lastUsed') as attributes,
               case when n.kind = 'credential' then
                 (select count(distinct u.from_id) from edges u where u.kind = 'uses_credential' and u.to_id = n.id and u.valid_to is null)
               end as users
        from nodes n join sources s on s.id = n.source_id
        where n.id = any(${texts(targetIds)})`,
  );
  const targetById = new Map(targets.map((t) => [t.id, t]));

  // 6. Open findings on subjects and targets, the most severe few of each node.
  const findingRows = await rows<{
    id: string;
    rule: string;
    severity: string;
    title: string;
    subject_id: string;
    first_seen_at: Date | string;
    score: number;
  }>(
    db,
    sql`select id, rule, severity, title, subject_id, first_seen_at, score from (
          select f.id, f.rule, f.severity, f.title, f.subject_id, f.first_seen_at, f.score,
                 row_number() over (partition by f.subject_id
                   order by case f.severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end, f.score desc, f.id) as rn
          from findings f where f.status = 'open' and f.subject_id = any(${texts(new Set([...subjectIds, ...targetIds]))})
        ) x where rn <= ${MAX_ITEM_FINDINGS}`,
  );
  const findingsOf = new Map<string, typeof findingRows>();
  for (const f of findingRows) {
    const list = findingsOf.get(f.subject_id) ?? [];
    list.push(f);
    findingsOf.set(f.subject_id, list);
  }

  // 7. Tool-call usage seen by gateways (the decision log, OTLP spans) of the tools each access reaches.
  const toolUse = await toolUseForAccesses(db, accesses);

  for (const a of accesses) {
    const s = subjectById.get(a.subjectId);
    const t = targetById.get(a.targetId);
    const own = edgesOf.get(`${a.subjectId}\u0000${a.edgeKind}\u0000${a.targetId}`) ?? [];

    let peers: RecommendationFacts["peers"] = null;
    const g = groupOf.get(a.subjectId);
    if (g) {
      const n = holders.get(comboKey(g, a.edgeKind, a.targetId)) ?? 0;
      // The subject holds this access (its current edge) and is a member of its group when active: neither counts.
      const counted = !INACTIVE.has(s?.status ?? "") ? 1 : 0;
      const holding = Math.max(0, n - (own.length ? counted : 0));
      const groupSize = g.size - counted;
      peers = { basis: g.label, groupSize, holding, share: groupSize ? holding / groupSize : 0 };
    }

    let lastUsedAt: string | null = null;
    let lastUseSource: string | null = null;
    let lastUseScope: LastUseScope | null = null;
    for (const e of own) {
      const at = lastUseOf({ lastUsedAt: e.last_used_at, lastUsed: e.last_used }, EDGE_LAST_USE);
      if (at && (!lastUsedAt || at > lastUsedAt)) [lastUsedAt, lastUseSource, lastUseScope] = [at, e.source, "access"];
    }
    if (!lastUsedAt && t?.kind === "credential" && a.edgeKind === "uses_credential") {
      const at = lastUseOf(t.attributes, NODE_LAST_USE);
      if (at) [lastUsedAt, lastUseSource, lastUseScope] = [at, t.source, Number(t.users ?? 0) <= 1 ? "access" : "credential"];
    }
    const used = toolUse.get(`${a.subjectId}\u0000${a.targetId}`);
    if (used?.lastUsedAt && (!lastUsedAt || used.lastUsedAt > lastUsedAt))
      [lastUsedAt, lastUseSource, lastUseScope] = [used.lastUsedAt, used.via === "otlp" ? "gateway telemetry" : "decision log", "access"];
    if (!lastUsedAt && s && own.some((e) => e.source === s.source)) {
      const at = lastUseOf(s.attributes, NODE_LAST_USE);
      if (at) [lastUsedAt, lastUseSource, lastUseScope] = [at, s.source, "account"];
    }

    const findings = [...(findingsOf.get(a.subjectId) ?? []), ...(a.targetId === a.subjectId ? [] : (findingsOf.get(a.targetId) ?? []))]
      .sort((x, y) => (SEVERITY_RANK.get(x.severity) ?? 9) - (SEVERITY_RANK.get(y.severity) ?? 9) || y.score - x.score || x.id.localeCompare(y.id))
      .slice(0, MAX_ITEM_FINDINGS)
      .map((f) => ({
        id: f.id,
        rule: f.rule,
        severity: f.severity,
        title: f.title,
        firstSeenAt: new Date(f.first_seen_at).toISOString(),
      }));

    out.set(a.edgeId, {
      peers,
      lastUsedAt,
      lastUseSource,
      lastUseScope,
      findings,
      privileged: t?.privileged === true,
      ...(used?.coveredSince ? { usageCoveredSince: used.coveredSince } : {}),
    });
  }
  return out;
}
