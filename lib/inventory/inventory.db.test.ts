import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "@/db/rows";
import { findings, findingToolDefinitions, nodes } from "@/db/schema";
import type { SeedGraph } from "@/db/seed/graph-doc";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { newId } from "@/lib/ids";
import { riskOfToolAttributes } from "@/lib/graph/tool-risk";
import { toolRiskLevelSql } from "@/lib/graph/tool-risk-sql";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { getMcpServerDetail } from "./mcp-server-detail";
import { listMcpServerTable } from "./mcp-servers";
import { listNodeTable } from "./node-table";

/*
 * Servers named so that text order and natural order differ ("server 10" vs "Server 9"),
 * with known tool risks, connecting agents, owners and findings.
 */
const tool = (server: string, name: string, attributes: Record<string, unknown>) => ({
  source: "mcp",
  kind: "tool" as const,
  externalId: `${server}/${name}`,
  name,
  attributes,
});
const exposes = (server: string, name: string) => ({
  source: "mcp",
  kind: "exposes" as const,
  from: { kind: "mcp_server" as const, externalId: server },
  to: { kind: "tool" as const, externalId: `${server}/${name}` },
});
const connects = (agent: string, server: string) => ({
  source: "mcp",
  kind: "connects_to" as const,
  from: { kind: "agent" as const, externalId: agent },
  to: { kind: "mcp_server" as const, externalId: server },
});

function graph(): SeedGraph {
  const agents = ["agent 0", "agent 1", "agent 2", "agent 9", "agent 10", "agent 100"];
  return {
    sources: [
      { name: "okta", type: "directory", description: "directory" },
      { name: "mcp", type: "mcp_config", description: "MCP configs" },
    ],
    nodes: [
      { source: "okta", kind: "human", externalId: "u-ada", name: "Ada Owner", attributes: { email: "ada@example.com", status: "active" } },
      { source: "okta", kind: "human", externalId: "u-zed", name: "Zed Owner", attributes: { email: "zed@example.com", status: "active" } },
      { source: "okta", kind: "human", externalId: "u-gone", name: "Gone Person", attributes: { email: "gone@example.com", status: "terminated" } },
      { source: "mcp", kind: "mcp_server", externalId: "s1", name: "server 1", attributes: { transport: "stdio", command: "npx", args: ["-y", "srv-one"] } },
      { source: "mcp", kind: "mcp_server", externalId: "s2", name: "server 2", attributes: { transport: "http", url: "https://two.example.com/mcp" } },
      {
        source: "mcp",
        kind: "mcp_server",
        externalId: "s9",
        name: "Server 9",
        attributes: { transport: "http", url: "http://nine.example.com/mcp", version: "1.2.0" },
      },
      { source: "mcp", kind: "mcp_server", externalId: "s10", name: "server 10", attributes: {} },
      tool("s1", "read_a", { annotations: { readOnlyHint: true } }),
      tool("s2", "read_b", { risk: "low", riskReasonCode: "read_only" }),
      tool("s2", "write_b", { annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false } }),
      tool("s9", "delete_c", { annotations: { destructiveHint: true }, description: "Deletes everything" }),
      tool("s9", "list_c", { annotations: { readOnlyHint: true } }),
      tool("s9", "mystery_c", {}),
      ...agents.map((a) => ({
        source: "mcp",
        kind: "agent" as const,
        externalId: a,
        name: a,
        attributes: { status: a === "agent 2" ? "inactive" : "active" },
      })),
      {
        source: "mcp",
        kind: "credential",
        externalId: "cred-9",
        name: "nine token",
        attributes: { storage: "hard_coded", fingerprint: "sha256:abcd", location: "~/secret/path.json" },
      },
    ],
    edges: [
      exposes("s1", "read_a"),
      exposes("s2", "read_b"),
      exposes("s2", "write_b"),
      exposes("s9", "delete_c"),
      exposes("s9", "list_c"),
      exposes("s9", "mystery_c"),
      connects("agent 0", "s9"),
      connects("agent 1", "s9"),
      connects("agent 10", "s9"),
      connects("agent 1", "s2"),
      { source: "mcp", kind: "uses_credential", from: { kind: "mcp_server", externalId: "s9" }, to: { kind: "credential", externalId: "cred-9" } },
      {
        source: "okta",
        kind: "owns",
        from: { kind: "human", externalId: "u-zed" },
        to: { kind: "mcp_server", externalId: "s1", source: "mcp" },
        attributes: { role: "technical" },
      },
      {
        source: "okta",
        kind: "owns",
        from: { kind: "human", externalId: "u-ada" },
        to: { kind: "mcp_server", externalId: "s9", source: "mcp" },
        attributes: { role: "business" },
      },
      {
        source: "okta",
        kind: "owns",
        from: { kind: "human", externalId: "u-gone" },
        to: { kind: "mcp_server", externalId: "s2", source: "mcp" },
        attributes: { role: "business" },
      },
      {
        source: "okta",
        kind: "owns",
        from: { kind: "human", externalId: "u-ada" },
        to: { kind: "agent", externalId: "agent 9", source: "mcp" },
        attributes: { role: "technical" },
      },
    ],
    users: [
      { email: "ana@example.com", name: "Ana Lyst", password: "pw-ana", roles: ["analyst"], description: "analyst" },
      { email: "rev@example.com", name: "Rev Iewer", password: "pw-rev", roles: ["reviewer"], description: "reviewer" },
    ],
  };
}

