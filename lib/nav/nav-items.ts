import type { Actor } from "@/lib/authz/actor";
import { can, type Permission } from "@/lib/authz/permissions";

interface NavEntry {
  href: string;
  label: string;
  /** Any one of these lets the actor see the entry. */
  anyOf: Permission[];
  soon?: boolean;
}

/** Navigation by task. Pages that later issues build say so with an honest empty state. */
export const NAV: NavEntry[] = [
  { href: "/", label: "Dashboard", anyOf: [] },
  { href: "/graph", label: "Graph", anyOf: ["graph.read"] },
  { href: "/nodes", label: "Identities", anyOf: ["graph.read"] },
  { href: "/mcp", label: "MCP servers & tools", anyOf: ["graph.read"] },
  { href: "/findings", label: "Findings", anyOf: ["findings.read"] },
  { href: "/ownership", label: "Ownership", anyOf: ["owner.read", "review.decide"] },
  { href: "/campaigns", label: "Campaigns", anyOf: ["campaign.read", "review.decide"] },
  { href: "/decisions", label: "Runtime decisions", anyOf: ["pdp.evaluate", "usage.read"] },
  { href: "/evidence", label: "Evidence", anyOf: ["evidence.export", "audit.read"] },
  { href: "/imports", label: "Imports", anyOf: ["import.read"] },
  { href: "/admin/connectors", label: "Connectors", anyOf: ["import.read"] },
  { href: "/admin", label: "Admin", anyOf: ["admin.users"] },
];

export function navFor(actor: Actor) {
  return NAV.filter((n) => n.anyOf.length === 0 || n.anyOf.some((p) => can(actor, p))).map(({ href, label, soon }) => ({ href, label, soon }));
}
