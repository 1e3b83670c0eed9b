import { readFileSync } from "node:fs";
import path from "node:path";
import { count, sql } from "drizzle-orm";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "@/db/rows";
import { seedGraph } from "@/db/seed/seed";
import { connectorRuns, edges, nodes } from "@/db/schema";
import { createApiToken } from "@/lib/admin/api-tokens";
import { updateOutboundSettings } from "@/lib/admin/outbound-settings";
import type { Actor } from "@/lib/authz/actor";
import { pathsFor, pathsQuerySchema, whoCanReachFor, whoCanReachQuerySchema } from "@/lib/graph/access-api";
import { clearAccessCache, graphVersion } from "@/lib/graph/access-cache";
import type { GraphDocument } from "@/lib/ingest/graph-document";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { POST } from "@/app/api/v1/imports/route";
import { refreshIdentityLinks } from "../linking";
import { createConnector, requestRun, setConnectorCredential, testConnector } from "../manage";
import { executeRun } from "../run";
import { CALL } from "./collect";
import { FIXTURES, loadAccount, startFakeIam, TEST_KEYS, toXml, NS, type FakeIam } from "./testing/fake-aws-iam";

/*
 * The AWS IAM connector end to end on both engines: the official SDK against the local IAM (SigV4 checked,
 * Marker paging, IAM's errors), through the run engine and the import engine; and the offline format through
 * the real imports route.
 */
let t: TestDatabase;
let admin: Actor;
let fake: FakeIam;
let connectorId: string;
let analystToken: string;
const source = "aws-prod";
const ACCOUNT = "123456789012";

beforeAll(async () => {
  process.env.ATTEST_SECRET_KEY = "test-master-key-for-aws-iam-connector-0123456789";
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  admin = await actorByEmail(t, "admin@example.com");
  const analyst = await actorByEmail(t, "ana@example.com");
  analystToken = (await createApiToken(t.db, admin, { name: "a", userId: analyst.id, roles: ["analyst"] })).token;
  fake = await startFakeIam();
  await updateOutboundSettings(t.db, admin, { allowHosts: [], allowPrivateRanges: ["127.0.0.1"] });
  const c = await createConnector(t.db, admin, {
    name: "AWS production",
    kind: "aws-iam",
    sourceName: source,
    settings: { endpoint: fake.url, accountId: ACCOUNT, pageSize: 7 },
    credential: TEST_KEYS,
  });
  connectorId = c.id;
});
afterAll(async () => {
  await fake.close();
  await t.cleanup();
});

const run = async (mode: "full" | "incremental" = "full", limits = { maxRetries: 2, baseDelayMs: 1 }) => {
  const queued = await requestRun(t.db, admin, connectorId, { mode });
  return executeRun(t.db, queued.id, limits);
};
const current = async () => {
  const r = await rows<{ kind: string; n: number }>(
    t.db,
    sql`select n.kind, count(*)::int as n from nodes n join sources s on s.id = n.source_id where s.name = ${source} and n.valid_to is null group by 1 order by 1`,
  );
  return Object.fromEntries(r.map((x) => [x.kind, x.n]));
};
const node = async (externalId: string) =>
  (
    await rows<{ kind: string; validTo: string | null; attributes: Record<string, unknown> }>(
      t.db,
      sql`select n.kind, n.valid_to as "validTo", n.attributes from nodes n join sources s on s.id = n.source_id where s.name = ${source} and n.external_id = ${externalId}`,
    )
  )[0];
const totals = async () => ({
  nodes: (await t.db.select({ n: count() }).from(nodes))[0]!.n,
  edges: (await t.db.select({ n: count() }).from(edges))[0]!.n,
  version: await graphVersion(t.db),
});

