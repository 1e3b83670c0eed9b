import { and, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { nodes } from "@/db/schema";
import type { NodeMarks } from "./elements";
import { riskOfToolAttributes } from "./tool-risk";

/**
 * The marks the explorer draws on the nodes of one picture (at most a few hundred ids): each tool's risk, read as
 * every consumer reads it (riskOfToolAttributes), and each credential's storage. Only the attributes these need are read.
 */
export async function nodeMarks(db: Db, ids: readonly string[]): Promise<Map<string, NodeMarks>> {
  const out = new Map<string, NodeMarks>();
  if (ids.length === 0) return out;
  const rows = await db
    .select({
      id: nodes.id,
      kind: nodes.kind,
      risk: sql<unknown>`${nodes.attributes}->'risk'`,
      riskReason: sql<unknown>`${nodes.attributes}->'riskReason'`,
      riskReasonCode: sql<unknown>`${nodes.attributes}->'riskReasonCode'`,
      annotations: sql<unknown>`${nodes.attributes}->'annotations'`,
      storage: sql<unknown>`${nodes.attributes}->'storage'`,
    })
    .from(nodes)
    .where(and(inArray(nodes.id, [...ids]), inArray(nodes.kind, ["tool", "credential"])));
  for (const r of rows) {
    if (r.kind === "tool")
      out.set(r.id, {
        risk: riskOfToolAttributes({ risk: r.risk, riskReason: r.riskReason, riskReasonCode: r.riskReasonCode, annotations: r.annotations }).risk,
      });
    else if (typeof r.storage === "string") out.set(r.id, { storage: r.storage });
  }
  return out;
}