let t: TestDatabase;
let analyst: Actor;
let reviewer: Actor;
const ids = new Map<string, string>();

async function addFinding(
  subject: string,
  severity: "critical" | "high" | "medium" | "low",
  status: "open" | "resolved" = "open",
  rule: "insecure_mcp_server" | "tool_definition_changed" | "no_active_owner" = "insecure_mcp_server",
) {
  const now = new Date();
  const [n] = await t.db
    .select()
    .from(nodes)
    .where(eq(nodes.id, ids.get(subject)!));
  await t.db.insert(findings).values({
    id: newId("fnd"),
    rule,
    key: `${rule}:${subject}:${severity}:${status}`,
    subjectId: n!.id,
    subjectKind: n!.kind,
    subjectName: n!.name,
    severity,
    title: `${severity} about ${subject}`,
    evidence: { nodes: [n!.id], edges: [], attributes: [] } as never,
    fingerprint: "x",
    status,
    firstSeenAt: now,
    lastSeenAt: now,
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, graph());
  for (const n of await t.db.select({ id: nodes.id, name: nodes.name }).from(nodes)) ids.set(n.name, n.id);
  analyst = await actorByEmail(t, "ana@example.com");
  reviewer = await actorByEmail(t, "rev@example.com");
  await addFinding("Server 9", "high");
  await addFinding("delete_c", "critical", "open", "tool_definition_changed");
  await addFinding("server 2", "medium");
  await addFinding("server 2", "critical", "resolved");
  await addFinding("agent 9", "low");
  const at = new Date();
  await t.db.insert(findingToolDefinitions).values([
    { id: newId("ftd"), toolId: ids.get("delete_c")!, definitionHash: "sha256:old", firstSeenAt: at },
    { id: newId("ftd"), toolId: ids.get("delete_c")!, definitionHash: "sha256:new", firstSeenAt: at },
    { id: newId("ftd"), toolId: ids.get("list_c")!, definitionHash: "sha256:only", firstSeenAt: at },
  ]);
});
afterAll(() => t.cleanup());

const names = (page: { items: { name: string }[] }) => page.items.map((i) => i.name);

