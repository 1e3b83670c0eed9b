import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { findings } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { createCampaign } from "@/lib/campaigns/launch-campaign";
import type { CampaignDefinitionInput } from "@/lib/campaigns/definition";
import type { CampaignView } from "@/lib/campaigns/views";
import { AppError, parseInput } from "@/lib/errors";
import type { EdgeKind, NodeKind } from "@/lib/graph/model";
import type { ToolRisk } from "@/lib/graph/tool-risk";
import type { FindingEvidence } from "./evidence";
import { RULES, severityRank, type FindingRule, type FindingSeverity } from "./rules";

/** Campaign scopes take at most this many targets (lib/campaigns/definition.ts). */
export const MAX_TARGETS = 50;
const DUE_DAYS = 14;
/** The first hop of a principal's access: what a review of "who reaches X" looks at. */
const ACCESS_FROM_PRINCIPALS: EdgeKind[] = ["connects_to", "has_entitlement", "member_of", "acts_for", "uses_credential"];

/** A group's members a campaign drafted from it covers: its top open findings by score. */
export const MAX_GROUP_MEMBERS = 200;

export const campaignFromFindingsSchema = z
  .object({
    findingIds: z.array(z.string().trim().min(1).max(64)).min(1, "name at least one finding").max(200, "at most 200 findings").optional(),
    /** A root-cause group (its cause's node id), instead of findingIds: its top 200 open findings by score. */
    group: z.string().trim().min(1, "must not be empty").max(64, "at most 64 characters").optional(),
    name: z.string().trim().min(1).max(200).optional(),
    dueAt: z.string().max(40).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.findingIds !== undefined && b.group !== undefined)
      ctx.addIssue({ code: "custom", path: ["group"], message: "give either findingIds or group, not both" });
    else if (b.findingIds === undefined && b.group === undefined)
      ctx.addIssue({ code: "custom", path: ["findingIds"], message: "name at least one finding, or give a group" });
  });

interface FindingFacts {
  id: string;
  rule: FindingRule;
  severity: FindingSeverity;
  subjectId: string;
  subjectKind: string;
  evidence: FindingEvidence;
}

interface ScopePart {
  edgeKinds: EdgeKind[];
  targets: string[];
  subjectKinds?: NodeKind[];
  minToolRisk?: ToolRisk;
}

const sampleIds = (e: FindingEvidence, field: string, key: string): string[] => {
  const v = e.facts[field];
  return Array.isArray(v) ? v.map((x) => (x as Record<string, unknown>)[key]).filter((x): x is string => typeof x === "string") : [];
};

/** What reviewing one finding's access means as a campaign scope. */
export function scopeFor(f: FindingFacts): ScopePart {
  const e = f.evidence;
  switch (f.rule) {
    case "hardcoded_secret":
    case "credential_rotation":
    case "shared_credential":
      return { edgeKinds: ["uses_credential"], targets: [f.subjectId] };
    case "no_active_owner":
      return {
        edgeKinds:
          f.subjectKind === "credential" ? ["owns", "uses_credential"] : f.subjectKind === "mcp_server" ? ["owns", "connects_to"] : ["owns", "acts_for"],
        targets: [f.subjectId],
      };
    case "agent_inactive_principal":
      return { edgeKinds: ["acts_for", "owns"], targets: [f.subjectId, ...e.edges.filter((x) => x.kind === "acts_for").map((x) => x.to)] };
    case "uncertified_risky_tool": {
      const risk = e.facts.minRisk;
      return {
        edgeKinds: ACCESS_FROM_PRINCIPALS,
        targets: sampleIds(e, "sample", "tool"),
        subjectKinds: ["agent"],
        ...(typeof risk === "string" ? { minToolRisk: risk as ToolRisk } : {}),
      };
    }
    case "dual_access_path":
      return { edgeKinds: ACCESS_FROM_PRINCIPALS, targets: sampleIds(e, "sample", "resource"), subjectKinds: [f.subjectKind as NodeKind] };
    case "over_broad_reach":
      if (e.facts.variant === "blast_radius")
        return f.subjectKind === "group" ? { edgeKinds: ["member_of"], targets: [f.subjectId] } : { edgeKinds: ["uses_credential"], targets: [f.subjectId] };
      return {
        edgeKinds: ACCESS_FROM_PRINCIPALS,
        targets: [...sampleIds(e, "sampleTools", "tool"), ...sampleIds(e, "sampleResources", "resource")],
        subjectKinds: [f.subjectKind as NodeKind],
      };
    case "tool_definition_changed":
    case "insecure_mcp_server":
      return { edgeKinds: ACCESS_FROM_PRINCIPALS, targets: [f.subjectId] };
    case "unused_high_risk_access":
      return { edgeKinds: ACCESS_FROM_PRINCIPALS, targets: sampleIds(e, "unused", "tool"), subjectKinds: [f.subjectKind as NodeKind] };
  }
}

