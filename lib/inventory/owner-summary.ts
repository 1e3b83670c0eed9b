import type { EffectiveOwner } from "@/lib/ownership/owner-state";

/** What a list row says about ownership: the first active owner, how many more, or why there is none. */
export interface OwnerSummary {
  /** The first active owner (name order), else the first inactive one. */
  first: { id: string; name: string; kind: "human" | "group"; active: boolean } | null;
  /** Active owners besides `first`. */
  moreActive: number;
  active: number;
  total: number;
  /** A tool's owners come from its MCP server. */
  inherited: boolean;
}

export function ownerSummary(owners: readonly EffectiveOwner[]): OwnerSummary {
  // effectiveOwnersOf lists active owners first, each half by name; an owner may hold several roles (one row each).
  const seen = new Set<string>();
  const distinct = owners.filter((o) => (seen.has(o.owner.id) ? false : (seen.add(o.owner.id), true)));
  const active = distinct.filter((o) => o.active).length;
  const f = distinct[0];
  return {
    first: f ? { id: f.owner.id, name: f.owner.name, kind: f.owner.kind, active: f.active } : null,
    moreActive: Math.max(0, active - (f?.active ? 1 : 0)),
    active,
    total: distinct.length,
    inherited: distinct.length > 0 && distinct.every((o) => o.inheritedFrom !== null),
  };
}
