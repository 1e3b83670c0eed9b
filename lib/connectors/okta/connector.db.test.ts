import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectors, edges, nodes, sources } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { updateOutboundSettings } from "@/lib/admin/outbound-settings";
import type { Actor } from "@/lib/authz/actor";
import { graphVersion } from "@/lib/graph/access-cache";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { POST as importsPost } from "@/app/api/v1/imports/route";
import { AnswerBundle } from "../bundle";
import { createConnector, requestRun, setConnectorCredential } from "../manage";
import { executeRun, testConnection } from "../run";
import { OKTA_FIXTURE_PATH, startFakeOkta, type FakeOkta } from "./testing/fake-okta";

const TOKEN = "00TESTtokenAbcdefGhijkl-MNOPqrstuVWXyz0123";
const BAD_TOKEN = "00EXPIREDtokenZyxwvUtsrqPonmLkjiHgfedCba99";
const FAST = { maxRetries: 2, baseDelayMs: 1 };

let t: TestDatabase;
let admin: Actor;
let fake: FakeOkta;
let connectorId: string;
let analystToken: string;

const source = "okta-live";

async function graphCounts(sourceName: string) {
  const [src] = await t.db.select({ id: sources.id }).from(sources).where(eq(sources.name, sourceName));
  if (!src) return { nodes: {}, edges: {}, ended: 0 };
  const n = await t.db
    .select({ kind: nodes.kind, n: sql<number>`count(*)::int` })
    .from(nodes)
    .where(and(eq(nodes.sourceId, src.id), isNull(nodes.validTo)))
    .groupBy(nodes.kind);
  const e = await t.db
    .select({ kind: edges.kind, n: sql<number>`count(*)::int` })
    .from(edges)
    .where(and(eq(edges.sourceId, src.id), isNull(edges.validTo)))
    .groupBy(edges.kind);
  const [ended] = await t.db
    .select({ n: sql<number>`count(*)::int` })
    .from(nodes)
    .where(and(eq(nodes.sourceId, src.id), isNotNull(nodes.validTo)));
  return { nodes: Object.fromEntries(n.map((r) => [r.kind, r.n])), edges: Object.fromEntries(e.map((r) => [r.kind, r.n])), ended: ended!.n };
}

async function run(id: string, mode: "full" | "incremental" = "full", limits = FAST) {
  const queued = await requestRun(t.db, admin, id, { mode });
  return executeRun(t.db, queued.id, limits);
}

async function row(id: string) {
  const [r] = await t.db.select().from(connectors).where(eq(connectors.id, id));
  return r!;
}

beforeAll(async () => {
  process.env.ATTEST_SECRET_KEY = "okta-connector-test-key-0123456789abcdef";
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  admin = await actorByEmail(t, "admin@example.com");
  const analyst = await actorByEmail(t, "ana@example.com");
  analystToken = (await createApiToken(t.db, admin, { name: "okta-test", userId: analyst.id, roles: ["analyst"] })).token;
  await updateOutboundSettings(t.db, admin, { allowHosts: [], allowPrivateRanges: ["127.0.0.1", "::1"] });
  fake = await startFakeOkta({ token: TOKEN, pageSize: 2 });
  const c = await createConnector(t.db, admin, {
    name: "Okta live",
    kind: "okta",
    sourceName: source,
    settings: { orgUrl: fake.url },
    credential: { token: TOKEN },
  });
  connectorId = c.id;
});
afterAll(async () => {
  await fake?.close();
  await t?.cleanup();
});

