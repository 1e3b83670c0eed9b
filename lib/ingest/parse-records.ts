import { EDGE_KINDS, NODE_KINDS, SOURCE_NAME_RE } from "@/lib/graph/model";
import { graphEdgeSchema, graphNodeSchema, type GraphEdgeRecord, type GraphNodeRecord, type NodeRefRecord } from "./graph-document";

/*
 * The import validates every record with the zod schemas of graph-document.ts, and zod costs 14–17 µs a record
 * on this machine: at L (11M records) minutes of the import. A record that is plainly valid is accepted here by a
 * hand-written check of the same rules (strict keys, kinds, trimmed lengths, source names), giving the same value zod
 * would; anything else goes to zod, whose answer (and error messages) stands. The equivalence is tested
 * (parse-records.test.ts), so a schema change that this check does not follow shows up there.
 */

const nodeKinds = new Set<string>(NODE_KINDS);
const edgeKinds = new Set<string>(EDGE_KINDS);
const NODE_KEYS = new Set(["kind", "externalId", "name", "attributes"]);
const EDGE_KEYS = new Set(["kind", "from", "to", "attributes"]);
const REF_KEYS = new Set(["kind", "externalId", "source"]);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

function onlyKeys(o: Record<string, unknown>, allowed: Set<string>): boolean {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
}

/** A trimmed string of 1..max characters, or null. */
function trimmed(v: unknown, max: number): string | null {
  if (typeof v !== "string") return null;
  const t = v.trim();
  return t.length >= 1 && t.length <= max ? t : null;
}

/** Attributes as zod's record(string, unknown) accepts them, or false. A `__proto__` key is left to zod. */
function attributesOk(v: unknown): boolean {
  return v === undefined || (isPlainObject(v) && !Object.prototype.hasOwnProperty.call(v, "__proto__"));
}

function fastRef(v: unknown): NodeRefRecord | null {
  if (!isPlainObject(v) || !onlyKeys(v, REF_KEYS)) return null;
  if (typeof v.kind !== "string" || !nodeKinds.has(v.kind)) return null;
  const externalId = trimmed(v.externalId, 512);
  if (externalId === null) return null;
  if (v.source === undefined) return { kind: v.kind as NodeRefRecord["kind"], externalId };
  if (typeof v.source !== "string" || !SOURCE_NAME_RE.test(v.source)) return null;
  return { kind: v.kind as NodeRefRecord["kind"], externalId, source: v.source };
}

/** A graph node record, validated like graphNodeSchema.safeParse (same value, same errors). */
export function parseGraphNode(raw: unknown): ReturnType<typeof graphNodeSchema.safeParse> {
  if (isPlainObject(raw) && onlyKeys(raw, NODE_KEYS) && typeof raw.kind === "string" && nodeKinds.has(raw.kind) && attributesOk(raw.attributes)) {
    const externalId = trimmed(raw.externalId, 512);
    const name = trimmed(raw.name, 1000);
    if (externalId !== null && name !== null) {
      const data: GraphNodeRecord = { kind: raw.kind as GraphNodeRecord["kind"], externalId, name };
      if (raw.attributes !== undefined) data.attributes = raw.attributes as Record<string, unknown>;
      return { success: true, data };
    }
  }
  return graphNodeSchema.safeParse(raw);
}

/** A graph edge record, validated like graphEdgeSchema.safeParse (same value, same errors). */
export function parseGraphEdge(raw: unknown): ReturnType<typeof graphEdgeSchema.safeParse> {
  if (isPlainObject(raw) && onlyKeys(raw, EDGE_KEYS) && typeof raw.kind === "string" && edgeKinds.has(raw.kind) && attributesOk(raw.attributes)) {
    const from = fastRef(raw.from);
    const to = fastRef(raw.to);
    if (from && to) {
      const data: GraphEdgeRecord = { kind: raw.kind as GraphEdgeRecord["kind"], from, to };
      if (raw.attributes !== undefined) data.attributes = raw.attributes as Record<string, unknown>;
      return { success: true, data };
    }
  }
  return graphEdgeSchema.safeParse(raw);
}
