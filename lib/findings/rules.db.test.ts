import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { evaluateFindings } from "./evaluate";
import { updateFindingSettings } from "./settings";
import { baseGraph, certify, DAY, daysFromNow, findingsOf, importDoc, nodeId } from "./test-graphs";

/**
 * Each rule on a small graph of its own (one source per rule, imported through
 * the import engine, which evaluates findings after it commits): a node that
 * breaks the rule and a near miss that does not.
 */
let t: TestDatabase;
let analyst: Actor;
let admin: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, baseGraph());
  analyst = await actorByEmail(t, "ana@example.com");
  admin = await actorByEmail(t, "admin@example.com");
});
afterAll(() => t.cleanup());
afterEach(async () => {
  await updateFindingSettings(t.db, admin, {});
});

const hr = (externalId: string) => ({ kind: "human" as const, externalId, source: "hr" });

describe("hard-coded secrets (NHI2)", () => {
  it("flags a credential hard-coded or in a config file, not one in a vault", async () => {
    await importDoc(t.db, analyst, {
      source: "r1",
      nodes: [
        {
          kind: "credential",
          externalId: "pat",
          name: "PAT in a config",
          attributes: { storage: "hard_coded", location: "claude_desktop_config.json → mcpServers.github.env.TOKEN" },
        },
        { kind: "credential", externalId: "aws", name: "AWS key on disk", attributes: { storage: "config_file" } },
        { kind: "credential", externalId: "vaulted", name: "Vaulted key", attributes: { storage: "vault" } },
      ],
      edges: [],
    });
    const [pat, aws, vaulted] = await Promise.all(["pat", "aws", "vaulted"].map((x) => nodeId(t.db, "r1", "credential", x)));
    const found = await findingsOf(t.db, "hardcoded_secret", [pat!, aws!, vaulted!]);
    expect(found.map((f) => f.subjectId).sort()).toEqual([pat, aws].sort());
    const f = found.find((x) => x.subjectId === pat)!;
    expect(f.severity).toBe("critical");
    expect(f.title).toContain("hard-coded");
    expect(f.evidence.attributes).toContainEqual({ node: pat, key: "storage", value: "hard_coded" });
  });
});

describe("credential rotation (NHI7)", () => {
  it("flags expired, never-expiring and overdue credentials, not a fresh one with an expiry", async () => {
    await importDoc(t.db, analyst, {
      source: "r2",
      nodes: [
        {
          kind: "credential",
          externalId: "expired",
          name: "Expired",
          attributes: { storage: "vault", lastRotatedAt: daysFromNow(-10), expiresAt: daysFromNow(-1) },
        },
        { kind: "credential", externalId: "forever", name: "Forever", attributes: { storage: "vault", lastRotatedAt: daysFromNow(-10) } },
        { kind: "credential", externalId: "old", name: "Old", attributes: { storage: "vault", issuedAt: daysFromNow(-200), expiresAt: daysFromNow(100) } },
        {
          kind: "credential",
          externalId: "fresh",
          name: "Fresh",
          attributes: { storage: "vault", issuedAt: daysFromNow(-200), lastRotatedAt: daysFromNow(-30), expiresAt: daysFromNow(60) },
        },
      ],
      edges: [],
    });
    const ids = await Promise.all(["expired", "forever", "old", "fresh"].map((x) => nodeId(t.db, "r2", "credential", x)));
    const found = await findingsOf(t.db, "credential_rotation", ids);
    const reasons = new Map(found.map((f) => [f.subjectId, f.evidence.facts.reasons]));
    expect(reasons.get(ids[0]!)).toEqual(["expired"]);
    expect(reasons.get(ids[1]!)).toEqual(["no_expiry"]);
    expect(reasons.get(ids[2]!)).toEqual(["rotation_overdue"]);
    expect(reasons.has(ids[3]!)).toBe(false);
  });

  it("follows the configured rotation policy", async () => {
    const fresh = await nodeId(t.db, "r2", "credential", "fresh");
    await updateFindingSettings(t.db, admin, { rotationDays: 20 });
    await evaluateFindings(t.db, analyst);
    expect((await findingsOf(t.db, "credential_rotation", [fresh]))[0]?.status).toBe("open");
  });
});

