/**
 * The identity-graph vocabulary of PRODUCT.md: node kinds, edge kinds, which
 * kinds each edge may join, and which edges carry access. Everything that
 * validates or traverses the graph reads these tables; nothing hard-codes them.
 */
export const NODE_KINDS = ["human", "group", "service_account", "agent", "mcp_server", "tool", "entitlement", "resource", "credential"] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const EDGE_KINDS = [
  "member_of",
  "has_entitlement",
  "grants",
  "connects_to",
  "exposes",
  "acts_on",
  "uses_credential",
  "credential_for",
  "acts_for",
  "owns",
  "manages",
  "same_as",
  "assumes",
] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

/** Principals: the nodes an access path starts from. */
export const PRINCIPAL_KINDS = ["human", "service_account", "agent"] as const satisfies readonly NodeKind[];
/** Non-human kinds that must have accountable owners. */
export const OWNABLE_KINDS = NODE_KINDS.filter((k) => k !== "human" && k !== "group");

/** Id prefixes, so ids read well in exports and logs. */
export const NODE_ID_PREFIX: Record<NodeKind, string> = {
  human: "hum",
  group: "grp",
  service_account: "sa",
  agent: "agt",
  mcp_server: "mcp",
  tool: "tool",
  entitlement: "ent",
  resource: "res",
  credential: "cred",
};

interface EdgeRule {
  from: readonly NodeKind[];
  to: readonly NodeKind[];
  access: boolean;
  label: string;
}

const NON_HUMAN: readonly NodeKind[] = NODE_KINDS.filter((k) => k !== "human");

export const EDGE_RULES: Record<EdgeKind, EdgeRule> = {
  member_of: { from: ["human", "service_account", "agent", "group"], to: ["group"], access: true, label: "member of" },
  has_entitlement: { from: ["human", "service_account", "agent", "group"], to: ["entitlement"], access: true, label: "has entitlement" },
  grants: { from: ["entitlement"], to: ["tool", "resource", "mcp_server"], access: true, label: "grants" },
  connects_to: { from: ["agent", "service_account", "human"], to: ["mcp_server"], access: true, label: "connects to" },
  exposes: { from: ["mcp_server"], to: ["tool"], access: true, label: "exposes" },
  acts_on: { from: ["tool"], to: ["resource"], access: true, label: "acts on" },
  uses_credential: { from: ["agent", "service_account", "mcp_server", "human"], to: ["credential"], access: true, label: "uses credential" },
  credential_for: { from: ["credential"], to: ["resource", "mcp_server"], access: true, label: "credential for" },
  acts_for: { from: ["agent"], to: ["human", "service_account"], access: true, label: "acts for" },
  owns: { from: ["human", "group"], to: NON_HUMAN, access: false, label: "owns" },
  manages: { from: ["human"], to: ["human"], access: false, label: "manages" },
  // One person's accounts in different systems (identity linking, lib/connectors/linking.ts): from the account
  // chosen to stand for the person to each of their other accounts, so who-can-reach crosses systems.
  same_as: { from: ["human"], to: ["human"], access: true, label: "same person as" },
  // A principal (or whoever holds an entitlement, such as an IdP app role) that may take on another identity:
  // AWS sts:AssumeRole trust, an Entra AWS-app role mapped to an IAM role or permission set.
  assumes: { from: ["human", "service_account", "group", "entitlement"], to: ["service_account"], access: true, label: "can assume" },
};

export const ACCESS_EDGE_KINDS = EDGE_KINDS.filter((k) => EDGE_RULES[k].access);
export const OWNER_ROLES = ["business", "technical", "security"] as const;
export type OwnerRole = (typeof OWNER_ROLES)[number];

export function isNodeKind(v: unknown): v is NodeKind {
  return typeof v === "string" && (NODE_KINDS as readonly string[]).includes(v);
}
export function isEdgeKind(v: unknown): v is EdgeKind {
  return typeof v === "string" && (EDGE_KINDS as readonly string[]).includes(v);
}

/** Why an edge of `kind` may not join `from` to `to`, or null when it may. */
export function edgeKindMismatch(kind: EdgeKind, from: NodeKind, to: NodeKind): string | null {
  const rule = EDGE_RULES[kind];
  if (!rule.from.includes(from)) return `a ${kind} edge cannot start at a ${from} (allowed: ${rule.from.join(", ")})`;
  if (!rule.to.includes(to)) return `a ${kind} edge cannot end at a ${to} (allowed: ${rule.to.join(", ")})`;
  return null;
}

export const NODE_KIND_LABEL: Record<NodeKind, string> = {
  human: "Human",
  group: "Group",
  service_account: "Service account",
  agent: "AI agent",
  mcp_server: "MCP server",
  tool: "Tool",
  entitlement: "Entitlement",
  resource: "Resource",
  credential: "Credential",
};

/** A source's name: 1-100 letters, digits, dot, dash or underscore, starting with a letter or digit. */
export const SOURCE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
