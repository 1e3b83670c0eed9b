import { generateKeyPairSync } from "node:crypto";
import { and, eq, isNull, isNotNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { edges, nodes, sources } from "@/db/schema";
import { updateOutboundSettings } from "@/lib/admin/outbound-settings";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache, graphVersion } from "@/lib/graph/access-cache";
import { whoCanReachFor, whoCanReachQuerySchema } from "@/lib/graph/access-api";
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { refreshIdentityLinks } from "../linking";
import { createConnector, requestRun } from "../manage";
import { executeRun, testConnection, type ConnectorRow } from "../run";
import { connectors } from "@/db/schema";
import { OCTO_EDGES, OCTO_NODES } from "./testing/octo-counts";
import { startFakeGithub, type FakeGithub } from "./testing/fake-github";

/*
 * The GitHub connector end to end: @octokit/rest + @octokit/auth-app against a local GitHub (fixtures from
 * GitHub's REST OpenAPI examples), through the outbound client and the polite fetch, into the import engine.
 */
let t: TestDatabase;
let admin: Actor;
let analyst: Actor;
let fake: FakeGithub;
let appConnector: string;
let tokenConnector: string;
const APP_ID = "424242";
const INSTALLATION_ID = "777";
const PAT = "github_pat_11TESTONLY0123456789_abcdefghijklmnopqrstuvwxyz";
const { privateKey, publicKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  // GitHub hands out App keys as PKCS#1 ("BEGIN RSA PRIVATE KEY").
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const savedKey = process.env.ATTEST_SECRET_KEY;

beforeAll(async () => {
  process.env.ATTEST_SECRET_KEY = "test-secret-key-for-github-connector-0123456789";
  fake = await startFakeGithub({ pageSize: 2, app: { appId: APP_ID, installationId: INSTALLATION_ID, publicKeyPem: publicKey }, tokens: [PAT] });
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  admin = await actorByEmail(t, "admin@example.com");
  analyst = await actorByEmail(t, "ana@example.com");
  await updateOutboundSettings(t.db, admin, { allowHosts: [], allowPrivateRanges: ["127.0.0.1"] });
  appConnector = (
    await createConnector(t.db, admin, {
      name: "GitHub octo-org",
      kind: "github",
      sourceName: "github-octo",
      settings: { org: "octo-org", baseUrl: fake.url },
      credential: { appId: APP_ID, installationId: INSTALLATION_ID, privateKey, token: "" },
    })
  ).id;
  tokenConnector = (
    await createConnector(t.db, admin, {
      name: "GitHub octo-org (token)",
      kind: "github",
      sourceName: "github-octo-pat",
      settings: { org: "octo-org", baseUrl: fake.url, readSecrets: false },
      credential: { token: PAT },
    })
  ).id;
});
afterAll(async () => {
  await fake?.close();
  await t?.cleanup();
  process.env.ATTEST_SECRET_KEY = savedKey;
});

async function run(connectorId: string, mode: "full" | "incremental", limits = { maxRetries: 2, baseDelayMs: 10 }) {
  const queued = await requestRun(t.db, admin, connectorId, { mode });
  return executeRun(t.db, queued.id, limits);
}

/** Current nodes and edges of a source, by kind. */
async function graphCounts(source: string) {
  const byKind = async (table: typeof nodes | typeof edges) => {
    const rows = await t.db
      .select({ kind: table.kind, n: sql<number>`count(*)::int` })
      .from(table)
      .innerJoin(sources, eq(sources.id, table.sourceId))
      .where(and(eq(sources.name, source), isNull(table.validTo)))
      .groupBy(table.kind);
    return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
  };
  return { nodes: await byKind(nodes), edges: await byKind(edges) };
}

async function totals() {
  const [n] = await t.db.select({ n: sql<number>`count(*)::int` }).from(nodes);
  const [e] = await t.db.select({ n: sql<number>`count(*)::int` }).from(edges);
  return { nodes: Number(n!.n), edges: Number(e!.n), version: await graphVersion(t.db) };
}

const ended = async (source: string, kind: "human", externalId: string) => {
  const [row] = await t.db
    .select({ validTo: nodes.validTo })
    .from(nodes)
    .innerJoin(sources, eq(sources.id, nodes.sourceId))
    .where(and(eq(sources.name, source), eq(nodes.kind, kind), eq(nodes.externalId, externalId)));
  return row?.validTo ?? null;
};

const connectorRow = async (id: string): Promise<ConnectorRow> => (await t.db.select().from(connectors).where(eq(connectors.id, id)))[0]!;

/**
 * Nothing a run says may quote the credential or the answers' data. (The organization's login, which the admin
 * typed into the settings, can appear in a call's shape: lib/connectors/http.ts keeps word-like path segments.)
 */
function expectNoValues(text: string) {
  for (const v of [PAT, privateKey.slice(40, 80), "octocat", "monalisa", "Hello-World", "justice-league", "GH_TOKEN", ...fake.issuedTokens()])
    expect(text).not.toContain(v);
}

describe("GitHub connector against the local GitHub", () => {
  it("runs full: every page read through the SDK (App JWT → installation token), the graph written, counts by kind", async () => {
    const r = await run(appConnector, "full");
    expect(r.status, `${r.errorCode}: ${r.errorMessage}`).toBe("succeeded");
    expect(r.counts?.nodesByKind).toEqual(OCTO_NODES);
    expect(r.counts?.edgesByKind).toEqual(OCTO_EDGES);
    expect(await graphCounts("github-octo")).toEqual({ nodes: OCTO_NODES, edges: OCTO_EDGES });
    // auth-app exchanged its JWT for an installation token through the same fetch; every later call carried that token.
    const tokenCalls = fake.vendor.requests.filter((q) => q.method === "POST" && q.path === `/app/installations/${INSTALLATION_ID}/access_tokens`);
    expect(tokenCalls).toHaveLength(1);
    const [issued] = fake.issuedTokens();
    const gets = fake.vendor.requests.filter((q) => q.method === "GET");
    expect(gets.every((q) => q.headers.authorization === `token ${issued}`)).toBe(true);
    // GitHub's paging: pages of 2 followed through the Link header.
    expect(gets.some((q) => q.path === "/orgs/octo-org/members" && q.query.get("page") === "3")).toBe(true);
    expect(r.counts!.calls).toBeGreaterThan(gets.length - 1);
  });

  it("answers who-can-reach: team members, direct collaborators and the App installation reach a repository", async () => {
    clearAccessCache();
    const res = await whoCanReachFor(t.db, analyst, whoCanReachQuerySchema.parse({ target: "github-octo:resource:1296270", limit: "100" }));
    const paths = new Map(res.items.map((i) => [`${i.kind}:${i.externalId}`, i.path.edges.join(">")]));
    // Every member reaches it (base permission read: member entitlement → repository), hubot also through Platform.
    expect(paths.get("human:3")).toBe("has_entitlement>grants");
    // The outside collaborator only through their direct role on the repository.
    expect(paths.get("human:100")).toBe("has_entitlement>grants");
    // A GitHub App installation reaches its repositories.
    expect(paths.get("service_account:installation:1")).toBe("has_entitlement>grants");
    expect(paths.has("service_account:installation:2")).toBe(false);
  });

  it("links a person from an IdP to their GitHub account by login, so who-can-reach crosses systems", async () => {
    const idp = await runImport(
      t.db,
      admin,
      decodeConverted({
        source: "entra-octo",
        mode: "full",
        nodes: [{ kind: "human", externalId: "e-hubot", name: "Hubot Person", attributes: { upn: "hubot@octo.example", githubLogin: "hubot" } }],
        edges: [],
      }),
      { format: "entra-graph" },
    );
    expect(idp.status).toBe("succeeded");
    const { import: links } = await refreshIdentityLinks(t.db);
    expect(links?.status).toBe("succeeded");
    clearAccessCache();
    const res = await whoCanReachFor(t.db, analyst, whoCanReachQuerySchema.parse({ target: "github-octo:resource:1296271", limit: "100" }));
    const person = res.items.find((i) => i.source === "entra-octo" && i.externalId === "e-hubot");
    expect(person?.path.edges[0]).toBe("same_as");
  });

  it("runs incremental after a change: the new member is there, nothing ended", async () => {
    const members = fake.lists.get("orgs/octo-org/members")!;
    members.push({ login: "newbie", id: 7, type: "User", site_admin: false });
    fake.lists.get("orgs/octo-org/teams/platform/members")!.push({ login: "newbie", id: 7, type: "User", site_admin: false });
    const r = await run(appConnector, "incremental");
    expect(r.status, `${r.errorCode}: ${r.errorMessage}`).toBe("succeeded");
    const c = await graphCounts("github-octo");
    expect(c.nodes.human).toBe(OCTO_NODES.human + 1);
    expect(c.edges.member_of).toBe(OCTO_EDGES.member_of + 1);
    const endedRows = await t.db
      .select({ id: nodes.id })
      .from(nodes)
      .innerJoin(sources, eq(sources.id, nodes.sourceId))
      .where(and(eq(sources.name, "github-octo"), isNotNull(nodes.validTo)));
    expect(endedRows).toHaveLength(0);
  });

  it("runs full after a deletion: the member who left is end-dated with their edges", async () => {
    const members = fake.lists.get("orgs/octo-org/members")!;
    fake.lists.set(
      "orgs/octo-org/members",
      members.filter((m) => (m as { id: number }).id !== 6),
    );
    const r = await run(appConnector, "full");
    expect(r.status, `${r.errorCode}: ${r.errorMessage}`).toBe("succeeded");
    expect(await ended("github-octo", "human", "6")).not.toBeNull();
    expect(await ended("github-octo", "human", "7")).toBeNull();
    const [edge] = await t.db
      .select({ validTo: edges.validTo })
      .from(edges)
      .innerJoin(nodes, eq(nodes.id, edges.fromId))
      .where(and(eq(nodes.externalId, "6"), eq(nodes.kind, "human"), eq(edges.kind, "has_entitlement")));
    expect(edge?.validTo).not.toBeNull();
  });

  it("waits out a 429 (Retry-After) and succeeds, the retry counted", async () => {
    fake.throttle(1, "429");
    const r = await run(appConnector, "incremental");
    expect(r.status, `${r.errorCode}: ${r.errorMessage}`).toBe("succeeded");
    expect(r.counts?.retries).toBe(1);
  });

  it("fails as throttled when GitHub keeps refusing beyond the retries, and writes nothing", async () => {
    const before = await totals();
    fake.throttle(10, "403");
    const r = await run(appConnector, "full", { maxRetries: 1, baseDelayMs: 10 });
    fake.throttle(0);
    expect(r.status).toBe("failed");
    expect(r.errorCode).toBe("throttled");
    expect(await totals()).toEqual(before);
    expectNoValues(`${r.errorMessage} ${JSON.stringify(r.errors)}`);
  });

  it("fails as auth_failed when the App's key no longer works, and writes nothing", async () => {
    const before = await totals();
    fake.revokeCredentials(true);
    const r = await run(appConnector, "full");
    const tested = await testConnection(t.db, await connectorRow(appConnector));
    const testedToken = await testConnection(t.db, await connectorRow(tokenConnector));
    fake.revokeCredentials(false);
    expect(r.status).toBe("failed");
    expect(r.errorCode).toBe("auth_failed");
    expect(r.errorMessage).toMatch(/HTTP 401/);
    expect(await totals()).toEqual(before);
    expect(tested).toMatchObject({ ok: false, code: "auth_failed" });
    expect(testedToken).toMatchObject({ ok: false, code: "auth_failed" });
    expectNoValues(`${r.errorMessage} ${JSON.stringify(r.errors)} ${JSON.stringify(tested)} ${JSON.stringify(testedToken)}`);
  });

  it("fails as malformed on an answer without the documented shape, located, and writes nothing", async () => {
    const before = await totals();
    fake.raw.set("orgs/octo-org/teams", { teams: "Justice League" });
    const r = await run(appConnector, "full");
    fake.raw.delete("orgs/octo-org/teams");
    expect(r.status).toBe("failed");
    expect(r.errorCode).toBe("malformed");
    expect(r.errors.map((e) => e.path)).toEqual(["orgs/{org}/teams page 1"]);
    expect(await totals()).toEqual(before);
    expectNoValues(`${r.errorMessage} ${JSON.stringify(r.errors)}`);
  });

  it("tests the connection in words, with an App and with a token", async () => {
    const app = await testConnection(t.db, await connectorRow(appConnector));
    expect(app).toEqual({ ok: true, message: "organization octo-org reached with a GitHub App installation: 3 repositories visible" });
    const token = await testConnection(t.db, await connectorRow(tokenConnector));
    expect(token).toMatchObject({ ok: true, message: expect.stringContaining("personal access token") });
  });

  it("with a token that may not read PATs or installations: those calls are left out with a warning, the rest is written", async () => {
    // GitHub answers a token 403 on PAT grants (GitHub Apps only); installations are refused here too.
    fake.forbidden.add("orgs/octo-org/installations");
    const r = await run(tokenConnector, "full");
    fake.forbidden.clear();
    expect(r.status, `${r.errorCode}: ${r.errorMessage}`).toBe("succeeded");
    expect(r.warnings.some((w) => w.startsWith("orgs/{org}/personal-access-tokens is not in the answers"))).toBe(true);
    expect(r.warnings.some((w) => w.startsWith("orgs/{org}/installations is not in the answers"))).toBe(true);
    const c = await graphCounts("github-octo-pat");
    expect(c.nodes.service_account).toBeUndefined();
    expect(c.nodes.credential).toBeUndefined();
    expect(c.nodes.group).toBe(2);
    const patCalls = fake.vendor.requests.filter((q) => q.headers.authorization === `token ${PAT}`);
    expect(patCalls.length).toBeGreaterThan(10);
  });

  it("goes on when a team listed a moment ago is gone (404) by the time its members are read", async () => {
    const members = fake.lists.get("orgs/octo-org/teams/platform/members")!;
    fake.lists.delete("orgs/octo-org/teams/platform/members");
    const r = await run(tokenConnector, "incremental");
    fake.lists.set("orgs/octo-org/teams/platform/members", members);
    expect(r.status, `${r.errorCode}: ${r.errorMessage}`).toBe("succeeded");
    expect(r.warnings.some((w) => w.startsWith("orgs/{org}/teams/{team}/members is not in the answers"))).toBe(true);
  });

  it("reaches a GitHub Enterprise Server over TLS at https://host/api/v3 (the test CA trusted)", async () => {
    const ghes = await startFakeGithub({ tls: true, pathPrefix: "/api/v3", pageSize: 2, tokens: [PAT] });
    try {
      const id = (
        await createConnector(t.db, admin, {
          name: "GitHub Enterprise Server",
          kind: "github",
          sourceName: "ghes-octo",
          settings: { org: "octo-org", baseUrl: `${ghes.url}/api/v3` },
          credential: { token: PAT },
        })
      ).id;
      expect(await testConnection(t.db, await connectorRow(id))).toMatchObject({ ok: true });
      const r = await run(id, "full");
      expect(r.status, `${r.errorCode}: ${r.errorMessage}`).toBe("succeeded");
      // A token may not read PAT grants (GitHub Apps only): everything else is there.
      const c = await graphCounts("ghes-octo");
      expect(c.nodes.human).toBe(OCTO_NODES.human);
      expect(c.nodes.credential).toBe(OCTO_NODES.credential - 2);
      expect(r.warnings.some((w) => w.startsWith("orgs/{org}/personal-access-tokens is not in the answers"))).toBe(true);
      expect(ghes.vendor.requests.every((q) => q.path.startsWith("/api/v3/"))).toBe(true);
    } finally {
      await ghes.close();
    }
  });
});
