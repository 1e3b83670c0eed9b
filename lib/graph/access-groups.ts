import { KIND_CODE, type AccessIndex } from "./access-index";
import { NODE_KINDS, type NodeKind } from "./model";
import type { Reached } from "./traverse";

/** One (kind, source) bucket of an access answer: the filters' counts and the picture's groups for large answers. */
export interface AccessGroup {
  kind: NodeKind;
  source: string;
  count: number;
}

/** Counts of an answer by (kind, source), largest first (then by kind and source, so the order is stable). */
export function groupReached(ix: AccessIndex, reached: readonly Reached[]): AccessGroup[] {
  // Counted in a typed array (kinds × sources is small), not a Map: a 25,000-principal answer is counted in a pass.
  const width = ix.sourceNames.length + 1;
  const counts = new Int32Array(NODE_KINDS.length * width + width);
  for (const r of reached) counts[ix.kinds[r.node]! * width + ix.sources[r.node]!]!++;
  const out: AccessGroup[] = [];
  for (let key = 0; key < counts.length; key++)
    if (counts[key]) out.push({ kind: NODE_KINDS[Math.floor(key / width)]!, source: ix.sourceNames[key % width]!, count: counts[key]! });
  return out.sort((a, b) => b.count - a.count || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

/** The part of an answer of one kind and/or one source (either may be absent: no filter on it). */
export function narrowReached(ix: AccessIndex, reached: readonly Reached[], filter: { kind?: NodeKind; source?: string }): Reached[] {
  const kind = filter.kind === undefined ? undefined : KIND_CODE.get(filter.kind);
  const source = filter.source === undefined ? undefined : ix.sourceNames.indexOf(filter.source);
  if (kind === undefined && source === undefined) return [...reached];
  // An unknown source matches nothing (indexOf gives -1, which no node has).
  return reached.filter((r) => (kind === undefined || ix.kinds[r.node] === kind) && (source === undefined || ix.sources[r.node] === source));
}