describe("Okta connector against the fake org", () => {
  it("test connection: ok with the token, auth_failed with a bad one (no token in the message)", async () => {
    const ok = await testConnection(t.db, await row(connectorId));
    expect(ok).toMatchObject({ ok: true });
    if (ok.ok) expect(ok.message).toMatch(/connected to localhost/);
    const bad = await testConnection(t.db, { ...(await row(connectorId)), credential: (await setBadCredential()).credential });
    expect(bad).toMatchObject({ ok: false, code: "auth_failed" });
    expect(JSON.stringify(bad)).not.toContain(BAD_TOKEN);
    await setConnectorCredential(t.db, admin, connectorId, { credential: { token: TOKEN } });
  });

  it("full run: pages through everything and writes the graph (counts by kind)", async () => {
    const before = fake.requests.length;
    const r = await run(connectorId, "full");
    expect(r.status, JSON.stringify(r.errors)).toBe("succeeded");
    const g = await graphCounts(source);
    expect(g.nodes).toEqual({ human: 9, group: 4, resource: 6, entitlement: 10 });
    expect(g.edges).toEqual({ member_of: 4, grants: 10, has_entitlement: 10 });
    const reqs = fake.requests.slice(before);
    // Okta's cursor paging followed: the users list spans pages of 2.
    expect(reqs.filter((q) => q.path === "/api/v1/users" && q.query.has("after")).length).toBeGreaterThanOrEqual(4);
    expect(reqs.some((q) => q.path === "/governance/api/v1/grants" && q.query.get("include") === "full_entitlements")).toBe(true);
    expect(reqs.every((q) => q.headers.authorization === `SSWS ${TOKEN}`)).toBe(true);
    expect(r.counts?.calls).toBe(reqs.length);
  });

  it("incremental with a change: the new user and membership are there, nothing ended", async () => {
    const zed = {
      id: "00uZEDnewUser00000g4",
      status: "ACTIVE",
      profile: { login: "zed@example.com", email: "zed@example.com", firstName: "Zed", lastName: "New" },
    };
    fake.data.users.push(zed);
    fake.data.groupUsers.get("00g1emaKYZTWRYYRRTSK")!.push(zed);
    const r = await run(connectorId, "incremental");
    expect(r.status).toBe("succeeded");
    const g = await graphCounts(source);
    expect(g.nodes.human).toBe(10);
    expect(g.edges.member_of).toBe(5);
    expect(g.ended).toBe(0);
  });

  it("full with a deletion: the user and their membership are end-dated", async () => {
    const jack = "00u3ojdzgjrAhuYGg1d7";
    fake.data.users = fake.data.users.filter((u) => u.id !== jack);
    fake.data.groupUsers.set(
      "00garwpuyxHaWOkdV0g4",
      fake.data.groupUsers.get("00garwpuyxHaWOkdV0g4")!.filter((u) => u.id !== jack),
    );
    const r = await run(connectorId, "full");
    expect(r.status).toBe("succeeded");
    const [n] = await t.db.select().from(nodes).where(eq(nodes.externalId, jack));
    expect(n!.validTo).not.toBeNull();
    const ended = await t.db
      .select()
      .from(edges)
      .where(and(eq(edges.fromId, n!.id), eq(edges.kind, "member_of")));
    expect(ended.length).toBe(1);
    expect(ended[0]!.validTo).not.toBeNull();
    expect((await graphCounts(source)).nodes.human).toBe(9);
  });

  it("a 429 once: retried after X-Rate-Limit-Reset, the run succeeds", async () => {
    fake.throttle(1);
    const r = await run(connectorId, "full");
    expect(r.status).toBe("succeeded");
    expect(r.counts?.retries).toBe(1);
  });

  it("throttling beyond the retries: the run fails as throttled and writes nothing", async () => {
    const before = await graphCounts(source);
    const version = await graphVersion(t.db);
    fake.throttle(100);
    const r = await run(connectorId, "full", { maxRetries: 1, baseDelayMs: 1 });
    fake.throttle(0);
    expect(r.status).toBe("failed");
    expect(r.errorCode).toBe("throttled");
    expect(r.errorMessage).toMatch(/gave up after 1 retries/);
    expect(JSON.stringify(r)).not.toContain(TOKEN);
    expect(JSON.stringify(r)).not.toContain("E0000047");
    expect(await graphCounts(source)).toEqual(before);
    expect(await graphVersion(t.db)).toBe(version);
  });

  it("an expired token: auth_failed, nothing written, no token in the message", async () => {
    const before = await graphCounts(source);
    const version = await graphVersion(t.db);
    await setBadCredential();
    const r = await run(connectorId, "full");
    await setConnectorCredential(t.db, admin, connectorId, { credential: { token: TOKEN } });
    expect(r.status).toBe("failed");
    expect(r.errorCode).toBe("auth_failed");
    expect(r.errorMessage).toMatch(/HTTP 401/);
    expect(JSON.stringify(r)).not.toContain(BAD_TOKEN);
    expect(JSON.stringify(r)).not.toContain("Invalid token provided");
    expect(await graphCounts(source)).toEqual(before);
    expect(await graphVersion(t.db)).toBe(version);
  });

  it("a malformed answer: malformed, nothing written, no fixture value in the message", async () => {
    const before = await graphCounts(source);
    const version = await graphVersion(t.db);
    fake.malformedUsers = true;
    const r = await run(connectorId, "full");
    fake.malformedUsers = false;
    expect(r.status).toBe("failed");
    expect(r.errorCode).toBe("malformed");
    const told = JSON.stringify([r.errorMessage, r.errors, r.warnings]);
    expect(told, told).not.toMatch(/example\.com|00u|Alice/);
    expect(await graphCounts(source)).toEqual(before);
    expect(await graphVersion(t.db)).toBe(version);
  });

  it("no Identity Governance (403 on its API): the run succeeds with a warning, OIG grants gone", async () => {
    fake.governance = 403;
    const r = await run(connectorId, "full");
    fake.governance = "licensed";
    expect(r.status).toBe("succeeded");
    expect(r.warnings.join("\n")).toMatch(/Identity Governance/);
    expect((await graphCounts(source)).nodes.entitlement).toBe(5);
  });
});

