/**
 * The findings vocabulary: the rules, their OWASP Non-Human Identity Top 10
 * mapping, severities and statuses. Pure, so the schema, the engine, the API
 * and the UI share one list.
 */
export const FINDING_SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

export const FINDING_STATUSES = ["open", "accepted", "resolved"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** What a suppression's node is to the findings it accepts (lib/findings/suppressions.ts): their subject, a node their evidence passes through, their cause. */
export const SUPPRESSION_SCOPES = ["subject", "via", "cause"] as const;
export type SuppressionScope = (typeof SUPPRESSION_SCOPES)[number];

export const FINDING_RULES = [
  "hardcoded_secret",
  "credential_rotation",
  "shared_credential",
  "no_active_owner",
  "agent_inactive_principal",
  "uncertified_risky_tool",
  "dual_access_path",
  "over_broad_reach",
  "tool_definition_changed",
  "insecure_mcp_server",
  "unused_high_risk_access",
] as const;
export type FindingRule = (typeof FINDING_RULES)[number];

/** OWASP Non-Human Identity Top 10 (2025). */
export const OWASP_NHI = {
  NHI1: "Improper Offboarding",
  NHI2: "Secret Leakage",
  NHI3: "Vulnerable Third-Party NHI",
  NHI4: "Insecure Authentication",
  NHI5: "Overprivileged NHI",
  NHI6: "Insecure Cloud Deployment Configurations",
  NHI7: "Long-Lived Secrets",
  NHI8: "Environment Isolation",
  NHI9: "NHI Reuse",
  NHI10: "Human Use of NHI",
} as const;
export type OwaspNhi = keyof typeof OWASP_NHI;

export interface RuleInfo {
  id: FindingRule;
  label: string;
  /** What the rule looks for, in one sentence. */
  description: string;
  /** The OWASP NHI items it addresses, the main one first. */
  owasp: OwaspNhi[];
  /** Why that mapping, shown beside it so it can be judged. */
  owaspWhy: string;
  defaultSeverity: FindingSeverity;
}

export const RULES: Record<FindingRule, RuleInfo> = {
  hardcoded_secret: {
    id: "hardcoded_secret",
    label: "Hard-coded secret",
    description: "A credential stored hard-coded in a configuration file or repository.",
    owasp: ["NHI2"],
    owaspWhy: "A secret written into a config file or repository leaks with every copy of it.",
    defaultSeverity: "critical",
  },
  credential_rotation: {
    id: "credential_rotation",
    label: "Credential past rotation",
    description: "A credential past the rotation policy, expired, or with no expiry.",
    owasp: ["NHI7"],
    owaspWhy: "Unrotated and non-expiring secrets are the long-lived secrets NHI7 describes.",
    defaultSeverity: "medium",
  },
  shared_credential: {
    id: "shared_credential",
    label: "Shared credential",
    description: "One credential used by several identities or MCP servers.",
    owasp: ["NHI9"],
    owaspWhy: "One secret behind several identities is NHI reuse: no attribution, one leak opens all.",
    defaultSeverity: "medium",
  },
  no_active_owner: {
    id: "no_active_owner",
    label: "No active owner",
    description: "An agent, service account, MCP server or credential with no active owner.",
    owasp: ["NHI1"],
    owaspWhy: "Identities whose owners left (or never existed) are what improper offboarding leaves behind.",
    defaultSeverity: "medium",
  },
  agent_inactive_principal: {
    id: "agent_inactive_principal",
    label: "Agent of a departed person",
    description: "An agent acting for, or owned by, a terminated or inactive human.",
    owasp: ["NHI1"],
    owaspWhy: "An agent that keeps a departed person's delegation was not offboarded with them.",
    defaultSeverity: "high",
  },
  uncertified_risky_tool: {
    id: "uncertified_risky_tool",
    label: "Uncertified risky tool",
    description:
      "A destructive or open-world tool (or one without annotations) reachable by an agent whose access to it was never certified, or certified longer ago than the policy allows.",
    owasp: ["NHI5"],
    owaspWhy: "Access to destructive tools that nobody has reviewed is privilege nobody has shown to be needed.",
    defaultSeverity: "high",
  },
  dual_access_path: {
    id: "dual_access_path",
    label: "Dual access paths",
    description: "A principal reaches the same resource both through an MCP server and directly through a credential or entitlement.",
    owasp: ["NHI5"],
    owaspWhy: "A second route to the same resource is privilege beyond what one path grants, and the MCP route escapes the primary IAM review.",
    defaultSeverity: "medium",
  },
  over_broad_reach: {
    id: "over_broad_reach",
    label: "Over-broad reach",
    description: "A principal reaching more high-risk tools or resources than the threshold, or a group or credential with the largest blast radius.",
    owasp: ["NHI5"],
    owaspWhy: "Reach far beyond a threshold, or the widest blast radius, is overprivilege by measure.",
    defaultSeverity: "medium",
  },
  tool_definition_changed: {
    id: "tool_definition_changed",
    label: "Tool changed since certified",
    description: "A tool whose definition (description, schema, annotations) changed since its access was last certified.",
    owasp: ["NHI3"],
    owaspWhy: "A third-party MCP server that changes a tool after approval (a rug pull) is a vulnerable third-party NHI.",
    defaultSeverity: "critical",
  },
  insecure_mcp_server: {
    id: "insecure_mcp_server",
    label: "Insecure MCP server",
    description: "An MCP server reached over plain HTTP, or launched from an unpinned package (npx -y pkg without a version).",
    owasp: ["NHI3", "NHI4"],
    owaspWhy: "An unpinned package runs whatever the third party publishes next (NHI3); plain HTTP sends the server's tokens in clear (NHI4).",
    defaultSeverity: "high",
  },
  unused_high_risk_access: {
    id: "unused_high_risk_access",
    label: "Unused high-risk access",
    description:
      "An agent or service account that can reach high- or critical-risk tools it has not called in 90 days, where gateways' usage data (the decision log, OTLP spans) has covered those tools for longer than that.",
    owasp: ["NHI5"],
    owaspWhy: "Access to dangerous tools that is never exercised is privilege beyond need: removing it costs nothing and shrinks the blast radius.",
    defaultSeverity: "medium",
  },
};

const SEVERITY_RANK: Record<FindingSeverity, number> = { critical: 3, high: 2, medium: 1, low: 0 };
export function severityRank(s: FindingSeverity): number {
  return SEVERITY_RANK[s];
}
