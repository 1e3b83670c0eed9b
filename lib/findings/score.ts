import type { Search } from "@/lib/graph/traverse";
import type { ToolRisk } from "@/lib/graph/tool-risk";
import { PRINCIPAL_KINDS } from "@/lib/graph/model";
import { dateAttr, DAY_MS, isDeparted, KIND, type RuleContext } from "./context";
import { nodeCause } from "./causes";
import type { FoundFinding } from "./evidence";
import {
  blastFactor,
  exposureFactor,
  freshnessOf,
  scoreOf,
  SENSITIVITY_WEIGHT,
  SEVERITY_WEIGHT,
  TOOL_RISK_WEIGHT,
  type BlastRadius,
  type Exposure,
  type FindingCause,
  type ScoreParts,
} from "./priority";
import { isRisky, Walker } from "./reach";

type Risks = Map<number, { risk: ToolRisk; reason: string }>;
const PRINCIPAL_CODES: ReadonlySet<number> = new Set(PRINCIPAL_KINDS.map((k) => KIND[k]));

/** A resource's weight by its data classification (`sensitivity` or `classification` attribute), 1 when unknown. */
function resourceWeight(attrs: Record<string, unknown> | undefined): number {
  const v = attrs?.sensitivity ?? attrs?.classification ?? attrs?.dataClassification;
  if (typeof v !== "string") return 1;
  return SENSITIVITY_WEIGHT[v.toLowerCase() as keyof typeof SENSITIVITY_WEIGHT] ?? 1;
}

interface Reach {
  weight: number;
  tools: number;
  resources: number;
  byRisk: Partial<Record<ToolRisk, number>>;
}

const RISK_CODES: readonly ToolRisk[] = ["low", "medium", "high", "critical"];

/**
 * Per index position, once per snapshot: the weight a reached node adds (a risky tool by risk, a resource by
 * sensitivity, else 0) and a risky tool's risk as a code (-1: not a risky tool). Reading maps by id for every reached
 * node of tens of thousands of searches was most of the scoring time.
 */
interface Weights {
  weight: Float64Array;
  risk: Int8Array;
  resource: Uint8Array;
}
const weightsBySnapshot = new WeakMap<object, Weights>();

function weightsOf(ctx: RuleContext, risks: Risks): Weights {
  const cached = weightsBySnapshot.get(ctx.snap);
  if (cached) return cached;
  const { ix } = ctx.snap;
  const n = ix.ids.length;
  const w: Weights = { weight: new Float64Array(n), risk: new Int8Array(n).fill(-1), resource: new Uint8Array(n) };
  for (const [node, r] of risks) {
    if (!isRisky(ctx, r)) continue;
    w.weight[node] = TOOL_RISK_WEIGHT[r.risk];
    w.risk[node] = RISK_CODES.indexOf(r.risk);
  }
  for (let i = 0; i < n; i++) {
    if (ix.kinds[i] !== KIND.resource || w.risk[i] !== -1) continue;
    w.resource[i] = 1;
    w.weight[i] = resourceWeight(ctx.snap.nodes.get(ix.ids[i]!)?.attributes);
  }
  weightsBySnapshot.set(ctx.snap, w);
  return w;
}

/** What a search reaches, weighted: risky tools by risk, resources by sensitivity. */
function reachOf(ctx: RuleContext, reached: readonly { node: number }[], risks: Risks, self?: number): Reach {
  const w = weightsOf(ctx, risks);
  const byCode = [0, 0, 0, 0];
  let weight = 0;
  let tools = 0;
  let resources = 0;
  const add = (node: number) => {
    const code = w.risk[node]!;
    if (code >= 0) {
      tools++;
      byCode[code]!++;
    } else if (w.resource[node]) resources++;
    weight += w.weight[node]!;
  };
  if (self !== undefined) add(self);
  for (const x of reached) add(x.node);
  const byRisk: Partial<Record<ToolRisk, number>> = {};
  byCode.forEach((c, i) => {
    if (c) byRisk[RISK_CODES[i]!] = c;
  });
  return { weight, tools, resources, byRisk };
}

