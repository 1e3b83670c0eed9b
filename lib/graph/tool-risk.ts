export const TOOL_RISKS = ["low", "medium", "high", "critical"] as const;
export type ToolRisk = (typeof TOOL_RISKS)[number];

/**
 * Why a tool has its risk, most serious first. The codes are stable (stored on
 * tool nodes as `riskReasonCode`, shown by the API and pages); the words may be
 * reworded. Order matters: a tool that declares itself destructive always ranks
 * above one that only leaves destructiveHint out, in level and in rank.
 */
export const RISK_REASON_CODES = [
  "declared_destructive_open_world",
  "declared_destructive",
  "destructive_unknown_open_world",
  "no_annotations",
  "destructive_unknown",
  "open_world_write",
  "write",
  "read_only_open_world",
  "read_only",
] as const;
/**
 * Besides the computed reasons: `declared_by_source`, a risk the importing source set above what the annotations give
 * (lib/ingest/tool-attributes.ts); `recorded`, a risk stored without a reason code (rows written before codes existed).
 */
export type RiskReasonCode = (typeof RISK_REASON_CODES)[number] | "declared_by_source" | "recorded";

export interface ToolRiskResult {
  risk: ToolRisk;
  /** Stable code; see RISK_REASON_CODES. */
  reasonCode: RiskReasonCode;
  /** The same in words an analyst reads. */
  reason: string;
}

const HINT_KEYS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;

const LEVEL: Record<(typeof RISK_REASON_CODES)[number], ToolRisk> = {
  declared_destructive_open_world: "critical",
  declared_destructive: "critical",
  destructive_unknown_open_world: "high",
  no_annotations: "high",
  destructive_unknown: "high",
  open_world_write: "high",
  write: "medium",
  read_only_open_world: "low",
  read_only: "low",
};

/** A hint's value: only a real boolean counts; anything else is "not said". */
function hint(annotations: Record<string, unknown>, key: (typeof HINT_KEYS)[number]): boolean | undefined {
  const v = annotations[key];
  return typeof v === "boolean" ? v : undefined;
}

/**
 * A tool's risk from its MCP annotations. Absent hints take the MCP
 * specification's defaults (readOnlyHint false, destructiveHint true,
 * openWorldHint true), but what a tool declares outranks what a default assumes:
 * - critical: declares itself destructive (destructiveHint: true, not read-only)
 * - high: writes and does not say whether it destroys (so, by default, may);
 *   writes to an open world; or has no annotations at all (unknown, not trusted)
 * - medium: writes, declares itself not destructive, closed world
 * - low: read-only (readOnlyHint: true; destructiveHint is then meaningless)
 * Within a level, RISK_REASON_CODES orders the reasons (see riskRank).
 */
export function toolRisk(annotations: Record<string, unknown> | undefined | null): ToolRiskResult {
  const result = (reasonCode: (typeof RISK_REASON_CODES)[number], reason: string): ToolRiskResult => ({ risk: LEVEL[reasonCode], reasonCode, reason });
  if (!annotations || typeof annotations !== "object" || !HINT_KEYS.some((k) => k in annotations))
    return result("no_annotations", "no annotations: behaviour unknown");
  const openWorldSaid = hint(annotations, "openWorldHint");
  const openWorld = openWorldSaid !== false;
  const world = openWorldSaid === undefined ? "an open world (openWorldHint absent: open by the MCP default)" : "an open world";
  if (hint(annotations, "readOnlyHint") === true)
    return openWorld ? result("read_only_open_world", `read-only, reads from ${world}`) : result("read_only", "read-only, closed world");
  const writes = hint(annotations, "readOnlyHint") === false ? "writes" : "writes (readOnlyHint absent: not read-only by the MCP default)";
  const destructive = hint(annotations, "destructiveHint");
  if (destructive === true)
    return openWorld
      ? result("declared_destructive_open_world", `declares itself destructive, acts on ${world}`)
      : result("declared_destructive", "declares itself destructive, closed world");
  if (destructive === undefined) {
    const unknown = `${writes}; does not say whether it is destructive (destructiveHint absent: destructive by the MCP default)`;
    return openWorld ? result("destructive_unknown_open_world", `${unknown}; acts on ${world}`) : result("destructive_unknown", `${unknown}; closed world`);
  }
  if (openWorld) return result("open_world_write", `${writes} to ${world}; declares itself not destructive`);
  return result("write", `${writes}; declares itself not destructive; closed world`);
}

/** A total order over risks: level first, then reason (higher is riskier). Sorts tools "most worrying first". */
export function riskRank(r: { risk: ToolRisk; reasonCode?: string }): number {
  const level = TOOL_RISKS.indexOf(r.risk);
  const i = (RISK_REASON_CODES as readonly string[]).indexOf(r.reasonCode ?? "");
  // A risk without a known reason (declared by a source) sorts first within its level: nothing says it is milder.
  const within = i < 0 ? RISK_REASON_CODES.length : RISK_REASON_CODES.length - 1 - i;
  return level * (RISK_REASON_CODES.length + 1) + within;
}

export function isToolRisk(v: unknown): v is ToolRisk {
  return typeof v === "string" && (TOOL_RISKS as readonly string[]).includes(v);
}

const KNOWN_CODES = new Set<string>([...RISK_REASON_CODES, "declared_by_source"]);

/**
 * A tool node's risk: what its import stored (risk, riskReason, riskReasonCode), else derived from its annotations.
 * The one reading every consumer (findings, campaigns, ownership, the MCP page) uses, so they cannot disagree.
 */
export function riskOfToolAttributes(a: Record<string, unknown>): ToolRiskResult {
  if (!isToolRisk(a.risk))
    return toolRisk(
      a.annotations !== null && typeof a.annotations === "object" && !Array.isArray(a.annotations) ? (a.annotations as Record<string, unknown>) : undefined,
    );
  const code = typeof a.riskReasonCode === "string" && KNOWN_CODES.has(a.riskReasonCode) ? (a.riskReasonCode as RiskReasonCode) : "recorded";
  return { risk: a.risk, reasonCode: code, reason: typeof a.riskReason === "string" ? a.riskReason : `${a.risk} (from the tool's record)` };
}
