import type { AccessGroup } from "@/lib/graph/access-groups";
import { NODE_KIND_LABEL, NODE_KINDS, type NodeKind } from "@/lib/graph/model";

interface Props {
  groups: readonly AccessGroup[];
  kind?: string;
  source?: string;
}

/**
 * Kind and source filters with the count each choice would leave (over the
 * whole answer), as plain form fields: the explorer's form puts them in the URL.
 */
export function ExplorerFilters({ groups, kind, source }: Props) {
  const byKind = new Map<NodeKind, number>();
  const bySource = new Map<string, number>();
  for (const g of groups) {
    if (!source || g.source === source) byKind.set(g.kind, (byKind.get(g.kind) ?? 0) + g.count);
    if (!kind || g.kind === kind) bySource.set(g.source, (bySource.get(g.source) ?? 0) + g.count);
  }
  const sources = [...new Set(groups.map((g) => g.source))].sort();
  return (
    <>
      <label>
        Kind{" "}
        <select name="kind" defaultValue={kind ?? ""} aria-label="Filter by kind" data-testid="filter-kind">
          <option value="">all kinds</option>
          {NODE_KINDS.filter((k) => groups.some((g) => g.kind === k) || k === kind).map((k) => (
            <option key={k} value={k}>
              {NODE_KIND_LABEL[k]} ({(byKind.get(k) ?? 0).toLocaleString("en")})
            </option>
          ))}
        </select>
      </label>
      <label>
        Source{" "}
        <select name="source" defaultValue={source ?? ""} aria-label="Filter by source" data-testid="filter-source">
          <option value="">all sources</option>
          {[...new Set([...sources, ...(source ? [source] : [])])].map((s) => (
            <option key={s} value={s}>
              {s || "no source"} ({(bySource.get(s) ?? 0).toLocaleString("en")})
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