function describeReach(r: Reach, principals: number, subjectIsPrincipal: boolean): string {
  const risk = (["critical", "high", "medium", "low"] as const)
    .filter((k) => r.byRisk[k])
    .map((k) => `${r.byRisk[k]} ${k}`)
    .join(", ");
  const what = [
    r.tools ? `${r.tools} risky tool${r.tools === 1 ? "" : "s"}${risk ? ` (${risk})` : ""}` : null,
    r.resources ? `${r.resources} resource${r.resources === 1 ? "" : "s"}` : null,
  ].filter(Boolean);
  const reaches = what.length ? what.join(" and ") : "no risky tool or resource";
  if (subjectIsPrincipal) return `reaches ${reaches}`;
  return `${principals} principal${principals === 1 ? "" : "s"} exposed, each reaching ${reaches} through it`;
}

/** A principal's blast radius, from the search the reach rules already ran. */
export function principalBlast(ctx: RuleContext, search: Search, risks: Risks): BlastRadius {
  const r = reachOf(ctx, search.reached, risks);
  return { weight: Math.round(r.weight * 100) / 100, tools: r.tools, resources: r.resources, principals: 1, describe: describeReach(r, 1, true) };
}

/**
 * Principals that reach a node (its exposure), within the depth bound. The full evaluation counts them on its
 * index; an incremental one, whose snapshot holds only a neighbourhood, is given counts read from the database.
 */
export type ExposedCounter = (nodeIds: readonly string[]) => Promise<Map<string, number>>;

/** Counts principals reaching each node on the snapshot's index (a reverse search per node, arrays reused). */
export function indexExposedCounter(ctx: RuleContext): ExposedCounter {
  const { ix } = ctx.snap;
  const seen = new Int32Array(ix.ids.length);
  let run = 0;
  return async (ids) => {
    const out = new Map<string, number>();
    for (const id of ids) {
      const start = ix.indexOf.get(id);
      if (start === undefined) {
        out.set(id, 0);
        continue;
      }
      const stamp = ++run;
      seen[start] = stamp;
      let frontier = [start];
      let principals = 0;
      for (let d = 1; d <= ctx.settings.maxDepth && frontier.length; d++) {
        const next: number[] = [];
        for (const u of frontier) {
          for (let p = ix.revStart[u]!; p < ix.revStart[u + 1]!; p++) {
            const v = ix.revFrom[p]!;
            if (seen[v] === stamp) continue;
            seen[v] = stamp;
            if (PRINCIPAL_CODES.has(ix.kinds[v]!)) principals++;
            next.push(v);
          }
        }
        frontier = next;
      }
      out.set(id, principals);
    }
    return out;
  };
}

/** The cause of a finding no reach rule explained: its subject, or the person who left behind an agent or an orphan. */
function defaultCause(ctx: RuleContext, f: FoundFinding): FindingCause {
  if (f.rule === "agent_inactive_principal" || f.rule === "no_active_owner") {
    // The person who left: reassigning what they owned (or retiring their agents) fixes every finding they left behind.
    const departed = f.evidence.edges
      .filter((e) => e.kind === "acts_for" || e.kind === "owns")
      .map((e) => (e.kind === "acts_for" ? e.to : e.from))
      .filter((id) => {
        const n = ctx.snap.nodes.get(id);
        return n?.kind === "human" && isDeparted(n);
      })
      .sort();
    if (departed.length) return nodeCause(ctx, departed[0]!, true, "the person who left: reassigning what they owned resolves it");
  }
  const why: Record<FoundFinding["rule"], string> = {
    hardcoded_secret: "the credential itself: rotating and vaulting it resolves it",
    credential_rotation: "the credential itself: rotating it resolves it",
    shared_credential: "the credential itself: one credential per identity resolves it",
    no_active_owner: "the identity itself: assigning an active owner resolves it",
    agent_inactive_principal: "the agent itself",
    uncertified_risky_tool: "its own reach",
    dual_access_path: "its own reach",
    over_broad_reach: "what it grants: removing it (or its grants) resolves it",
    tool_definition_changed: "the tool itself: reviewing and re-certifying it resolves it",
    insecure_mcp_server: "the server itself: pinning or securing it resolves it",
    unused_high_risk_access: "its own reach: removing the access it does not use resolves it",
  };
  return nodeCause(ctx, f.subjectId, true, why[f.rule]);
}