describe("MCP server table", () => {
  it("sorts names in natural order, case-insensitively, both ways", async () => {
    expect(names(await listMcpServerTable(t.db, analyst))).toEqual(["server 1", "server 2", "Server 9", "server 10"]);
    expect(names(await listMcpServerTable(t.db, analyst, { sort: "name", dir: "desc" }))).toEqual(["server 10", "Server 9", "server 2", "server 1"]);
  });

  it("counts tools, connecting principals and open findings of the server and its tools, and takes the riskiest tool's risk", async () => {
    const page = await listMcpServerTable(t.db, analyst);
    const row = (n: string) => page.items.find((i) => i.name === n)!;
    expect(row("Server 9")).toMatchObject({ tools: 3, agents: 3, risk: "critical", findings: 2, endpoint: "http://nine.example.com/mcp", transport: "http" });
    expect(row("server 2")).toMatchObject({ tools: 2, agents: 1, risk: "medium", findings: 1 });
    expect(row("server 1")).toMatchObject({ tools: 1, agents: 0, risk: "low", findings: 0, endpoint: "npx -y srv-one" });
    expect(row("server 10")).toMatchObject({ tools: 0, risk: null });
    expect(row("server 1").owner).toMatchObject({ first: { name: "Zed Owner", active: true }, active: 1 });
    expect(row("server 2").owner).toMatchObject({ first: { name: "Gone Person", active: false }, active: 0 });
    expect(row("server 10").owner.first).toBeNull();
  });

  it("sorts by each column on the server, ties by natural name", async () => {
    const by = async (sort: string, dir?: string) =>
      names(await listMcpServerTable(t.db, analyst, { sort: sort as never, ...(dir ? { dir: dir as never } : {}) }));
    expect(await by("tools")).toEqual(["Server 9", "server 2", "server 1", "server 10"]);
    expect(await by("tools", "asc")).toEqual(["server 10", "server 1", "server 2", "Server 9"]);
    expect(await by("agents")).toEqual(["Server 9", "server 2", "server 1", "server 10"]);
    expect(await by("risk")).toEqual(["Server 9", "server 2", "server 1", "server 10"]);
    expect(await by("findings")).toEqual(["Server 9", "server 2", "server 1", "server 10"]);
    // By the first owner's name; servers nobody owns last either way.
    expect(await by("owner")).toEqual(["Server 9", "server 2", "server 1", "server 10"]);
    expect(await by("owner", "desc")).toEqual(["server 1", "server 2", "Server 9", "server 10"]);
  });

  it("filters by risk and search, and counts servers per risk for the chips", async () => {
    const critical = await listMcpServerTable(t.db, analyst, { risk: "critical" });
    expect(names(critical)).toEqual(["Server 9"]);
    expect(critical.total).toBe(1);
    expect(critical.byRisk).toEqual({ critical: 1, high: 0, medium: 1, low: 1, none: 1 });
    expect(names(await listMcpServerTable(t.db, analyst, { risk: "none" }))).toEqual(["server 10"]);
    expect(names(await listMcpServerTable(t.db, analyst, { q: "two.example" }))).toEqual(["server 2"]);
    expect(names(await listMcpServerTable(t.db, analyst, { q: "SERVER 1" }))).toEqual(["server 1", "server 10"]);
  });

  it("pages with cursors both ways and keeps the totals past the end", async () => {
    const first = await listMcpServerTable(t.db, analyst, { limit: "3" });
    expect(names(first)).toEqual(["server 1", "server 2", "Server 9"]);
    expect(first).toMatchObject({ total: 4, offset: 0, prevCursor: null });
    const second = await listMcpServerTable(t.db, analyst, { limit: "3", cursor: first.nextCursor! });
    expect(names(second)).toEqual(["server 10"]);
    expect(second).toMatchObject({ total: 4, offset: 3, nextCursor: null });
    expect(names(await listMcpServerTable(t.db, analyst, { limit: "3", cursor: second.prevCursor! }))).toEqual(names(first));
    const past = await listMcpServerTable(t.db, analyst, {
      limit: "3",
      cursor: second.nextCursor ?? Buffer.from(JSON.stringify({ o: 9 })).toString("base64url"),
    });
    expect(past.items).toEqual([]);
    expect(past.total).toBe(4);
  });

  it("refuses a reviewer, and names the bad parameter", async () => {
    await expect(listMcpServerTable(t.db, reviewer)).rejects.toMatchObject({ code: "forbidden" });
    await expect(listMcpServerTable(t.db, analyst, { sort: "color" as never })).rejects.toMatchObject({ code: "validation", details: [{ path: "sort" }] });
    await expect(listMcpServerTable(t.db, analyst, { cursor: "nope" })).rejects.toMatchObject({ code: "validation", details: [{ path: "cursor" }] });
  });
});

