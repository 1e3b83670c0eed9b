import { and, eq, gte, inArray, isNull, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaignTriggerFirings, edges, findings, nodes, ssfEvents, ssfTransmitters } from "@/db/schema";
import type { FindingEvidence } from "@/lib/findings/evidence";
import type { FindingRule } from "@/lib/findings/rules";
import type { NodeKind } from "@/lib/graph/model";
import { riskOfToolAttributes } from "@/lib/graph/tool-risk";
import { REVIEWABLE_EDGE_KINDS, riskAtLeast, type TriggerKind } from "../model";
import { DEFAULT_MIN_RISK, type TriggerRuleRow } from "./rules";
import { SSF_EVENT_TYPES, ssfEventLabel } from "./ssf-event-types";

/**
 * The events each kind of rule takes, read incrementally: findings the
 * findings engine opened (or changed) since a time, and Shared Signals events
 * received since a time. Each event names exactly the access it concerns (as a
 * campaign scope) and carries a dedupe key that is the same however often it
 * is read, so a rule fires once per event.
 */

/** Access kinds a micro-certification reviews: every access edge (ownership itself is not the question). */
export const ACCESS_KINDS = REVIEWABLE_EDGE_KINDS.filter((k) => k !== "owns");

export interface TriggerEvent {
  /** Unique per rule: the same event read twice gives the same key. */
  dedupeKey: string;
  /** One line a reviewer reads. */
  summary: string;
  nodeId: string;
  at: Date;
  /** The campaign scope (node ids): exactly the access concerned. */
  scope: { edgeKinds: string[]; subjects?: string[]; targets?: string[] };
  /** Kept on the firing: what the event was (finding id, tools…); never a secret value. */
  detail: Record<string, unknown>;
  eventTypes?: string[];
  issuer?: string;
  jti?: string;
}

/** Finding rules behind each findings-based trigger kind. */
export const FINDING_RULES_OF: Record<Exclude<TriggerKind, "ssf_event">, FindingRule[]> = {
  tool_definition_changed: ["tool_definition_changed"],
  new_critical_path: ["uncertified_risky_tool", "over_broad_reach"],
  owner_departed: ["no_active_owner", "agent_inactive_principal"],
  hard_coded_secret: ["hardcoded_secret"],
};

/** Kinds whose event is a change of an open finding (a new definition, a new tool reached), not only its opening. */
const CHANGE_BASED = new Set<TriggerKind>(["tool_definition_changed", "new_critical_path"]);

interface FindingRow {
  id: string;
  rule: FindingRule;
  key: string;
  subjectId: string;
  subjectKind: string;
  subjectName: string;
  title: string;
  evidence: FindingEvidence;
  openedAt: Date;
  updatedAt: Date;
}

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Open findings of the rule's kind changed at or after `since`; opened after
 * the rule itself (a rule does not fire for what was already open when it was
 * made), or for change-based kinds changed after it.
 */
async function changedFindings(db: Db, rule: TriggerRuleRow, since: Date): Promise<FindingRow[]> {
  const kind = rule.kind as Exclude<TriggerKind, "ssf_event">;
  const opened = sql<Date>`greatest(${findings.firstSeenAt}, coalesce(${findings.reopenedAt}, ${findings.firstSeenAt}))`;
  const rows = await db
    .select({
      id: findings.id,
      rule: findings.rule,
      key: findings.key,
      subjectId: findings.subjectId,
      subjectKind: findings.subjectKind,
      subjectName: findings.subjectName,
      title: findings.title,
      evidence: findings.evidence,
      openedAt: opened.mapWith((v: string | Date) => new Date(v)),
      updatedAt: findings.updatedAt,
    })
    .from(findings)
    .where(
      and(
        inArray(findings.rule, FINDING_RULES_OF[kind]),
        eq(findings.status, "open"),
        gte(findings.updatedAt, since),
        CHANGE_BASED.has(kind) ? gte(findings.updatedAt, rule.createdAt) : sql`${opened} >= ${rule.createdAt.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(findings.updatedAt, findings.id);
  return rows;
}

async function nodeFacts(db: Db, ids: string[]): Promise<Map<string, { name: string; kind: NodeKind; attributes: Record<string, unknown> }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: nodes.id, name: nodes.name, kind: nodes.kind, attributes: nodes.attributes }).from(nodes).where(inArray(nodes.id, ids));
  return new Map(rows.map((r) => [r.id, { name: r.name, kind: r.kind, attributes: r.attributes }]));
}

const attrOf = (ev: FindingEvidence, node: string, key: string) => ev.attributes.find((a) => a.node === node && a.key === key)?.value;

async function toolChangedEvents(db: Db, rule: TriggerRuleRow, rows: FindingRow[]): Promise<TriggerEvent[]> {
  const tools = await nodeFacts(
    db,
    rows.map((r) => r.subjectId),
  );
  const out: TriggerEvent[] = [];
  for (const f of rows) {
    const tool = tools.get(f.subjectId);
    const hash = attrOf(f.evidence, f.subjectId, "definitionHash");
    if (!tool || typeof hash !== "string") continue;
    if (rule.filter.minRisk && !riskAtLeast(riskOfToolAttributes(tool.attributes).risk, rule.filter.minRisk)) continue;
    const server = typeof tool.attributes.server === "string" ? ` (${tool.attributes.server})` : "";
    out.push({
      // Once per definition: the same tool changing again later is another event.
      dedupeKey: `${f.subjectId}:${hash}`,
      summary: clip(`tool ${tool.name}${server}'s definition changed after access to it was certified`),
      nodeId: f.subjectId,
      at: f.updatedAt,
      scope: { edgeKinds: ACCESS_KINDS, targets: [f.subjectId] },
      detail: { findingId: f.id, definitionHash: hash },
    });
  }
  return out;
}

