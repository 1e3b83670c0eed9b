import { expect } from "vitest";
import { edgeKindMismatch } from "@/lib/graph/model";
import { graphEdgeSchema, graphNodeSchema, type GraphDocument } from "@/lib/ingest/graph-document";

/**
 * Test helper (imported only by *.test.ts): the contract every converter's
 * output must meet before the import engine sees it.
 */
export function expectValidDocument(doc: GraphDocument): void {
  const keys = new Set<string>();
  for (const n of doc.nodes) {
    expect(graphNodeSchema.safeParse(n).success, JSON.stringify(n)).toBe(true);
    const key = `${n.kind}:${n.externalId}`;
    expect(keys.has(key), `duplicate node ${key}`).toBe(false);
    keys.add(key);
  }
  const edgeKeys = new Set<string>();
  for (const e of doc.edges) {
    expect(graphEdgeSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
    expect(edgeKindMismatch(e.kind, e.from.kind, e.to.kind)).toBeNull();
    for (const end of [e.from, e.to]) if (!end.source) expect(keys.has(`${end.kind}:${end.externalId}`), `dangling ${JSON.stringify(end)}`).toBe(true);
    const key = JSON.stringify([e.kind, e.from, e.to]);
    expect(edgeKeys.has(key), `duplicate edge ${key}`).toBe(false);
    edgeKeys.add(key);
  }
}

export function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}