describe("MCP server page", () => {
  it("shows tools with risk in words, the changed definition, who connects, credentials by fingerprint and storage, owners and findings", async () => {
    const d = await getMcpServerDetail(t.db, analyst, ids.get("Server 9")!);
    expect(d.server).toMatchObject({ name: "Server 9", transport: "http", version: "1.2.0", current: true });
    expect(d.facts).toContainEqual({ label: "URL", value: "http://nine.example.com/mcp" });
    expect(d.tools.map((x) => [x.name, x.risk.risk, x.definitionChanged])).toEqual([
      ["delete_c", "critical", true],
      ["mystery_c", "high", false],
      ["list_c", "low", false],
    ]);
    expect(d.tools[0]!.risk.reason).toContain("destructive");
    expect(d.tools[0]!.changeFindingId).toMatch(/^fnd_/);
    expect(d.agents.map((a) => a.name)).toEqual(["agent 0", "agent 1", "agent 10"]);
    expect(d.agentTotal).toBe(3);
    expect(d.credentials).toEqual([
      {
        id: ids.get("nine token"),
        name: "nine token",
        relation: "uses",
        type: null,
        storage: "hard_coded",
        fingerprint: "sha256:abcd",
        expiresAt: null,
        lastRotatedAt: null,
      },
    ]);
    expect(JSON.stringify(d.credentials)).not.toContain("secret/path");
    expect(d.owners.map((o) => o.owner.name)).toEqual(["Ada Owner"]);
    expect(d.findings.map((f) => f.severity)).toEqual(["critical", "high"]);
  });

  it("answers not found for another kind of node or an unknown id, and forbidden to a reviewer", async () => {
    await expect(getMcpServerDetail(t.db, analyst, ids.get("agent 1")!)).rejects.toMatchObject({ code: "not_found" });
    const s9 = ids.get("Server 9")!;
    await expect(getMcpServerDetail(t.db, analyst, `${s9.slice(0, -1)}${s9.endsWith("0") ? "1" : "0"}`)).rejects.toMatchObject({ code: "not_found" });
    await expect(getMcpServerDetail(t.db, reviewer, ids.get("Server 9")!)).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("node table", () => {
  it("sorts names naturally: agent 9 before agent 10", async () => {
    expect(names(await listNodeTable(t.db, analyst, { kind: "agent" }))).toEqual(["agent 0", "agent 1", "agent 2", "agent 9", "agent 10", "agent 100"]);
    expect(names(await listNodeTable(t.db, analyst, { kind: "agent", dir: "desc" }))).toEqual([
      "agent 100",
      "agent 10",
      "agent 9",
      "agent 2",
      "agent 1",
      "agent 0",
    ]);
  });

  it("filters by kind, status, source and search, with the total", async () => {
    const inactive = await listNodeTable(t.db, analyst, { kind: "agent", status: "inactive" });
    expect(names(inactive)).toEqual(["agent 2"]);
    expect(inactive.total).toBe(1);
    expect((await listNodeTable(t.db, analyst, { source: "okta" })).total).toBe(3);
    expect((await listNodeTable(t.db, analyst, { source: "no such source" })).total).toBe(0);
    expect(names(await listNodeTable(t.db, analyst, { q: "zed@" }))).toEqual(["Zed Owner"]);
  });

  it("sorts by open findings, risk (worst open finding), owner and kind, and shows them", async () => {
    const byFindings = await listNodeTable(t.db, analyst, { sort: "findings", limit: "4" });
    expect(names(byFindings)).toEqual(["agent 9", "delete_c", "server 2", "Server 9"]);
    expect(byFindings.items.map((i) => [i.findings, i.risk])).toEqual([
      [1, "low"],
      [1, "critical"],
      [1, "medium"],
      [1, "high"],
    ]);
    expect(names(await listNodeTable(t.db, analyst, { sort: "risk", limit: "4" }))).toEqual(["delete_c", "Server 9", "server 2", "agent 9"]);
    const byOwner = await listNodeTable(t.db, analyst, { sort: "owner", kind: "tool" });
    // Tools have no owners of their own: they sort and show by their server's (Ada for Server 9's, Gone for server 2's, Zed for server 1's).
    expect(names(byOwner)).toEqual(["delete_c", "list_c", "mystery_c", "read_b", "write_b", "read_a"]);
    expect(byOwner.items[0]!.owner).toMatchObject({ first: { name: "Ada Owner" }, inherited: true });
    const kinds = (await listNodeTable(t.db, analyst, { sort: "kind", limit: "200" })).items.map((i) => i.kind);
    expect(kinds).toEqual([...kinds].sort());
  });

  it("pages with cursors and refuses a reviewer", async () => {
    const first = await listNodeTable(t.db, analyst, { kind: "agent", limit: "4" });
    const second = await listNodeTable(t.db, analyst, { kind: "agent", limit: "4", cursor: first.nextCursor! });
    expect(names(second)).toEqual(["agent 10", "agent 100"]);
    expect(second).toMatchObject({ total: 6, offset: 4, nextCursor: null });
    await expect(listNodeTable(t.db, reviewer)).rejects.toMatchObject({ code: "forbidden" });
    await expect(listNodeTable(t.db, analyst, { status: "gone" as never })).rejects.toMatchObject({ code: "validation", details: [{ path: "status" }] });
  });
});

describe("tool risk in SQL", () => {
  it("gives the level riskOfToolAttributes gives, for every combination of hints and for stored risks", async () => {
    const values = [undefined, true, false, "yes"];
    const cases: Record<string, unknown>[] = [
      {},
      { annotations: null },
      { annotations: [] },
      { annotations: { title: "x" } },
      { risk: "critical" },
      { risk: "bogus", annotations: { readOnlyHint: true } },
    ];
    for (const readOnlyHint of values)
      for (const destructiveHint of values)
        for (const openWorldHint of values) {
          const ann: Record<string, unknown> = {};
          if (readOnlyHint !== undefined) ann.readOnlyHint = readOnlyHint;
          if (destructiveHint !== undefined) ann.destructiveHint = destructiveHint;
          if (openWorldHint !== undefined) ann.openWorldHint = openWorldHint;
          cases.push({ annotations: ann });
        }
    const found = await rows<{ i: number; level: string }>(
      t.db,
      sql`select i::int as i, ${toolRiskLevelSql(sql`a`)} as level from jsonb_array_elements(${JSON.stringify(cases)}::jsonb) with ordinality as c(a, i)`,
    );
    expect(found.map((r) => r.level)).toEqual(cases.map((c) => riskOfToolAttributes(c).risk));
  });
});