/**
 * A campaign definition reviewing the access behind some findings: the union
 * of their scopes (edge kinds and targets, at most 50 targets, the most severe
 * findings' first), reviewed by the targets' owners, due in two weeks.
 */
export function campaignDefinitionFor(
  list: FindingFacts[],
  now: Date,
  opts: { name?: string; dueAt?: string } = {},
): { definition: CampaignDefinitionInput; clippedTargets: number } {
  const sorted = [...list].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.id < b.id ? -1 : 1));
  const parts = sorted.map(scopeFor);
  const edgeKinds = [...new Set(parts.flatMap((p) => p.edgeKinds))];
  const allTargets = [...new Set(parts.flatMap((p) => p.targets))];
  const targets = allTargets.slice(0, MAX_TARGETS);
  const subjectKinds = parts.every((p) => p.subjectKinds) ? [...new Set(parts.flatMap((p) => p.subjectKinds!))] : undefined;
  const risks = parts.map((p) => p.minToolRisk);
  const order: ToolRisk[] = ["low", "medium", "high", "critical"];
  const minToolRisk = risks.every((r) => r) ? risks.reduce((a, r) => (order.indexOf(r!) < order.indexOf(a!) ? r : a)) : undefined;
  const rules = [...new Set(sorted.map((f) => f.rule))];
  const name = opts.name ?? `Findings review: ${rules.length === 1 ? RULES[rules[0]!].label : `${sorted.length} findings`}`;
  const due = opts.dueAt ?? new Date(now.getTime() + DUE_DAYS * 86_400_000).toISOString().slice(0, 10);
  const definition: CampaignDefinitionInput = {
    name,
    description:
      `Created from ${sorted.length} finding${sorted.length === 1 ? "" : "s"} (${rules.map((r) => `${RULES[r].label}, ${RULES[r].owasp.join("/")}`).join("; ")}): ${sorted.map((f) => f.id).join(", ")}`.slice(
        0,
        4000,
      ),
    control: "OWASP NHI — non-human identity review",
    scope: {
      edgeKinds: edgeKinds as CampaignDefinitionInput["scope"]["edgeKinds"],
      ...(targets.length ? { targets } : {}),
      ...(subjectKinds ? { subjectKinds } : {}),
      ...(minToolRisk ? { minToolRisk } : {}),
    },
    reviewerStrategy: "target_owner",
    dueAt: due,
  };
  return { definition, clippedTargets: allTargets.length - targets.length };
}

/**
 * "Create a campaign from these findings" (POST /api/v1/findings/campaign):
 * a draft campaign (lib/campaigns createCampaign, audited there) whose scope
 * covers the findings' subjects and targets, for the analyst to preview and launch.
 */
export async function createCampaignFromFindings(
  db: Db,
  actor: Actor,
  input: unknown,
  requestId?: string,
): Promise<{ campaign: CampaignView; definition: CampaignDefinitionInput; clippedTargets: number }> {
  requirePermission(actor, "findings.read");
  requirePermission(actor, "campaign.manage");
  const body = parseInput(campaignFromFindingsSchema, input);
  const facts = {
    id: findings.id,
    rule: findings.rule,
    severity: findings.severity,
    subjectId: findings.subjectId,
    subjectKind: findings.subjectKind,
    evidence: findings.evidence,
  };
  let rows: FindingFacts[];
  let name = body.name;
  if (body.group) {
    const members = await db
      .select({ ...facts, causeName: findings.causeName })
      .from(findings)
      .where(and(eq(findings.causeId, body.group), eq(findings.status, "open")))
      .orderBy(desc(findings.score), asc(findings.id))
      .limit(MAX_GROUP_MEMBERS);
    if (members.length === 0)
      throw new AppError("validation", "no open findings in this group", [{ path: "group", message: "no open findings have this cause" }]);
    rows = members;
    name ??= `Findings review: access through ${members[0]!.causeName ?? body.group}`.slice(0, 200);
  } else {
    const findingIds = body.findingIds!;
    const ids = [...new Set(findingIds)];
    rows = await db.select(facts).from(findings).where(inArray(findings.id, ids));
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length)
      throw new AppError(
        "validation",
        `no finding ${missing.join(", ")}`,
        missing.map((id) => ({ path: `findingIds[${findingIds.indexOf(id)}]`, message: "no such finding" })),
      );
  }
  const now = new Date();
  const { definition, clippedTargets } = campaignDefinitionFor(rows, now, { name, dueAt: body.dueAt });
  const campaign = await createCampaign(db, actor, definition, { requestId });
  return { campaign, definition, clippedTargets };
}
