import type { SeedGraph } from "@/db/seed/graph-doc";

/**
 * A small graph with every edge kind, for tests that need exact answers:
 * ada (human) ∈ eng (group) → has ent-gh → grants github-mcp → exposes create_issue → acts on repo;
 * bot (agent) acts for ada, connects to github-mcp, uses cred-pat → credential for repo.
 */
export function smallGraph(): SeedGraph {
  return {
    sources: [
      { name: "okta", type: "directory", description: "directory" },
      { name: "mcp", type: "mcp_config", description: "MCP configs" },
    ],
    nodes: [
      {
        source: "okta",
        kind: "human",
        externalId: "00u1",
        name: "Ada Lovelace",
        attributes: { email: "ada@example.com", status: "active", department: "Engineering" },
      },
      { source: "okta", kind: "human", externalId: "00u2", name: "Grace Hopper", attributes: { email: "grace@example.com", status: "terminated" } },
      { source: "okta", kind: "human", externalId: "00u3", name: "50% Done_Person", attributes: { email: "pct@example.com", status: "leave" } },
      { source: "okta", kind: "group", externalId: "g-eng", name: "Engineering" },
      { source: "okta", kind: "entitlement", externalId: "ent-gh", name: "GitHub MCP use" },
      {
        source: "mcp",
        kind: "mcp_server",
        externalId: "github-mcp",
        name: "github-mcp",
        attributes: { transport: "stdio", command: "npx", args: ["-y", "@modelcontextprotocol/server-github"] },
      },
      { source: "mcp", kind: "tool", externalId: "github-mcp/create_issue", name: "create_issue", attributes: { risk: "high" } },
      { source: "mcp", kind: "resource", externalId: "repo", name: "repo northwind/platform" },
      { source: "mcp", kind: "agent", externalId: "bot", name: "Triage bot", attributes: { status: "active" } },
      { source: "mcp", kind: "credential", externalId: "cred-pat", name: "GitHub PAT", attributes: { storage: "hard_coded", fingerprint: "sha256:00" } },
      { source: "mcp", kind: "service_account", externalId: "ci", name: "ci-deployer", attributes: { status: "active" } },
    ],
    edges: [
      { source: "okta", kind: "member_of", from: { kind: "human", externalId: "00u1" }, to: { kind: "group", externalId: "g-eng" } },
      { source: "okta", kind: "has_entitlement", from: { kind: "group", externalId: "g-eng" }, to: { kind: "entitlement", externalId: "ent-gh" } },
      {
        source: "okta",
        kind: "grants",
        from: { kind: "entitlement", externalId: "ent-gh" },
        to: { kind: "mcp_server", externalId: "github-mcp", source: "mcp" },
      },
      { source: "mcp", kind: "exposes", from: { kind: "mcp_server", externalId: "github-mcp" }, to: { kind: "tool", externalId: "github-mcp/create_issue" } },
      { source: "mcp", kind: "acts_on", from: { kind: "tool", externalId: "github-mcp/create_issue" }, to: { kind: "resource", externalId: "repo" } },
      { source: "mcp", kind: "acts_for", from: { kind: "agent", externalId: "bot" }, to: { kind: "human", externalId: "00u1", source: "okta" } },
      { source: "mcp", kind: "connects_to", from: { kind: "agent", externalId: "bot" }, to: { kind: "mcp_server", externalId: "github-mcp" } },
      { source: "mcp", kind: "uses_credential", from: { kind: "agent", externalId: "bot" }, to: { kind: "credential", externalId: "cred-pat" } },
      { source: "mcp", kind: "uses_credential", from: { kind: "service_account", externalId: "ci" }, to: { kind: "credential", externalId: "cred-pat" } },
      { source: "mcp", kind: "credential_for", from: { kind: "credential", externalId: "cred-pat" }, to: { kind: "resource", externalId: "repo" } },
      {
        source: "okta",
        kind: "owns",
        from: { kind: "human", externalId: "00u1" },
        to: { kind: "agent", externalId: "bot", source: "mcp" },
        attributes: { role: "technical" },
      },
      {
        source: "okta",
        kind: "owns",
        from: { kind: "human", externalId: "00u2" },
        to: { kind: "credential", externalId: "cred-pat", source: "mcp" },
        attributes: { role: "business" },
      },
      { source: "okta", kind: "manages", from: { kind: "human", externalId: "00u1" }, to: { kind: "human", externalId: "00u3" } },
    ],
    users: [
      { email: "admin@example.com", name: "Admin Person", password: "pw-admin", roles: ["admin"], description: "admin" },
      { email: "ada@example.com", name: "Ada Lovelace", password: "pw-ada", roles: ["reviewer"], humanExternalId: "00u1", description: "reviewer" },
      { email: "audit@example.com", name: "Audrey Auditor", password: "pw-audit", roles: ["auditor"], description: "auditor" },
      { email: "ana@example.com", name: "Ana Lyst", password: "pw-ana", roles: ["analyst"], description: "analyst" },
    ],
  };
}
