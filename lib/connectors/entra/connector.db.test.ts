import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { strToU8, zipSync } from "fflate";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectors, edges, nodes, sources } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { updateOutboundSettings } from "@/lib/admin/outbound-settings";
import type { Actor } from "@/lib/authz/actor";
import { graphVersion } from "@/lib/graph/access-cache";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { POST } from "@/app/api/v1/imports/route";
import { createConnector, requestRun } from "../manage";
import { executeRun, testConnection } from "../run";
import { seal } from "../secret-box";
import { FAKE_CLIENT_ID, FAKE_SECRET, FAKE_TENANT, FIXTURE, fixtureData, startFakeEntra, type FakeEntra } from "./testing/fake-entra";

let t: TestDatabase;
let fake: FakeEntra;
let admin: Actor;
let analystToken: string;
const SOURCE = "entra-contoso";
let connectorId: string;
const FAST = { maxRetries: 2, baseDelayMs: 10 };

beforeAll(async () => {
  process.env.ATTEST_SECRET_KEY = "entra-connector-test-key-0123456789abcdef";
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  admin = await actorByEmail(t, "admin@example.com");
  const analyst = await actorByEmail(t, "ana@example.com");
  analystToken = (await createApiToken(t.db, admin, { name: "a", userId: analyst.id, roles: ["analyst"] })).token;
  fake = await startFakeEntra();
  await updateOutboundSettings(t.db, admin, { allowHosts: [], allowPrivateRanges: ["127.0.0.1"] });
  const c = await createConnector(t.db, admin, {
    name: "Contoso Entra",
    kind: "entra",
    sourceName: SOURCE,
    settings: { tenantId: FAKE_TENANT, clientId: FAKE_CLIENT_ID, graphBaseUrl: `${fake.url}/`, authorityHost: fake.url },
    credential: { clientSecret: FAKE_SECRET },
  });
  connectorId = c.id;
});
afterAll(async () => {
  await fake?.close();
  await t?.cleanup();
});
beforeEach(() => {
  fake.state.throttleNext = 0;
  fake.state.malformed.clear();
  fake.state.secretExpired = false;
  fake.state.noAgentIds = false;
});

async function run(mode: "full" | "incremental", limits = FAST) {
  const queued = await requestRun(t.db, admin, connectorId, { mode });
  return executeRun(t.db, queued.id, limits);
}

async function current(table: "nodes" | "edges"): Promise<Record<string, number>> {
  const tbl = table === "nodes" ? nodes : edges;
  const rows = await t.db
    .select({ kind: tbl.kind, n: sql<number>`count(*)::int` })
    .from(tbl)
    .innerJoin(sources, eq(sources.id, tbl.sourceId))
    .where(and(eq(sources.name, SOURCE), isNull(tbl.validTo)))
    .groupBy(tbl.kind);
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}

async function snapshot() {
  return { nodes: await current("nodes"), edges: await current("edges"), version: await graphVersion(t.db) };
}

const FULL_NODES = { human: 6, group: 3, service_account: 6, agent: 2, credential: 2, entitlement: 10, resource: 4 };
const FULL_EDGES = { member_of: 6, has_entitlement: 10, grants: 10, owns: 6, uses_credential: 2 };
const FIXTURE_VALUES = [FAKE_SECRET, "contoso", "Megan", "AADSTS", "a6c034b8", FAKE_TENANT];
const quotesNothing = (s: string | null | undefined) => FIXTURE_VALUES.every((v) => !(s ?? "").toLowerCase().includes(v.toLowerCase()));

