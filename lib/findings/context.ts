import { KIND_CODE } from "@/lib/graph/access-index";
import type { NodeKind } from "@/lib/graph/model";
import { riskOfToolAttributes, TOOL_RISKS, type ToolRisk } from "@/lib/graph/tool-risk";
import type { PathOut } from "@/lib/graph/traverse";
import { isDepartedStatus } from "@/lib/ownership/owner-state";
import type { EvidenceEdge } from "./evidence";
import type { FindingRule, FindingSeverity } from "./rules";
import type { FindingSettings } from "./settings";
import type { GraphSnapshot, SnapNode } from "./snapshot";

/** What every rule is given: one snapshot, the settings in force, and the instant of the evaluation. */
export interface RuleContext {
  snap: GraphSnapshot;
  settings: FindingSettings;
  now: Date;
}

export const DAY_MS = 86_400_000;

export function severityOf(ctx: RuleContext, rule: FindingRule): FindingSeverity {
  return ctx.settings.rules[rule].severity;
}

/** A date attribute as a Date, or null when absent or unreadable. */
export function dateAttr(v: unknown): Date | null {
  if (typeof v !== "string" && typeof v !== "number") return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** YYYY-MM-DD, for titles (dates, never "N days ago": evidence must not change with the clock alone). */
export function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A tool's risk: the `risk` attribute imports and discovery set, else derived from its MCP annotations. */
export function riskOfTool(n: SnapNode): { risk: ToolRisk; reason: string } {
  return riskOfToolAttributes(n.attributes);
}

const RISK_RANK = new Map<string, number>(TOOL_RISKS.map((r, i) => [r, i]));
export function riskAtLeast(r: ToolRisk, min: ToolRisk): boolean {
  return RISK_RANK.get(r)! >= RISK_RANK.get(min)!;
}
export function compareRisk(a: ToolRisk, b: ToolRisk): number {
  return RISK_RANK.get(a)! - RISK_RANK.get(b)!;
}

/** A person who left: terminated or inactive, or no longer reported by any source. */
export function isDeparted(n: SnapNode | undefined): boolean {
  return !!n && (!n.current || isDepartedStatus(n.status));
}

/** A principal that cannot act: a disabled agent or account, a departed person. Its reach is not exercised. */
export function isDisabled(n: SnapNode): boolean {
  return isDepartedStatus(n.status);
}

/** The edges of a path found in the access index, by their ids, from the snapshot. */
export function pathEdges(snap: GraphSnapshot, p: PathOut): EvidenceEdge[] {
  const out: EvidenceEdge[] = [];
  for (let i = 0; i < p.edges.length; i++) {
    const from = p.nodes[i]!;
    const to = p.nodes[i + 1]!;
    const e = snap.accessOut.get(from)?.find((x) => x.to === to && x.kind === p.edges[i]);
    if (e) out.push({ id: e.id, kind: e.kind, from: e.from, to: e.to });
  }
  return out;
}

export function nameOf(snap: GraphSnapshot, id: string): string {
  return snap.nodes.get(id)?.name ?? id;
}

/** The index's kind codes, by kind. */
export const KIND = Object.fromEntries([...KIND_CODE.entries()]) as Record<NodeKind, number>;

/** Names for a title: the first few, then "and N more". */
export function nameList(names: string[], max = 3): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}