describe("Okta connector with an OAuth service app (private-key JWT)", () => {
  it("gets its access token through the same fetch and reads with Bearer", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const oauthFake = await startFakeOkta({
      token: "unused-token-for-this-fake-0000",
      pageSize: 50,
      oauth: { clientId: "0oaSERVICEapp000000x", publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() },
    });
    try {
      const c = await createConnector(t.db, admin, {
        name: "Okta oauth",
        kind: "okta",
        sourceName: "okta-oauth",
        settings: { orgUrl: oauthFake.url },
        credential: { clientId: "0oaSERVICEapp000000x", privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(), keyId: "kid-1" },
      });
      const r = await run(c.id, "full");
      expect(r.status, JSON.stringify([r.errorMessage, r.errors])).toBe("succeeded");
      expect(oauthFake.issued.length).toBe(1);
      const tokenCall = oauthFake.requests.find((q) => q.path === "/oauth2/v1/token")!;
      expect(new URLSearchParams(tokenCall.body).get("scope")).toBe("okta.users.read okta.groups.read okta.apps.read okta.governance.entitlements.read");
      expect(oauthFake.requests.filter((q) => q.method === "GET").every((q) => q.headers.authorization === `Bearer ${oauthFake.issued[0]}`)).toBe(true);
      expect((await graphCounts("okta-oauth")).nodes).toEqual({ human: 9, group: 4, resource: 6, entitlement: 10 });
    } finally {
      await oauthFake.close();
    }
  });
});

describe("okta-api offline format through POST /api/v1/imports", () => {
  const post = (body: BodyInit, type: string, src: string) =>
    importsPost(
      new Request(`http://attest.test/api/v1/imports?format=okta-api&source=${src}&mode=full`, {
        method: "POST",
        body,
        headers: { authorization: `Bearer ${analystToken}`, "content-type": type },
      }),
      { params: Promise.resolve({}) } as never,
    );

  it("imports the documented examples as JSON and as a zip, to the same graph", async () => {
    const raw = readFileSync(OKTA_FIXTURE_PATH);
    const r1 = await post(new Uint8Array(raw), "application/json", "okta-offline-json");
    expect(r1.status, await r1.clone().text()).toBe(201);
    const layout = JSON.parse(raw.toString("utf8")) as { calls: Record<string, unknown[]> };
    const files: Record<string, Uint8Array> = {};
    for (const [call, pages] of Object.entries(layout.calls))
      pages.forEach((p, i) => (files[`${AnswerBundle.key(call)}${i === 0 ? "" : `~${i + 1}`}.json`] = strToU8(JSON.stringify(p))));
    const r2 = await post(zipSync(files), "application/zip", "okta-offline-zip");
    expect(r2.status, await r2.clone().text()).toBe(201);
    const a = await graphCounts("okta-offline-json");
    const b = await graphCounts("okta-offline-zip");
    expect(a.nodes).toEqual({ human: 9, group: 4, resource: 6, entitlement: 10 });
    expect(a.edges).toEqual({ member_of: 4, grants: 10, has_entitlement: 10 });
    expect(b).toEqual(a);
  });
});

async function setBadCredential() {
  await setConnectorCredential(t.db, admin, connectorId, { credential: { token: BAD_TOKEN } });
  return row(connectorId);
}