interface SampleTool {
  tool: string;
  risk: string;
}

function sampledTools(f: FindingRow): SampleTool[] {
  const facts = f.evidence.facts;
  const list = (f.rule === "over_broad_reach" ? facts.sampleTools : facts.sample) as unknown;
  if (!Array.isArray(list)) return [];
  return list.filter((s): s is SampleTool => !!s && typeof s === "object" && typeof s.tool === "string" && typeof s.risk === "string");
}

/** Tools this rule already opened a campaign (or found nothing) for, per subject: a path is new once. */
async function toolsAlreadyFired(db: Db, ruleId: string, subjectIds: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (subjectIds.length === 0) return out;
  const rows = await db
    .select({ key: campaignTriggerFirings.dedupeKey, detail: campaignTriggerFirings.detail })
    .from(campaignTriggerFirings)
    .where(and(eq(campaignTriggerFirings.ruleId, ruleId), or(...subjectIds.map((s) => sql`starts_with(${campaignTriggerFirings.dedupeKey}, ${`${s}:`})`))));
  for (const r of rows) {
    const subject = r.key.slice(0, r.key.indexOf(":"));
    const set = out.get(subject) ?? new Set<string>();
    for (const t of Array.isArray(r.detail.toolIds) ? r.detail.toolIds : []) if (typeof t === "string") set.add(t);
    out.set(subject, set);
  }
  return out;
}

async function criticalPathEvents(db: Db, rule: TriggerRuleRow, rows: FindingRow[]): Promise<TriggerEvent[]> {
  const minRisk = rule.filter.minRisk ?? DEFAULT_MIN_RISK.new_critical_path!;
  // over_broad_reach also ranks groups and credentials by blast radius (key blast:…): those are not paths of a principal.
  const relevant = rows.filter((f) => f.rule === "uncertified_risky_tool" || f.key.startsWith("reach:"));
  const fired = await toolsAlreadyFired(db, rule.id, [...new Set(relevant.map((f) => f.subjectId))]);
  const bySubject = new Map<string, { f: FindingRow; tools: Set<string> }>();
  for (const f of relevant) {
    const done = fired.get(f.subjectId) ?? new Set();
    const fresh = sampledTools(f).filter((s) => riskAtLeast(s.risk, minRisk) && !done.has(s.tool));
    if (fresh.length === 0) continue;
    const entry = bySubject.get(f.subjectId) ?? { f, tools: new Set<string>() };
    for (const s of fresh) entry.tools.add(s.tool);
    if (f.updatedAt > entry.f.updatedAt) entry.f = f;
    bySubject.set(f.subjectId, entry);
  }
  const names = await nodeFacts(
    db,
    [...bySubject.values()].flatMap((e) => [...e.tools]),
  );
  const out: TriggerEvent[] = [];
  for (const [subjectId, { f, tools }] of bySubject) {
    const toolIds = [...tools].sort();
    const first = names.get(toolIds[0]!)?.name ?? toolIds[0]!;
    const more = toolIds.length > 1 ? ` and ${toolIds.length - 1} more` : "";
    out.push({
      dedupeKey: `${subjectId}:${toolIds.join(",")}`,
      summary: clip(`new path from ${f.subjectName} to ${minRisk}-risk tool ${first}${more}`),
      nodeId: subjectId,
      at: f.updatedAt,
      scope: { edgeKinds: ACCESS_KINDS, subjects: [subjectId], targets: toolIds },
      detail: { findingId: f.id, toolIds },
    });
  }
  return out;
}

const DEPARTURE_REASONS = new Set(["inactive_owners", "empty_owner_group"]);