describe("shared credentials (NHI9)", () => {
  it("flags a credential used by an agent and a service account, not one used by one identity", async () => {
    await importDoc(t.db, analyst, {
      source: "r3",
      nodes: [
        { kind: "agent", externalId: "bot", name: "Bot" },
        { kind: "service_account", externalId: "ci", name: "CI" },
        { kind: "credential", externalId: "shared", name: "Shared token", attributes: { storage: "vault" } },
        { kind: "credential", externalId: "own", name: "Own token", attributes: { storage: "vault" } },
      ],
      edges: [
        { kind: "uses_credential", from: { kind: "agent", externalId: "bot" }, to: { kind: "credential", externalId: "shared" } },
        { kind: "uses_credential", from: { kind: "service_account", externalId: "ci" }, to: { kind: "credential", externalId: "shared" } },
        { kind: "uses_credential", from: { kind: "service_account", externalId: "ci" }, to: { kind: "credential", externalId: "own" } },
      ],
    });
    const [shared, own] = await Promise.all(["shared", "own"].map((x) => nodeId(t.db, "r3", "credential", x)));
    const found = await findingsOf(t.db, "shared_credential", [shared!, own!]);
    expect(found.map((f) => f.subjectId)).toEqual([shared]);
    expect(found[0]!.evidence.edges.filter((e) => e.kind === "uses_credential")).toHaveLength(2);
  });
});

describe("no active owner (NHI1)", () => {
  it("flags no owner, departed owners and an emptied owner group; not an active owner or a group with an active member", async () => {
    await importDoc(t.db, analyst, {
      source: "r4",
      nodes: [
        { kind: "agent", externalId: "orphan", name: "Orphan agent" },
        { kind: "service_account", externalId: "left", name: "Owned by leavers" },
        { kind: "mcp_server", externalId: "ghost", name: "Owned by an empty group" },
        { kind: "credential", externalId: "owned", name: "Owned credential", attributes: { storage: "vault" } },
        { kind: "service_account", externalId: "team", name: "Owned by a team" },
        { kind: "agent", externalId: "onleave", name: "Owned by someone on leave" },
      ],
      edges: [
        { kind: "owns", from: hr("tom"), to: { kind: "service_account", externalId: "left" }, attributes: { role: "technical" } },
        { kind: "owns", from: hr("ina"), to: { kind: "service_account", externalId: "left" }, attributes: { role: "business" } },
        {
          kind: "owns",
          from: { kind: "group", externalId: "ghosts", source: "hr" },
          to: { kind: "mcp_server", externalId: "ghost" },
          attributes: { role: "technical" },
        },
        { kind: "owns", from: hr("ada"), to: { kind: "credential", externalId: "owned" }, attributes: { role: "business" } },
        {
          kind: "owns",
          from: { kind: "group", externalId: "team", source: "hr" },
          to: { kind: "service_account", externalId: "team" },
          attributes: { role: "technical" },
        },
        { kind: "owns", from: hr("lee"), to: { kind: "agent", externalId: "onleave" }, attributes: { role: "business" } },
      ],
    });
    const id = (kind: "agent" | "service_account" | "mcp_server" | "credential", x: string) => nodeId(t.db, "r4", kind, x);
    const [orphan, left, ghost, owned, team, onleave] = await Promise.all([
      id("agent", "orphan"),
      id("service_account", "left"),
      id("mcp_server", "ghost"),
      id("credential", "owned"),
      id("service_account", "team"),
      id("agent", "onleave"),
    ]);
    const found = await findingsOf(t.db, "no_active_owner", [orphan, left, ghost, owned, team, onleave]);
    const reasons = new Map(found.map((f) => [f.subjectId, f.evidence.facts.reasons]));
    expect(reasons.get(orphan)).toEqual(["no_owner"]);
    expect(reasons.get(left)).toEqual(["inactive_owners"]);
    expect(reasons.get(ghost)).toEqual(["empty_owner_group"]);
    expect([...reasons.keys()].sort()).toEqual([orphan, left, ghost].sort());
    expect(found.find((f) => f.subjectId === left)!.evidence.edges).toHaveLength(2);
  });
});

