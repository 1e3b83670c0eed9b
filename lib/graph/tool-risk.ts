export const TOOL_RISKS = ["low", "medium", "high", "critical"] as const;
export type ToolRisk = (typeof TOOL_RISKS)[number];

const HINT_KEYS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;

/**
 * A tool's risk from its MCP annotations, reading absent hints with the
 * defaults the MCP specification gives them (readOnlyHint false; then
 * destructiveHint true and openWorldHint true). A tool with no annotations at
 * all is "high": unknown, so not trusted, but not claimed destructive either.
 * - critical: may destroy, and reaches an open world (external systems, the internet)
 * - high: may destroy, or writes to an open world, or unknown
 * - medium: writes, but neither destructively nor to an open world
 * - low: read-only
 */
export function toolRisk(annotations: Record<string, unknown> | undefined | null): { risk: ToolRisk; reason: string } {
  if (!annotations || !HINT_KEYS.some((k) => k in annotations)) return { risk: "high", reason: "no annotations: behaviour unknown" };
  const readOnly = annotations.readOnlyHint === true;
  if (readOnly) return { risk: "low", reason: "read-only" };
  const destructive = annotations.destructiveHint !== false;
  const openWorld = annotations.openWorldHint !== false;
  if (destructive && openWorld) return { risk: "critical", reason: "destructive and open-world" };
  if (destructive) return { risk: "high", reason: "destructive" };
  if (openWorld) return { risk: "high", reason: "writes to an open world" };
  return { risk: "medium", reason: "writes, not destructive, closed world" };
}
