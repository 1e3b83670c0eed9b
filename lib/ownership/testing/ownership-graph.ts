import type { SeedEdge, SeedGraph, SeedNode } from "@/db/seed/graph-doc";
import type { NodeKind } from "@/lib/graph/model";

/**
 * A graph with one example of every ownership situation, for exact answers:
 *
 * people (dir): Maya (manager of Ann, Bob, Ted), Ann, Bob, Leo (on leave), Ted (terminated, manages Ian),
 *   Ian (inactive); groups Team {Ann, Bob}, Parent {Team}, All {Ann, Bob, Maya, Leo}, Ghosts {Ted, Ian}, Hollow {}.
 *
 * | node                | owners                              | counts as          |
 * |---------------------|-------------------------------------|--------------------|
 * | agent agt-owned     | Ann business, Bob technical          | owned, both roles  |
 * | agent agt-ted       | Ted business (acts for Ted)          | orphan: departed   |
 * | agent agt-none      | — (acts for Ann, uses cred-hard)      | orphan: no owner   |
 * | sa sa-ghost         | Ghosts                               | orphan: empty group|
 * | sa sa-parent        | Parent technical (Team nested)       | owned              |
 * | sa sa-leave         | Leo business                         | owned              |
 * | mcp mcp-srv (cfg)   | Ann business, Bob technical          | owned, both roles  |
 * | tool t-read (disc)  | inherits mcp-srv                     | owned, both roles  |
 * | tool t-own (disc)   | Ted technical (own owner: no inheritance) | orphan: departed |
 * | mcp mcp-orphan (cfg)| — (Ann and Bob connect to it)        | orphan: no owner   |
 * | tool t-del (disc)   | — (inherits nothing from mcp-orphan) | orphan: no owner   |
 * | cred cred-hard      | — (hard-coded, for res-db)           | orphan: no owner   |
 * | cred cred-vault     | Ian business, Hollow technical       | orphan: both rules |
 * | res res-db          | Ann business                         | owned              |
 * | ent ent-x (dir)     | — (attribute owner: bob@example.com) | orphan: no owner   |
 *
 * 15 ownable nodes, 6 owned, 3 with business and technical owners.
 */