describe("agents of departed people (NHI1)", () => {
  it("flags an agent acting for a terminated person or owned by an inactive one, not one acting for someone on leave", async () => {
    await importDoc(t.db, analyst, {
      source: "r5",
      nodes: [
        { kind: "agent", externalId: "a-term", name: "Acts for Tom" },
        { kind: "agent", externalId: "a-inactive", name: "Owned by Ina" },
        { kind: "agent", externalId: "a-leave", name: "Acts for Lee" },
      ],
      edges: [
        { kind: "acts_for", from: { kind: "agent", externalId: "a-term" }, to: hr("tom") },
        { kind: "owns", from: hr("ina"), to: { kind: "agent", externalId: "a-inactive" }, attributes: { role: "business" } },
        { kind: "owns", from: hr("ada"), to: { kind: "agent", externalId: "a-inactive" }, attributes: { role: "technical" } },
        { kind: "acts_for", from: { kind: "agent", externalId: "a-leave" }, to: hr("lee") },
      ],
    });
    const ids = await Promise.all(["a-term", "a-inactive", "a-leave"].map((x) => nodeId(t.db, "r5", "agent", x)));
    const found = await findingsOf(t.db, "agent_inactive_principal", ids);
    expect(found.map((f) => f.subjectId).sort()).toEqual([ids[0], ids[1]].sort());
    expect(found.find((f) => f.subjectId === ids[0])!.title).toBe("Acts for Tom acts for Tom Terminated, who left");
    expect(found.find((f) => f.subjectId === ids[1])!.evidence.attributes).toContainEqual({
      node: await nodeId(t.db, "hr", "human", "ina"),
      key: "status",
      value: "inactive",
    });
  });
});

describe("uncertified risky tools (NHI5)", () => {
  const doc = {
    source: "r6",
    nodes: [
      { kind: "agent" as const, externalId: "never", name: "Never reviewed" },
      { kind: "agent" as const, externalId: "recent", name: "Recently reviewed" },
      { kind: "agent" as const, externalId: "stale", name: "Reviewed long ago" },
      { kind: "agent" as const, externalId: "safe", name: "Reads only" },
      { kind: "mcp_server" as const, externalId: "srv", name: "Server" },
      { kind: "mcp_server" as const, externalId: "ro", name: "Read-only server" },
      {
        kind: "tool" as const,
        externalId: "srv/delete",
        name: "delete_everything",
        attributes: { annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false } },
      },
      { kind: "tool" as const, externalId: "srv/unknown", name: "mystery", attributes: {} },
      { kind: "tool" as const, externalId: "srv/list", name: "list_things", attributes: { annotations: { readOnlyHint: true } } },
      { kind: "tool" as const, externalId: "ro/read", name: "read_things", attributes: { annotations: { readOnlyHint: true } } },
    ],
    edges: [
      ...["never", "recent", "stale"].map((a) => ({
        kind: "connects_to",
        from: { kind: "agent" as const, externalId: a },
        to: { kind: "mcp_server" as const, externalId: "srv" },
      })),
      { kind: "connects_to", from: { kind: "agent" as const, externalId: "safe" }, to: { kind: "mcp_server" as const, externalId: "ro" } },
      ...["delete", "unknown", "list"].map((x) => ({
        kind: "exposes",
        from: { kind: "mcp_server" as const, externalId: "srv" },
        to: { kind: "tool" as const, externalId: `srv/${x}` },
      })),
      { kind: "exposes", from: { kind: "mcp_server" as const, externalId: "ro" }, to: { kind: "tool" as const, externalId: "ro/read" } },
    ],
  };

  it("flags an agent reaching destructive or unannotated tools never certified, or certified too long ago; not one certified recently or reaching only read-only tools", async () => {
    await importDoc(t.db, analyst, doc);
    const [never, recent, stale, safe] = await Promise.all(["never", "recent", "stale", "safe"].map((x) => nodeId(t.db, "r6", "agent", x)));
    const srv = await nodeId(t.db, "r6", "mcp_server", "srv");
    await certify(t.db, { subjectId: recent!, targetId: srv, edgeKind: "connects_to", closedAt: new Date(Date.now() - 10 * DAY) });
    await certify(t.db, { subjectId: stale!, targetId: srv, edgeKind: "connects_to", closedAt: new Date(Date.now() - 400 * DAY) });
    await evaluateFindings(t.db, analyst);
    const found = await findingsOf(t.db, "uncertified_risky_tool", [never!, recent!, stale!, safe!]);
    expect(found.map((f) => f.subjectId).sort()).toEqual([never, stale].sort());
    const first = found.find((f) => f.subjectId === never)!;
    expect(first.evidence.facts).toMatchObject({ tools: 2, neverCertified: 2, certifiedTooLongAgo: 0 });
    const tools = (first.evidence.facts.sample as { tool: string }[]).map((s) => s.tool);
    expect(tools).toHaveLength(2);
    expect(tools).not.toContain(await nodeId(t.db, "r6", "tool", "srv/list"));
    expect(found.find((f) => f.subjectId === stale)!.evidence.facts).toMatchObject({ neverCertified: 0, certifiedTooLongAgo: 2 });
    // The evidence path runs agent → server → tool, with the edges' ids.
    expect(first.evidence.edges.map((e) => e.kind)).toEqual(["connects_to", "exposes"]);
  });
});

