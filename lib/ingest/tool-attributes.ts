import { createHash } from "node:crypto";
import { canonicalJson } from "@/lib/audit/canonical-json";
import { isToolRisk, toolRisk, TOOL_RISKS, type ToolRiskResult } from "@/lib/graph/tool-risk";

/** The parts of an MCP tool definition an approver sees; what the definition hash covers. */
export interface ToolDefinition {
  name: string;
  title?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

/** Attribute keys that hold a tool's definition (the node's name is the tool's name). */
export const DEFINITION_KEYS = ["title", "description", "inputSchema", "outputSchema", "annotations"] as const;

/**
 * The fingerprint of a tool's definition: what an approver saw. When a server
 * changes a tool's description, schema or annotations after its access was
 * certified, this changes and the change is caught. Must stay stable: stored
 * hashes are compared with new ones (lib/findings/rules-mcp.ts).
 */
export function toolDefinitionHash(t: ToolDefinition): string {
  const body = canonicalJson({
    name: t.name,
    title: t.title ?? null,
    description: t.description ?? null,
    inputSchema: t.inputSchema ?? null,
    outputSchema: t.outputSchema ?? null,
    annotations: t.annotations ?? null,
  });
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

/** How a risk is stored on a tool node. */
export function riskAttributes(r: ToolRiskResult): { risk: string; riskReason: string; riskReasonCode: string } {
  return { risk: r.risk, riskReason: r.reason, riskReasonCode: r.reasonCode };
}

const plainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A tool node's attributes as every import stores them (one place: the import
 * engine calls this for each tool node, whatever the format):
 * - risk, riskReason, riskReasonCode computed from `annotations` (lib/graph/tool-risk.ts).
 *   A risk the source supplies is kept as `declaredRisk`; it can raise the
 *   computed risk, never lower it (a source's "low" must not hide a tool that
 *   declares itself destructive). A supplied `risk` counts as declared only when
 *   it does not come with `riskReasonCode`, i.e. it is not our own derivation
 *   coming back from an export, so re-importing an export changes nothing.
 * - definitionHash computed from the definition the node carries (title,
 *   description, inputSchema, outputSchema, annotations), so drift is caught the
 *   same way for every format. A different supplied hash is kept as
 *   `declaredDefinitionHash`; a node with no definition keeps the hash it brings
 *   (there is nothing to recompute it from).
 */
export function enrichToolAttributes(name: string, attributes: Record<string, unknown> | undefined): Record<string, unknown> {
  const a = attributes ?? {};
  const computed = toolRisk(plainObject(a.annotations) ? a.annotations : undefined);
  const declared = "declaredRisk" in a ? a.declaredRisk : a.riskReasonCode === undefined ? a.risk : undefined;
  const out: Record<string, unknown> = { ...a };
  if (declared !== undefined && declared !== null) {
    out.declaredRisk = declared;
    if (!("declaredRisk" in a) && typeof a.riskReason === "string") out.declaredRiskReason = a.riskReason;
  }
  if (isToolRisk(declared) && TOOL_RISKS.indexOf(declared) > TOOL_RISKS.indexOf(computed.risk)) {
    Object.assign(out, {
      risk: declared,
      riskReason: `marked ${declared} by its source; its annotations alone give ${computed.risk} (${computed.reason})`,
      riskReasonCode: "declared_by_source",
    });
  } else {
    Object.assign(out, riskAttributes(computed));
  }
  if (DEFINITION_KEYS.some((k) => a[k] !== undefined && a[k] !== null)) {
    const hash = toolDefinitionHash({
      name,
      title: a.title,
      description: a.description,
      inputSchema: a.inputSchema,
      outputSchema: a.outputSchema,
      annotations: a.annotations,
    });
    if (typeof a.definitionHash === "string" && a.definitionHash !== hash && a.declaredDefinitionHash === undefined)
      out.declaredDefinitionHash = a.definitionHash;
    out.definitionHash = hash;
  }
  return out;
}