export function ownershipGraph(): SeedGraph {
  const nodes: SeedNode[] = [];
  const edges: SeedEdge[] = [];
  const where = new Map<string, { source: string; kind: NodeKind }>();
  const node = (source: string, kind: NodeKind, externalId: string, name: string, attributes: Record<string, unknown> = {}) => {
    nodes.push({ source, kind, externalId, name, attributes });
    where.set(externalId, { source, kind });
  };
  const edge = (kind: SeedEdge["kind"], from: string, to: string, attributes?: Record<string, unknown>) => {
    const f = where.get(from)!;
    const t = where.get(to)!;
    edges.push({
      source: f.source,
      kind,
      from: { kind: f.kind, externalId: from, source: f.source },
      to: { kind: t.kind, externalId: to, source: t.source },
      ...(attributes ? { attributes } : {}),
    });
  };
  const person = (id: string, name: string, status: string) => node("dir", "human", id, name, { email: `${id}@example.com`, status });

  person("maya", "Maya Manager", "active");
  person("ann", "Ann Active", "active");
  person("bob", "Bob Builder", "active");
  person("leo", "Leo Leave", "leave");
  person("ted", "Ted Terminated", "terminated");
  person("ian", "Ian Inactive", "inactive");
  for (const [id, name] of [
    ["team", "Team"],
    ["parent", "Parent"],
    ["all", "All"],
    ["ghosts", "Ghosts"],
    ["hollow", "Hollow"],
  ])
    node("dir", "group", id!, name!);
  for (const m of ["ann", "bob"]) edge("member_of", m, "team");
  edge("member_of", "team", "parent");
  for (const m of ["ann", "bob", "maya", "leo"]) edge("member_of", m, "all");
  for (const m of ["ted", "ian"]) edge("member_of", m, "ghosts");
  for (const r of ["ann", "bob", "ted"]) edge("manages", "maya", r);
  edge("manages", "ted", "ian");

  node("reg", "agent", "agt-owned", "Owned agent", { autonomy: "assistive" });
  node("reg", "agent", "agt-ted", "Ted's agent", { autonomy: "supervised" });
  node("reg", "agent", "agt-none", "Unowned agent", { autonomy: "autonomous" });
  node("reg", "service_account", "sa-ghost", "ghost-sa");
  node("reg", "service_account", "sa-parent", "parent-sa");
  node("reg", "service_account", "sa-leave", "leave-sa");
  node("cfg", "mcp_server", "mcp-srv", "Owned server");
  node("cfg", "mcp_server", "mcp-orphan", "Orphan server", { transport: "http", url: "http://sandbox:3001/mcp", tls: false });
  node("disc", "tool", "t-read", "read_things", { annotations: { readOnlyHint: true } });
  node("disc", "tool", "t-own", "own_things", { annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false } });
  node("disc", "tool", "t-del", "delete_things", { annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true } });
  node("reg", "credential", "cred-hard", "Hard-coded password", { storage: "hard_coded" });
  node("reg", "credential", "cred-vault", "Vaulted key", { storage: "vault" });
  node("reg", "resource", "res-db", "Orders database", { dataClassification: "restricted" });
  node("dir", "entitlement", "ent-x", "Admin role", { owner: "bob@example.com", privileged: true });

  edge("owns", "ann", "agt-owned", { role: "business" });
  edge("owns", "bob", "agt-owned", { role: "technical" });
  edge("owns", "ted", "agt-ted", { role: "business" });
  edge("acts_for", "agt-ted", "ted");
  edge("acts_for", "agt-none", "ann");
  edge("uses_credential", "agt-none", "cred-hard");
  edge("credential_for", "cred-hard", "res-db");
  edge("connects_to", "agt-none", "mcp-orphan");
  edge("owns", "ghosts", "sa-ghost", { role: "business" });
  edge("owns", "parent", "sa-parent", { role: "technical" });
  edge("owns", "leo", "sa-leave", { role: "business" });
  edge("owns", "ann", "mcp-srv", { role: "business" });
  edge("owns", "bob", "mcp-srv", { role: "technical" });
  edge("exposes", "mcp-srv", "t-read");
  edge("exposes", "mcp-srv", "t-own");
  edge("owns", "ted", "t-own", { role: "technical" });
  edge("exposes", "mcp-orphan", "t-del");
  edge("acts_on", "t-del", "res-db");
  edge("connects_to", "ann", "mcp-orphan");
  edge("connects_to", "bob", "mcp-orphan");
  edge("owns", "ian", "cred-vault", { role: "business" });
  edge("owns", "hollow", "cred-vault", { role: "technical" });
  edge("owns", "ann", "res-db", { role: "business" });

  return {
    sources: [
      { name: "dir", type: "directory", description: "directory" },
      { name: "reg", type: "manual", description: "registry" },
      { name: "cfg", type: "mcp_config", description: "MCP configs" },
      { name: "disc", type: "mcp_discovery", description: "discovery" },
    ],
    nodes,
    edges,
    users: [
      { email: "admin@example.com", name: "Admin Person", password: "pw-admin", roles: ["admin"], description: "admin" },
      { email: "ana@example.com", name: "Ana Lyst", password: "pw-ana", roles: ["analyst"], description: "analyst" },
      {
        email: "ann@example.com",
        name: "Ann Active",
        password: "pw-ann",
        roles: ["reviewer"],
        humanExternalId: "ann",
        description: "reviewer who owns things",
      },
      { email: "audit@example.com", name: "Audrey Auditor", password: "pw-audit", roles: ["auditor"], description: "auditor" },
    ],
  };
}