describe("dual access paths (NHI5)", () => {
  it("flags a principal reaching a resource through an MCP server and through a credential; not one whose credential opens something else", async () => {
    await importDoc(t.db, analyst, {
      source: "r7",
      nodes: [
        { kind: "service_account", externalId: "both", name: "Two ways in" },
        { kind: "service_account", externalId: "one", name: "One way in" },
        { kind: "mcp_server", externalId: "db-mcp", name: "DB MCP" },
        { kind: "tool", externalId: "db-mcp/query", name: "query", attributes: { annotations: { readOnlyHint: true } } },
        { kind: "resource", externalId: "orders", name: "Orders DB" },
        { kind: "resource", externalId: "wiki", name: "Wiki" },
        { kind: "credential", externalId: "db-pw", name: "DB password", attributes: { storage: "vault" } },
        { kind: "credential", externalId: "wiki-token", name: "Wiki token", attributes: { storage: "vault" } },
      ],
      edges: [
        { kind: "exposes", from: { kind: "mcp_server", externalId: "db-mcp" }, to: { kind: "tool", externalId: "db-mcp/query" } },
        { kind: "acts_on", from: { kind: "tool", externalId: "db-mcp/query" }, to: { kind: "resource", externalId: "orders" } },
        { kind: "credential_for", from: { kind: "credential", externalId: "db-pw" }, to: { kind: "resource", externalId: "orders" } },
        { kind: "credential_for", from: { kind: "credential", externalId: "wiki-token" }, to: { kind: "resource", externalId: "wiki" } },
        { kind: "connects_to", from: { kind: "service_account", externalId: "both" }, to: { kind: "mcp_server", externalId: "db-mcp" } },
        { kind: "uses_credential", from: { kind: "service_account", externalId: "both" }, to: { kind: "credential", externalId: "db-pw" } },
        { kind: "connects_to", from: { kind: "service_account", externalId: "one" }, to: { kind: "mcp_server", externalId: "db-mcp" } },
        { kind: "uses_credential", from: { kind: "service_account", externalId: "one" }, to: { kind: "credential", externalId: "wiki-token" } },
      ],
    });
    const [both, one] = await Promise.all(["both", "one"].map((x) => nodeId(t.db, "r7", "service_account", x)));
    const found = await findingsOf(t.db, "dual_access_path", [both!, one!]);
    expect(found.map((f) => f.subjectId)).toEqual([both]);
    const facts = found[0]!.evidence.facts as { throughMcp: { edges: string[] }; direct: { edges: string[] }; directVia: string[] };
    expect(facts.throughMcp.edges).toEqual(["connects_to", "exposes", "acts_on"]);
    expect(facts.direct.edges).toEqual(["uses_credential", "credential_for"]);
    expect(facts.directVia).toEqual([await nodeId(t.db, "r7", "credential", "db-pw")]);
    expect(found[0]!.title).toBe("Two ways in reaches Orders DB through DB MCP and directly through DB password");
  });
});