/**
 * Fills every finding's priority (cause, severity, blast radius, exposure; freshness is added when it is written, as
 * it depends on when the finding was first seen). Deterministic: the same graph and settings give the same parts.
 */
export async function prioritize(ctx: RuleContext, found: FoundFinding[], exposed: ExposedCounter, risks: Risks): Promise<void> {
  const { ix } = ctx.snap;
  const walker = new Walker(ix);
  const needExposure = [...new Set(found.filter((f) => !f.blast && !PRINCIPAL_CODES.has(KIND[f.subjectKind])).map((f) => f.subjectId))].sort();
  const exposedBy = await exposed(needExposure);
  const blastCache = new Map<string, BlastRadius>();
  const blastOf = (f: FoundFinding): BlastRadius => {
    const cached = blastCache.get(f.subjectId);
    if (cached) return cached;
    const start = ix.indexOf.get(f.subjectId);
    const isPrincipal = PRINCIPAL_CODES.has(KIND[f.subjectKind]);
    const r = start === undefined ? reachOf(ctx, [], risks) : reachOf(ctx, walker.walk(start, ctx.settings.maxDepth).reached, risks, start);
    const principals = isPrincipal ? 1 : (exposedBy.get(f.subjectId) ?? 0);
    // Pairs at stake: every principal exposed, times what it reaches through the subject.
    const b: BlastRadius = {
      weight: Math.round(r.weight * Math.max(1, principals) * 100) / 100,
      tools: r.tools,
      resources: r.resources,
      principals,
      describe: describeReach(r, principals, isPrincipal),
    };
    blastCache.set(f.subjectId, b);
    return b;
  };
  for (const f of found) {
    const cause = f.cause ?? defaultCause(ctx, f);
    const blast = f.blast ?? blastOf(f);
    const exposure = exposuresOf(ctx, f);
    f.cause = cause;
    f.priority = {
      severity: { value: f.severity, factor: SEVERITY_WEIGHT[f.severity] },
      blastRadius: { ...blast, factor: blastFactor(blast.weight) },
      exposure: { factors: exposure, factor: exposureFactor(exposure) },
      cause,
    };
  }
}

/** The exposure factors a finding's own facts and the nodes of its evidence show (read from node attributes and owners only). */
function exposuresOf(ctx: RuleContext, f: FoundFinding): Exposure[] {
  const out = new Set<Exposure>();
  const storages = new Set<string>(ctx.settings.hardcodedStorages);
  const policyMs = ctx.settings.rotationDays * DAY_MS;
  for (const id of f.evidence.nodes) {
    const n = ctx.snap.nodes.get(id);
    if (n?.kind !== "credential") continue;
    if (typeof n.attributes.storage === "string" && storages.has(n.attributes.storage)) out.add("hard_coded");
    const rotated = dateAttr(n.attributes.lastRotatedAt) ?? dateAttr(n.attributes.issuedAt);
    const expires = dateAttr(n.attributes.expiresAt);
    if ((rotated && ctx.now.getTime() - rotated.getTime() > policyMs) || (expires && expires.getTime() <= ctx.now.getTime())) out.add("unrotated");
  }
  if (f.rule === "hardcoded_secret") out.add("hard_coded");
  if (f.rule === "credential_rotation") out.add("unrotated");
  const owners = ctx.snap.orphans.get(f.subjectId);
  if (owners) out.add(owners.some((o) => o.reason !== "no_owner") ? "departed_owner" : "unowned");
  if (f.rule === "no_active_owner") out.add(f.cause?.kind === "human" ? "departed_owner" : "unowned");
  if (f.rule === "agent_inactive_principal") out.add("departed_owner");
  if (f.rule === "uncertified_risky_tool") out.add("uncertified");
  if (f.rule === "tool_definition_changed") out.add("changed_since_certified");
  return [...out].sort();
}

/** The full score parts and the score of a finding being written, first seen at `firstSeenAt`. */
export function finalScore(f: FoundFinding, firstSeenAt: Date, now: Date): { score: number; parts: ScoreParts } | null {
  if (!f.priority) return null;
  const fresh = freshnessOf(firstSeenAt, now);
  const parts: ScoreParts = { ...f.priority, freshness: { firstSeenAt: firstSeenAt.toISOString(), ...fresh } };
  return { score: scoreOf(parts), parts };
}
