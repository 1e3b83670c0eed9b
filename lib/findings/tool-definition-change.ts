import { and, desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { findingToolDefinitions, nodes } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { diffText, stableJson, type DiffLine } from "@/lib/format/text-diff";
import { DEFINITION_KEYS } from "@/lib/ingest/tool-attributes";
import type { FindingDetail } from "./views";

/** One part of a tool's definition (description, input schema, …) as it was certified and as it is now. */
export interface DefinitionPartChange {
  part: (typeof DEFINITION_KEYS)[number];
  label: string;
  lines: DiffLine[];
}

/** What a "tool definition changed" finding's reader needs: the approved text against today's, part by part. */
export interface ToolDefinitionChange {
  toolId: string;
  certifiedHash: string;
  currentHash: string;
  /** When evaluation first saw the certified definition. */
  certifiedSeenAt: string | null;
  /** False when the certified definition's text was not kept (recorded before Attest kept texts): only the hashes can be shown. */
  recorded: boolean;
  changed: DefinitionPartChange[];
  /** Parts present and equal on both sides. */
  unchanged: string[];
}

const LABEL: Record<(typeof DEFINITION_KEYS)[number], string> = {
  title: "Title",
  description: "Description",
  inputSchema: "Input schema",
  outputSchema: "Output schema",
  annotations: "Annotations",
};

const text = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "string" ? v : stableJson(v));
const attr = (f: FindingDetail, key: string) => {
  const a = f.evidence.attributes.find((x) => x.node === f.subject.id && x.key === key);
  return typeof a?.value === "string" ? a.value : null;
};

/**
 * For a tool_definition_changed finding: the certified definition (kept in the
 * definition history when evaluation first saw it) against the tool's current
 * one, as a line diff per part. Null for other rules. Two indexed reads.
 */
export async function toolDefinitionChange(db: Db, actor: Actor, f: FindingDetail): Promise<ToolDefinitionChange | null> {
  requirePermission(actor, "findings.read");
  if (f.rule !== "tool_definition_changed") return null;
  const certifiedHash = attr(f, "certifiedDefinitionHash");
  if (!certifiedHash) return null;
  const [then] = await db
    .select({ definition: findingToolDefinitions.definition, firstSeenAt: findingToolDefinitions.firstSeenAt })
    .from(findingToolDefinitions)
    .where(and(eq(findingToolDefinitions.toolId, f.subject.id), eq(findingToolDefinitions.definitionHash, certifiedHash)))
    .orderBy(desc(findingToolDefinitions.firstSeenAt))
    .limit(1);
  const [tool] = await db.select({ attributes: nodes.attributes }).from(nodes).where(eq(nodes.id, f.subject.id));
  const now = (tool?.attributes ?? {}) as Record<string, unknown>;
  const currentHash = typeof now.definitionHash === "string" ? now.definitionHash : (attr(f, "definitionHash") ?? "");
  const base = { toolId: f.subject.id, certifiedHash, currentHash, certifiedSeenAt: then?.firstSeenAt.toISOString() ?? null };
  if (!then?.definition) return { ...base, recorded: false, changed: [], unchanged: [] };
  const old = then.definition;
  const changed: DefinitionPartChange[] = [];
  const unchanged: string[] = [];
  for (const part of DEFINITION_KEYS) {
    const a = text(old[part]);
    const b = text(now[part]);
    if (!a && !b) continue;
    if (a === b) unchanged.push(LABEL[part]);
    else changed.push({ part, label: LABEL[part], lines: diffText(a, b) });
  }
  return { ...base, recorded: true, changed, unchanged };
}