describe("over-broad reach (NHI5)", () => {
  it("flags a principal over the risky-tool threshold, not one at it", async () => {
    await updateFindingSettings(t.db, admin, { overBroadHighRiskTools: 2, overBroadResources: 100 });
    await importDoc(t.db, analyst, {
      source: "r8",
      nodes: [
        { kind: "service_account", externalId: "wide", name: "Wide" },
        { kind: "service_account", externalId: "narrow", name: "Narrow" },
        { kind: "mcp_server", externalId: "big", name: "Big server" },
        { kind: "mcp_server", externalId: "small", name: "Small server" },
        ...[1, 2, 3].map((i) => ({ kind: "tool" as const, externalId: `big/t${i}`, name: `big_tool_${i}`, attributes: { risk: "critical" } })),
        ...[1, 2].map((i) => ({ kind: "tool" as const, externalId: `small/t${i}`, name: `small_tool_${i}`, attributes: { risk: "high" } })),
      ],
      edges: [
        { kind: "connects_to", from: { kind: "service_account", externalId: "wide" }, to: { kind: "mcp_server", externalId: "big" } },
        { kind: "connects_to", from: { kind: "service_account", externalId: "narrow" }, to: { kind: "mcp_server", externalId: "small" } },
        ...[1, 2, 3].map((i) => ({
          kind: "exposes",
          from: { kind: "mcp_server" as const, externalId: "big" },
          to: { kind: "tool" as const, externalId: `big/t${i}` },
        })),
        ...[1, 2].map((i) => ({
          kind: "exposes",
          from: { kind: "mcp_server" as const, externalId: "small" },
          to: { kind: "tool" as const, externalId: `small/t${i}` },
        })),
      ],
    });
    const [wide, narrow] = await Promise.all(["wide", "narrow"].map((x) => nodeId(t.db, "r8", "service_account", x)));
    const found = await findingsOf(t.db, "over_broad_reach", [wide!, narrow!]);
    expect(found.map((f) => f.key)).toEqual([`reach:${wide}`]);
    expect(found[0]!.evidence.facts).toMatchObject({ variant: "principal", riskyTools: 3 });
  });

  it("flags the group with the largest blast radius, not a smaller one", async () => {
    await updateFindingSettings(t.db, admin, { blastRadiusTop: 1, blastRadiusMin: 5 });
    await importDoc(t.db, analyst, {
      source: "r8b",
      nodes: [
        { kind: "group", externalId: "everyone", name: "Everyone" },
        { kind: "group", externalId: "few", name: "Few" },
        { kind: "entitlement", externalId: "all", name: "All the tools" },
        { kind: "entitlement", externalId: "some", name: "Some tools" },
        { kind: "mcp_server", externalId: "hub", name: "Hub" },
        ...[1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ kind: "tool" as const, externalId: `hub/t${i}`, name: `hub_${i}`, attributes: { risk: "low" } })),
        { kind: "resource", externalId: "r1", name: "Resource one" },
        { kind: "resource", externalId: "r2", name: "Resource two" },
      ],
      edges: [
        { kind: "has_entitlement", from: { kind: "group", externalId: "everyone" }, to: { kind: "entitlement", externalId: "all" } },
        { kind: "grants", from: { kind: "entitlement", externalId: "all" }, to: { kind: "mcp_server", externalId: "hub" } },
        ...[1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({
          kind: "exposes",
          from: { kind: "mcp_server" as const, externalId: "hub" },
          to: { kind: "tool" as const, externalId: `hub/t${i}` },
        })),
        { kind: "has_entitlement", from: { kind: "group", externalId: "few" }, to: { kind: "entitlement", externalId: "some" } },
        { kind: "grants", from: { kind: "entitlement", externalId: "some" }, to: { kind: "resource", externalId: "r1" } },
        { kind: "grants", from: { kind: "entitlement", externalId: "some" }, to: { kind: "resource", externalId: "r2" } },
      ],
    });
    // The largest blast radius is a ranking over the whole graph: the nightly full evaluation's, not a change's.
    await evaluateFindings(t.db, analyst);
    const [everyone, few] = await Promise.all(["everyone", "few"].map((x) => nodeId(t.db, "r8b", "group", x)));
    const found = await findingsOf(t.db, "over_broad_reach", [everyone!, few!]);
    expect(found.map((f) => f.key)).toEqual([`blast:${everyone}`]);
    expect(found[0]!.evidence.facts).toMatchObject({ variant: "blast_radius", radius: 9, rank: 1 });
  });
});