describe("aws-iam connector: runs against the local IAM", () => {
  it("test connection: ok, and auth_failed with a wrong secret (naming no value)", async () => {
    expect(await testConnector(t.db, admin, connectorId)).toMatchObject({
      ok: true,
      message: `iam:GetAccountAuthorizationDetails allowed in account ${ACCOUNT}`,
    });
    await setConnectorCredential(t.db, admin, connectorId, { credential: { ...TEST_KEYS, secretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY" } });
    const bad = await testConnector(t.db, admin, connectorId);
    expect(bad).toMatchObject({ ok: false, code: "auth_failed" });
    expect(bad.message).not.toMatch(/EXAMPLE|AKIA|signature/i);
    await setConnectorCredential(t.db, admin, connectorId, { credential: TEST_KEYS });
  });

  it("full: every page read, counts by kind in the graph", async () => {
    fake.calls.length = 0;
    const r = await run("full");
    expect(r).toMatchObject({ status: "succeeded", errorCode: null });
    const a = loadAccount();
    const entities = a.UserDetailList.length + a.GroupDetailList.length + a.RoleDetailList.length + a.Policies.length;
    expect(r.counts).toMatchObject({
      nodesByKind: { service_account: 9, human: 2, group: 3, entitlement: 12, resource: 7 },
      edgesByKind: { member_of: 6, has_entitlement: 12, grants: 14, assumes: 2 },
      calls: Math.ceil(entities / 7),
      retries: 0,
    });
    expect(fake.calls).toHaveLength(Math.ceil(entities / 7));
    expect(await current()).toEqual({ entitlement: 12, group: 3, human: 2, resource: 7, service_account: 9 });
    // The same source type as an offline aws-iam import, which identity linking looks for.
    expect(await rows(t.db, sql`select type from sources where name = ${source}`)).toEqual([{ type: "aws_iam" }]);
    expect(await node(`arn:aws:iam::${ACCOUNT}:user/people/ada@example.com`)).toMatchObject({ kind: "human", attributes: { email: "ada@example.com" } });
    expect((await node(`arn:aws:iam::${ACCOUNT}:role/CrossAccountAudit`))?.attributes).toMatchObject({ trustedAccounts: ["111122223333"] });
  });

  it("incremental with a change: the change is there, nothing ended", async () => {
    const saved = structuredClone(fake.account);
    fake.account.UserDetailList.push({
      UserName: "dora@example.com",
      UserId: "AIDACKCEVSQ6C9EXAMPLF",
      Path: "/people/",
      Arn: `arn:aws:iam::${ACCOUNT}:user/people/dora@example.com`,
      CreateDate: "2025-01-02T03:04:05Z",
      GroupList: ["Admins"],
      UserPolicyList: [],
      AttachedManagedPolicies: [],
    });
    fake.account.UserDetailList = fake.account.UserDetailList.filter((u) => u.UserName !== "Alice");
    const r = await run("incremental");
    expect(r.status).toBe("succeeded");
    expect(await node(`arn:aws:iam::${ACCOUNT}:user/people/dora@example.com`)).toMatchObject({ kind: "human", validTo: null });
    expect(await node(`arn:aws:iam::${ACCOUNT}:user/Alice`)).toMatchObject({ validTo: null });
    expect(await current()).toEqual({ entitlement: 12, group: 3, human: 3, resource: 7, service_account: 9 });
    fake.account = saved;
  });

  it("full with a deletion: the user and its membership are end-dated", async () => {
    fake.account.UserDetailList = fake.account.UserDetailList.filter((u) => u.UserName !== "Charlie");
    const r = await run("full");
    expect(r.status).toBe("succeeded");
    expect((await node(`arn:aws:iam::${ACCOUNT}:user/Charlie`))?.validTo).toEqual(expect.any(String));
    expect((await node(`arn:aws:iam::${ACCOUNT}:user/people/dora@example.com`))?.validTo).toEqual(expect.any(String));
    const [membership] = await rows<{ validTo: string | null }>(
      t.db,
      sql`select e.valid_to as "validTo" from edges e join nodes f on f.id = e.from_id where e.kind = 'member_of' and f.external_id = ${`arn:aws:iam::${ACCOUNT}:user/Charlie`}`,
    );
    expect(membership?.validTo).toEqual(expect.any(String));
    expect(await current()).toEqual({ entitlement: 12, group: 3, human: 2, resource: 7, service_account: 8 });
  });

  it("a 429 once is retried; throttling beyond the retries fails the run and writes nothing", async () => {
    fake.throttle(1, "429", "1");
    const once = await run("full");
    expect(once.status).toBe("succeeded");
    expect(once.counts?.retries).toBe(1);

    fake.throttle(1, "aws");
    const awsOnce = await run("full");
    expect(awsOnce).toMatchObject({ status: "succeeded" });
    expect(awsOnce.counts?.retries).toBe(1);

    const before = await totals();
    fake.throttle(10, "429", "0");
    const beyond = await run("full");
    expect(beyond).toMatchObject({ status: "failed", errorCode: "throttled", importId: null });
    expect(beyond.errorMessage).toMatch(/gave up after 2 retries/);
    fake.throttle(10, "aws");
    const awsWay = await run("full");
    expect(awsWay).toMatchObject({ status: "failed", errorCode: "throttled" });
    fake.throttle(0);
    expect(await totals()).toEqual(before);
  });

  it("an expired or unknown credential fails auth_failed and writes nothing; the message names no value", async () => {
    const before = await totals();
    const expiring = await startFakeIam();
    try {
      expiring.expire();
      const c = await createConnector(t.db, admin, {
        name: "AWS expiring",
        kind: "aws-iam",
        sourceName: "aws-expiring",
        settings: { endpoint: expiring.url },
        credential: { ...TEST_KEYS, sessionToken: "FwoGZXIvYXdzEXAMPLESESSIONTOKEN" },
      });
      const queued = await requestRun(t.db, admin, c.id, { mode: "full" });
      const expired = await executeRun(t.db, queued.id, { maxRetries: 1, baseDelayMs: 1 });
      expect(expired).toMatchObject({ status: "failed", errorCode: "auth_failed", importId: null });
      expect(expired.errorMessage).toMatch(/HTTP 403/);
    } finally {
      await expiring.close();
    }
    await setConnectorCredential(t.db, admin, connectorId, { credential: { accessKeyId: "AKIAI44QH8DHBEXAMPLE", secretAccessKey: TEST_KEYS.secretAccessKey } });
    const unknown = await run("full");
    expect(unknown).toMatchObject({ status: "failed", errorCode: "auth_failed" });
    await setConnectorCredential(t.db, admin, connectorId, { credential: TEST_KEYS });
    expect(await totals()).toEqual(before);
    const text = JSON.stringify(await t.db.select().from(connectorRuns));
    expect(text).not.toMatch(/security token|signature we calculated|EXAMPLEKEY|FwoGZXIv|AKIAI44/);
  });

  it("a malformed answer (not IAM's XML, or a user without Arn) fails malformed and writes nothing", async () => {
    const before = await totals();
    fake.answerWith(200, "<html>maintenance</html>");
    const notXml = await run("full");
    expect(notXml).toMatchObject({ status: "failed", errorCode: "malformed", importId: null });
    const user = { UserName: "no-arn-here", UserId: "AIDAX" };
    fake.answerWith(
      200,
      `<GetAccountAuthorizationDetailsResponse xmlns="${NS}"><GetAccountAuthorizationDetailsResult><IsTruncated>false</IsTruncated>${toXml("UserDetailList", [user])}</GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>`,
    );
    const shape = await run("full");
    expect(shape).toMatchObject({ status: "failed", errorCode: "malformed" });
    expect(shape.errors).toEqual([{ path: `${CALL}[page 1].UserDetailList[0].Arn`, message: "is required (a non-empty string)" }]);
    expect(JSON.stringify(shape)).not.toContain("no-arn-here");
    fake.answerWith(200, null);
    expect(await totals()).toEqual(before);
  });
});

describe("aws-iam offline format through POST /api/v1/imports", () => {
  const post = (body: BodyInit, type: string, query: string) =>
    POST(
      new Request(`http://attest.test/api/v1/imports${query}`, {
        method: "POST",
        body,
        headers: { authorization: `Bearer ${analystToken}`, "content-type": type },
      }),
      { params: Promise.resolve({}) } as never,
    );
  const cli = readFileSync(path.join(FIXTURES, "aws-cli-example.json"));

  it("imports the AWS CLI's documented example as JSON, and the same pages as a zip", async () => {
    const r = await post(cli, "application/json", "?format=aws-iam&source=aws-offline&mode=full");
    expect(r.status).toBe(201);
    const rec = await r.json();
    expect(rec).toMatchObject({ status: "succeeded", counts: { nodesCreated: 19, edgesCreated: 14 } });
    const zip = zipSync({ "GetAccountAuthorizationDetails.json": strToU8(cli.toString("utf8")) });
    const z = await post(zip, "application/zip", "?format=aws-iam&source=aws-offline-zip&mode=full");
    expect(z.status).toBe(201);
    expect((await z.json()).counts).toEqual(rec.counts);
    const again = await (await post(cli, "application/json", "?format=aws-iam&source=aws-offline&mode=full")).json();
    expect(Object.values(again.counts)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("refuses a file that is not an export, naming no value", async () => {
    const r = await post(JSON.stringify({ hello: "private-value-42" }), "application/json", "?format=aws-iam&source=aws-offline");
    expect(r.status).toBe(400);
    expect(await r.text()).not.toContain("private-value-42");
  });
});

describe("aws-iam and identity linking: who-can-reach crosses from an IdP into this account", () => {
  it("an IdP person with the same e-mail is linked to the IAM user; an app role mapped to a role reaches its grants", async () => {
    const idp: GraphDocument = {
      source: "idp-test",
      mode: "full",
      nodes: [
        { kind: "human", externalId: "idp-ada", name: "Ada", attributes: { email: "ada@example.com" } },
        {
          kind: "entitlement",
          externalId: "aws-app/admins",
          name: "AWS: admins",
          attributes: { awsRoleArns: [`arn:aws:iam::${ACCOUNT}:role/sso/SamlAdmins`] },
        },
      ],
      edges: [{ kind: "has_entitlement", from: { kind: "human", externalId: "idp-ada" }, to: { kind: "entitlement", externalId: "aws-app/admins" } }],
    };
    const imported = await runImport(t.db, admin, decodeConverted(idp), { format: "entra-graph" });
    expect(imported.status).toBe("succeeded");
    const { plan } = await refreshIdentityLinks(t.db);
    expect(plan.edges.map((e) => `${e.kind} ${e.from.externalId} -> ${e.to.externalId}`)).toEqual(
      expect.arrayContaining([
        `same_as idp-ada -> arn:aws:iam::${ACCOUNT}:user/people/ada@example.com`,
        `assumes aws-app/admins -> arn:aws:iam::${ACCOUNT}:role/sso/SamlAdmins`,
      ]),
    );
    clearAccessCache();
    const r = await whoCanReachFor(t.db, admin, whoCanReachQuerySchema.parse({ target: `${source}:resource:*`, limit: "100" }));
    const ada = r.items.find((i) => i.externalId === "idp-ada");
    // Two ways of four steps reach it (through the linked IAM user's group, and through the app role); who-can-reach
    // shows one of them, the paths API lists both.
    expect(ada?.path.edges).toHaveLength(4);
    const paths = await pathsFor(t.db, admin, pathsQuerySchema.parse({ from: ada!.id, to: `${source}:resource:*`, k: "10" }));
    expect(paths.items.map((p) => p.edges.join(" "))).toEqual(expect.arrayContaining(["has_entitlement assumes has_entitlement grants"]));
  });
});