describe("Entra connector runs against the fake Graph (full, incremental, deletion, failures)", () => {
  it("a full run writes the tenant: counts by kind in the run and in the graph", async () => {
    const r = await run("full");
    expect(r.errorMessage).toBeNull();
    expect(r.status).toBe("succeeded");
    expect(r.counts?.nodesByKind).toEqual(FULL_NODES);
    expect(r.counts?.edgesByKind).toEqual(FULL_EDGES);
    expect(r.counts!.calls).toBeGreaterThan(20);
    expect(await current("nodes")).toEqual(FULL_NODES);
    expect(await current("edges")).toEqual(FULL_EDGES);
    // Graph's paging, followed by the SDK: users come two a page.
    expect(fake.graphCalls().filter((c) => c.startsWith("GET v1.0/users"))).toHaveLength(3);
  });

  it("an incremental run after a change in the tenant adds it and ends nothing", async () => {
    fake.state.data.get("users")!.push({
      id: "5d6e7f80-1a2b-4c3d-9e4f-a0b1c2d3e4f5",
      displayName: "Nestor Wilke",
      userPrincipalName: "NestorW@contoso.com",
      mail: "NestorW@contoso.com",
      accountEnabled: true,
      userType: "Member",
    });
    fake.state.data
      .get("groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members")!
      .push({ "@odata.type": "#microsoft.graph.user", id: "5d6e7f80-1a2b-4c3d-9e4f-a0b1c2d3e4f5" });
    const r = await run("incremental");
    expect(r.status).toBe("succeeded");
    expect(await current("nodes")).toEqual({ ...FULL_NODES, human: 7 });
    expect(await current("edges")).toEqual({ ...FULL_EDGES, member_of: 7 });
    const [nestor] = await t.db.select().from(nodes).where(eq(nodes.externalId, "5d6e7f80-1a2b-4c3d-9e4f-a0b1c2d3e4f5"));
    expect(nestor!.attributes).toMatchObject({ email: "nestorw@contoso.com", upn: "nestorw@contoso.com" });
    const ended = await t.db.select({ id: nodes.id }).from(nodes).where(isNotNull(nodes.validTo));
    expect(ended).toHaveLength(0);
  });

  it("a full run after a deletion end-dates the node and its edges", async () => {
    const users = fake.state.data.get("users")!;
    fake.state.data.set(
      "users",
      users.filter((u) => u.id !== "5d6e7f80-1a2b-4c3d-9e4f-a0b1c2d3e4f5"),
    );
    const r = await run("full");
    expect(r.status).toBe("succeeded");
    const [nestor] = await t.db.select().from(nodes).where(eq(nodes.externalId, "5d6e7f80-1a2b-4c3d-9e4f-a0b1c2d3e4f5"));
    expect(nestor!.validTo).not.toBeNull();
    const nestorEdges = await t.db.select({ validTo: edges.validTo }).from(edges).where(eq(edges.fromId, nestor!.id));
    expect(nestorEdges).toHaveLength(1);
    expect(nestorEdges[0]!.validTo).not.toBeNull();
    // The membership now names a member the tenant no longer lists: skipped with a warning, and its edge ends.
    expect(await current("nodes")).toEqual(FULL_NODES);
    expect(await current("edges")).toEqual(FULL_EDGES);
    expect(r.warnings.join("\n")).toMatch(/group member/);
  });

  it("a 429 once is waited out (Retry-After) and counted as a retry", async () => {
    fake.state.throttleNext = 1;
    const r = await run("full");
    expect(r.status).toBe("succeeded");
    expect(r.counts!.retries).toBe(1);
  });

  it("throttling beyond the retries fails the run as throttled and writes nothing", async () => {
    const before = await snapshot();
    fake.state.throttleNext = 100;
    const r = await run("full", { maxRetries: 1, baseDelayMs: 10 });
    expect(r.status).toBe("failed");
    expect(r.errorCode).toBe("throttled");
    expect(r.importId).toBeNull();
    expect(await snapshot()).toEqual(before);
    expect(quotesNothing(r.errorMessage)).toBe(true);
  });

  it("an expired client secret fails the run as auth_failed, quoting nothing, writing nothing", async () => {
    const before = await snapshot();
    fake.state.secretExpired = true;
    const r = await run("full");
    expect(r.status).toBe("failed");
    expect(r.errorCode).toBe("auth_failed");
    expect(r.errorMessage).toMatch(/credential was refused/);
    expect(quotesNothing(r.errorMessage)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it("a malformed answer fails the run as malformed with located errors, writing nothing", async () => {
    const before = await snapshot();
    fake.state.malformed.add("servicePrincipals");
    const r = await run("full");
    expect(r.status).toBe("failed");
    expect(r.errorCode).toBe("malformed");
    expect(r.errors).toContainEqual({ path: expect.stringMatching(/^servicePrincipals \(key \d+\), page 1: value$/), message: "must be a list of objects" });
    expect(quotesNothing(JSON.stringify(r.errors)) && quotesNothing(r.errorMessage)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it("a tenant without Agent ID (404 on its calls) still syncs and says so", async () => {
    fake.state.noAgentIds = true;
    const r = await run("incremental");
    expect(r.status).toBe("succeeded");
    expect(r.warnings.join("\n")).toMatch(/Agent ID identities were not read/);
  });

  it("test connection: ok in words, and a bad secret refused without quoting it", async () => {
    const [row] = await t.db.select().from(connectors).where(eq(connectors.id, connectorId));
    const ok = await testConnection(t.db, row!);
    expect(ok).toEqual({ ok: true, message: expect.stringMatching(/users can be read/) });
    const bad = await testConnection(t.db, { ...row!, credential: seal({ clientSecret: "not-the-secret-value" }) });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.code).toBe("auth_failed");
    expect(bad.message).not.toContain("not-the-secret-value");
    expect(quotesNothing(bad.message)).toBe(true);
  });
});

describe("POST /api/v1/imports?format=entra-graph (offline Graph answers)", () => {
  const noParams = { params: Promise.resolve({}) } as never;
  const post = (body: BodyInit, type: string, source: string) =>
    POST(
      new Request(`http://attest.test/api/v1/imports?format=entra-graph&source=${source}&mode=full`, {
        method: "POST",
        body,
        headers: { authorization: `Bearer ${analystToken}`, "content-type": type },
      }),
      noParams,
    );

  it("imports the documented examples as JSON and as a zip, to the same counts", async () => {
    const json = await post(readFileSync(FIXTURE), "application/json", "entra-offline-json");
    expect(json.status).toBe(201);
    const a = await json.json();
    expect(a.status).toBe("succeeded");
    const total = (o: Record<string, number>) => Object.values(o).reduce((x, y) => x + y, 0);
    expect(a.counts.nodesCreated).toBe(total(FULL_NODES));
    expect(a.counts.edgesCreated).toBe(total(FULL_EDGES));

    const files: Record<string, Uint8Array> = {};
    for (const [key, items] of fixtureData()) files[`${key}.json`] = strToU8(JSON.stringify({ value: items }));
    // A key as an exporter may write it: Graph's docs spell the type cast with capitals too.
    files["servicePrincipals/1b7313c4-05d0-4a08-88e3-7b76c003a0a2/Microsoft.Graph.AgentIdentity/sponsors.json"] =
      files["servicePrincipals/1b7313c4-05d0-4a08-88e3-7b76c003a0a2/microsoft.graph.agentIdentity/sponsors.json"]!;
    delete files["servicePrincipals/1b7313c4-05d0-4a08-88e3-7b76c003a0a2/microsoft.graph.agentIdentity/sponsors.json"];
    const zip = await post(zipSync(files), "application/zip", "entra-offline-zip");
    expect(zip.status).toBe(201);
    const z = await zip.json();
    expect(z.counts.nodesCreated).toBe(total(FULL_NODES));
    expect(z.counts.edgesCreated).toBe(total(FULL_EDGES));
  });

  it("refuses a malformed file with located errors", async () => {
    const r = await post(
      JSON.stringify({ format: "entra-graph", calls: { "GET /v1.0/users": [{ value: [{ displayName: "Adele" }] }] } }),
      "application/json",
      "entra-bad",
    );
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(JSON.stringify(body)).toContain("users (key 1), page 1: value[0].id");
    expect(JSON.stringify(body)).not.toContain("Adele");
  });
});