describe("tool definition changed since certified (NHI3)", () => {
  const doc = (hash: string, other = "sha256:other-1") => ({
    source: "r9",
    nodes: [
      { kind: "agent" as const, externalId: "bot", name: "Certified bot" },
      { kind: "mcp_server" as const, externalId: "gh", name: "GitHub MCP" },
      { kind: "mcp_server" as const, externalId: "uncertified", name: "Never reviewed MCP" },
      { kind: "tool" as const, externalId: "gh/create_issue", name: "create_issue", attributes: { server: "gh", definitionHash: hash } },
      { kind: "tool" as const, externalId: "gh/list_issues", name: "list_issues", attributes: { server: "gh", definitionHash: "sha256:list-1" } },
      { kind: "tool" as const, externalId: "uncertified/run", name: "run", attributes: { definitionHash: other } },
    ],
    edges: [
      { kind: "connects_to", from: { kind: "agent" as const, externalId: "bot" }, to: { kind: "mcp_server" as const, externalId: "gh" } },
      { kind: "exposes", from: { kind: "mcp_server" as const, externalId: "gh" }, to: { kind: "tool" as const, externalId: "gh/create_issue" } },
      { kind: "exposes", from: { kind: "mcp_server" as const, externalId: "gh" }, to: { kind: "tool" as const, externalId: "gh/list_issues" } },
      { kind: "exposes", from: { kind: "mcp_server" as const, externalId: "uncertified" }, to: { kind: "tool" as const, externalId: "uncertified/run" } },
    ],
  });

  it("flags a tool whose definition changed after its access was certified; not an unchanged tool, nor a changed tool nobody certified", async () => {
    await importDoc(t.db, analyst, doc("sha256:create-1"));
    const [bot, gh] = [await nodeId(t.db, "r9", "agent", "bot"), await nodeId(t.db, "r9", "mcp_server", "gh")];
    await certify(t.db, { subjectId: bot, targetId: gh, edgeKind: "connects_to", closedAt: new Date() });
    await importDoc(t.db, analyst, doc("sha256:create-2", "sha256:other-2"));
    const ids = await Promise.all(["gh/create_issue", "gh/list_issues", "uncertified/run"].map((x) => nodeId(t.db, "r9", "tool", x)));
    const found = await findingsOf(t.db, "tool_definition_changed", ids);
    expect(found.map((f) => f.subjectId)).toEqual([ids[0]]);
    expect(found[0]!.evidence.attributes).toEqual([
      { node: ids[0], key: "definitionHash", value: "sha256:create-2" },
      { node: ids[0], key: "certifiedDefinitionHash", value: "sha256:create-1" },
    ]);
    expect(found[0]!.evidence.facts.certifiedHashFrom).toBe("definition_history");
  });

  it("uses the definition a review item recorded, when it recorded one", async () => {
    const list = await nodeId(t.db, "r9", "tool", "gh/list_issues");
    const [bot, gh] = [await nodeId(t.db, "r9", "agent", "bot"), await nodeId(t.db, "r9", "mcp_server", "gh")];
    await certify(t.db, {
      subjectId: bot,
      targetId: gh,
      edgeKind: "connects_to",
      closedAt: new Date(),
      context: { toolDefinitions: { [list]: "sha256:list-0" } },
    });
    await evaluateFindings(t.db, analyst);
    const [f] = await findingsOf(t.db, "tool_definition_changed", [list]);
    expect(f?.evidence.facts.certifiedHashFrom).toBe("review_item");
  });
});

describe("insecure MCP servers (NHI3, NHI4)", () => {
  it("flags plain HTTP to another host and an unpinned package; not loopback HTTP, HTTPS, a pinned package or one not from a registry", async () => {
    await importDoc(t.db, analyst, {
      source: "r10",
      nodes: [
        { kind: "mcp_server", externalId: "plain", name: "Plain HTTP", attributes: { transport: "http", url: "http://mcp.internal:3001/mcp" } },
        { kind: "mcp_server", externalId: "local", name: "Loopback", attributes: { transport: "http", url: "http://127.0.0.1:3001/mcp" } },
        { kind: "mcp_server", externalId: "tls", name: "TLS", attributes: { transport: "http", url: "https://mcp.example.com/mcp" } },
        {
          kind: "mcp_server",
          externalId: "unpinned",
          name: "Unpinned",
          attributes: {
            transport: "stdio",
            command: "npx",
            args: ["-y", "@modelcontextprotocol/server-github"],
            package: "@modelcontextprotocol/server-github",
            pinned: false,
          },
        },
        {
          kind: "mcp_server",
          externalId: "pinned",
          name: "Pinned",
          attributes: { transport: "stdio", command: "npx", args: ["-y", "pkg@1.2.3"], package: "pkg", packageVersion: "1.2.3", pinned: true },
        },
        { kind: "mcp_server", externalId: "local-bin", name: "Local binary", attributes: { transport: "stdio", command: "python", pinned: null } },
      ],
      edges: [],
    });
    const ids = await Promise.all(["plain", "local", "tls", "unpinned", "pinned", "local-bin"].map((x) => nodeId(t.db, "r10", "mcp_server", x)));
    const found = await findingsOf(t.db, "insecure_mcp_server", ids);
    expect(found.map((f) => f.subjectId).sort()).toEqual([ids[0], ids[3]].sort());
    expect(found.find((f) => f.subjectId === ids[0])!.evidence.facts.reasons).toEqual([{ code: "plain_http", owasp: "NHI4" }]);
    expect(found.find((f) => f.subjectId === ids[3])!.evidence.facts.reasons).toEqual([{ code: "unpinned_package", owasp: "NHI3" }]);
  });
});