function ownerDepartedEvents(rows: FindingRow[]): TriggerEvent[] {
  const out = new Map<string, TriggerEvent>();
  for (const f of rows) {
    if (f.rule === "no_active_owner") {
      const reasons = f.evidence.facts.reasons;
      // "no owner" is not a departure: nobody left.
      if (!Array.isArray(reasons) || !reasons.some((r) => typeof r === "string" && DEPARTURE_REASONS.has(r))) continue;
    }
    // The two findings about one identity opened by the same evaluation are one event.
    const dedupeKey = `${f.subjectId}@${f.openedAt.toISOString()}`;
    const seen = out.get(dedupeKey);
    if (seen) {
      (seen.detail.findingIds as string[]).push(f.id);
      if (f.rule === "agent_inactive_principal") seen.summary = clip(f.title);
      continue;
    }
    out.set(dedupeKey, {
      dedupeKey,
      summary: clip(f.title),
      nodeId: f.subjectId,
      at: f.openedAt,
      scope: { edgeKinds: ACCESS_KINDS, subjects: [f.subjectId] },
      detail: { findingIds: [f.id] },
    });
  }
  return [...out.values()];
}

function secretEvents(rows: FindingRow[]): TriggerEvent[] {
  return rows.map((f) => {
    // The identities and servers that use the credential: their access to it (and through it) is what is reviewed.
    const users = [...new Set(f.evidence.edges.filter((e) => e.kind === "uses_credential" && e.to === f.subjectId).map((e) => e.from))].sort();
    return {
      dedupeKey: `${f.subjectId}@${f.openedAt.toISOString()}`,
      summary: clip(`hard-coded secret found: ${f.title}`),
      nodeId: f.subjectId,
      at: f.openedAt,
      scope: { edgeKinds: ACCESS_KINDS, subjects: users, targets: [f.subjectId] },
      detail: { findingId: f.id, users },
    };
  });
}

/** The identities an SSF subject stands for: the person, their linked accounts (same_as), and the agents acting for them. */
export async function identitiesOf(db: Db, nodeIds: string[]): Promise<string[]> {
  if (nodeIds.length === 0) return [];
  const linked = await db
    .select({ from: edges.fromId, to: edges.toId })
    .from(edges)
    .where(and(eq(edges.kind, "same_as"), isNull(edges.validTo), or(inArray(edges.fromId, nodeIds), inArray(edges.toId, nodeIds))));
  const people = new Set(nodeIds);
  for (const l of linked) {
    people.add(l.from);
    people.add(l.to);
  }
  const agents = await db
    .select({ id: edges.fromId })
    .from(edges)
    .where(and(eq(edges.kind, "acts_for"), isNull(edges.validTo), inArray(edges.toId, [...people])));
  return [...new Set([...people, ...agents.map((a) => a.id)])];
}

async function ssfRuleEvents(db: Db, rule: TriggerRuleRow, since: Date): Promise<TriggerEvent[]> {
  const wanted = rule.filter.eventTypes?.length ? rule.filter.eventTypes : SSF_EVENT_TYPES.map((t) => t.uri);
  const rows = await db
    .select({
      id: ssfEvents.id,
      issuer: ssfEvents.issuer,
      jti: ssfEvents.jti,
      eventTypes: ssfEvents.eventTypes,
      nodeId: ssfEvents.nodeId,
      receivedAt: ssfEvents.receivedAt,
      transmitter: ssfTransmitters.name,
    })
    .from(ssfEvents)
    .innerJoin(ssfTransmitters, eq(ssfTransmitters.id, ssfEvents.transmitterId))
    .where(
      and(
        eq(ssfEvents.outcome, "matched"),
        gte(ssfEvents.receivedAt, since),
        gte(ssfEvents.receivedAt, rule.createdAt),
        sql`${ssfEvents.eventTypes} && ${sql.param(wanted)}::text[]`,
      ),
    )
    .orderBy(ssfEvents.receivedAt, ssfEvents.id);
  const people = await nodeFacts(
    db,
    rows.map((r) => r.nodeId!),
  );
  const out: TriggerEvent[] = [];
  for (const e of rows) {
    const person = people.get(e.nodeId!);
    const types = e.eventTypes.filter((t) => wanted.includes(t));
    out.push({
      dedupeKey: `ssf:${e.id}`,
      summary: clip(`${types.map(ssfEventLabel).join(", ")} for ${person?.name ?? e.nodeId} (from ${e.transmitter})`),
      nodeId: e.nodeId!,
      at: e.receivedAt,
      scope: { edgeKinds: ACCESS_KINDS, subjects: await identitiesOf(db, [e.nodeId!]) },
      detail: { ssfEventId: e.id },
      eventTypes: types,
      issuer: e.issuer,
      jti: e.jti,
    });
  }
  return out;
}

/** The events of one rule recorded at or after `since`, oldest first. */
export async function eventsOf(db: Db, rule: TriggerRuleRow, since: Date): Promise<TriggerEvent[]> {
  if (rule.kind === "ssf_event") return ssfRuleEvents(db, rule, since);
  const rows = await changedFindings(db, rule, since);
  switch (rule.kind) {
    case "tool_definition_changed":
      return toolChangedEvents(db, rule, rows);
    case "new_critical_path":
      return criticalPathEvents(db, rule, rows);
    case "owner_departed":
      return ownerDepartedEvents(rows);
    case "hard_coded_secret":
      return secretEvents(rows);
  }
}
