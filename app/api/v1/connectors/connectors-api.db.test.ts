import { randomBytes } from "node:crypto";
import { format } from "node:util";
import { eq, sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, connectorRuns, connectors } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { updateOutboundSettings } from "@/lib/admin/outbound-settings";
import { executeRun } from "@/lib/connectors/run";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { DELETE as deleteRoute, GET as getOne, PATCH as patchRoute } from "./[id]/route";
import { PUT as credentialRoute } from "./[id]/credential/route";
import { GET as runsRoute, POST as runPost } from "./[id]/runs/route";
import { POST as testRoute } from "./[id]/test/route";
import { GET as kindsRoute } from "./kinds/route";
import { POST as resealRoute } from "./reseal/route";
import { GET as listRoute, POST as createRoute } from "./route";
import { registerFakeConnector, type FakeConnector } from "./test-driver";

type Handler = (req: Request, ctx: never) => Promise<Response>;
type Role = "admin" | "analyst" | "auditor" | "reviewer";

let t: TestDatabase;
let fake: FakeConnector;
const tokens = {} as Record<Role, string>;
/** Every answer of every connectors route this file called, as text (the leak sweep reads them all). */
const answers: string[] = [];
const logs: string[] = [];
/** The credential set through the API: random, so it can only be found where it leaked. */
const SECRET = `tok-${randomBytes(24).toString("base64url")}`;
const SECRET_KEY = randomBytes(32).toString("hex");

async function call(handler: Handler, role: Role, method: string, url: string, opts: { body?: unknown; raw?: string; id?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens[role]}` };
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await handler(new Request(`http://attest.test${url}`, { method, headers, body }), {
    params: Promise.resolve(opts.id ? { id: opts.id } : {}),
  } as never);
  const text = await res.text();
  answers.push(text);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, text, json: (text ? JSON.parse(text) : null) as any };
}

const auditOf = (action: string, id: string) =>
  t.db
    .select()
    .from(auditEvents)
    .where(sql`${auditEvents.action} = ${action} and ${auditEvents.targetId} = ${id}`);

beforeAll(async () => {
  vi.stubEnv("ATTEST_SECRET_KEY", SECRET_KEY);
  for (const level of ["log", "info", "warn", "error", "debug"] as const)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(format(...args)));
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  const users: Record<Role, string> = { admin: "admin@example.com", analyst: "ana@example.com", reviewer: "ada@example.com", auditor: "audit@example.com" };
  for (const role of Object.keys(users) as Role[]) {
    const u = await actorByEmail(t, users[role]);
    tokens[role] = (await createApiToken(t.db, admin, { name: role, userId: u.id, roles: [role] })).token;
  }
  fake = await registerFakeConnector("okta", SECRET);
  // The fake listens on loopback, which the outbound client refuses unless an admin opens it.
  await updateOutboundSettings(t.db, admin, { allowHosts: [], allowPrivateRanges: ["127.0.0.1/32"] });
});
afterAll(async () => {
  await fake.restore();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await t.cleanup();
});

const newConnector = (over: Record<string, unknown> = {}) => ({
  name: "Fake Okta",
  kind: "okta",
  settings: { baseUrl: fake.vendor.url },
  credential: { token: SECRET },
  schedule: "0 3 * * *",
  ...over,
});

describe("/api/v1/connectors", () => {
  let id = "";

  it("an admin creates a connector (201): the answer says a credential is set and when, never what; audited as connector.create", async () => {
    const r = await call(createRoute, "admin", "POST", "/api/v1/connectors", { body: newConnector() });
    expect(r.status).toBe(201);
    id = r.json.id;
    expect(r.json).toMatchObject({ kind: "okta", sourceName: "Fake-Okta", credentialSet: true, schedule: "0 3 * * *", enabled: true, version: 1 });
    expect(r.json.scheduleText).toEqual(expect.any(String));
    expect(r.json.nextRunAt).toEqual(expect.any(String));
    expect(r.text).not.toContain(SECRET);
    const [event] = await auditOf("connector.create", id);
    expect(event).toBeDefined();
    expect(JSON.stringify(event)).not.toContain(SECRET);
  });

  it("analysts and auditors read connectors, kinds and runs; reviewers are refused; only admins write", async () => {
    for (const role of ["analyst", "auditor"] as const) {
      const list = await call(listRoute, role, "GET", "/api/v1/connectors");
      expect(list.status).toBe(200);
      expect(list.json).toMatchObject({ total: 1, secretKeyProblem: null });
      expect((await call(kindsRoute, role, "GET", "/api/v1/connectors/kinds")).json.items.map((k: { kind: string }) => k.kind)).toContain("okta");
      expect((await call(getOne, role, "GET", `/api/v1/connectors/${id}`, { id })).status).toBe(200);
      expect((await call(runsRoute, role, "GET", `/api/v1/connectors/${id}/runs`, { id })).status).toBe(200);
      expect((await call(createRoute, role, "POST", "/api/v1/connectors", { body: newConnector({ name: "x" }) })).status).toBe(403);
      expect((await call(patchRoute, role, "PATCH", `/api/v1/connectors/${id}`, { id, body: { enabled: false } })).status).toBe(403);
      expect((await call(credentialRoute, role, "PUT", `/api/v1/connectors/${id}/credential`, { id, body: { credential: { token: SECRET } } })).status).toBe(
        403,
      );
      expect((await call(runPost, role, "POST", `/api/v1/connectors/${id}/runs`, { id, body: {} })).status).toBe(403);
      expect((await call(testRoute, role, "POST", `/api/v1/connectors/${id}/test`, { id })).status).toBe(403);
      expect((await call(deleteRoute, role, "DELETE", `/api/v1/connectors/${id}`, { id })).status).toBe(403);
      expect((await call(resealRoute, role, "POST", "/api/v1/connectors/reseal")).status).toBe(403);
    }
    expect((await call(listRoute, "reviewer", "GET", "/api/v1/connectors")).status).toBe(403);
    expect((await call(getOne, "reviewer", "GET", `/api/v1/connectors/${id}`, { id })).status).toBe(403);
    expect(await t.db.select().from(connectorRuns)).toEqual([]);
  });

  it("invalid input answers 400 naming the field and never quoting the value", async () => {
    const marker = `bad-${randomBytes(6).toString("hex")}`;
    // Values carry the marker; an unknown field is named by its name (a path, not a value).
    const cases: [Record<string, unknown>, string][] = [
      [newConnector({ name: "" }), "name"],
      [newConnector({ name: "n1", kind: marker }), "kind"],
      [newConnector({ name: "n2", settings: { baseUrl: marker } }), "settings.baseUrl"],
      [newConnector({ name: "n3", settings: { baseUrl: fake.vendor.url, unknownField: marker } }), "settings.unknownField"],
      [newConnector({ name: "n4", credential: { token: "short" } }), "credential.token"],
      [newConnector({ name: "n5", schedule: `${marker} * * * *` }), "schedule"],
      [newConnector({ name: "n6", sourceName: `-${marker}` }), "sourceName"],
      [newConnector({ name: "n7", enabled: marker }), "enabled"],
    ];
    for (const [body, path] of cases) {
      const r = await call(createRoute, "admin", "POST", "/api/v1/connectors", { body });
      expect(r.status, path).toBe(400);
      expect(r.json.error.details.map((d: { path: string }) => d.path).join(" "), r.text).toContain(path);
      expect(r.text, `${path}: the value is not repeated`).not.toContain(marker);
      expect(r.text).not.toContain("short");
    }
    const patch = await call(patchRoute, "admin", "PATCH", `/api/v1/connectors/${id}`, { id, body: { scheduleMode: marker } });
    expect(patch.status).toBe(400);
    expect(patch.json.error.details[0].path).toBe("scheduleMode");
    expect(patch.text).not.toContain(marker);
    const cred = await call(credentialRoute, "admin", "PUT", `/api/v1/connectors/${id}/credential`, { id, body: { credential: { token: 7 } } });
    expect(cred.status).toBe(400);
    expect(cred.json.error.details[0].path).toBe("credential.token");
    expect((await call(createRoute, "admin", "POST", "/api/v1/connectors", { raw: JSON.stringify({ name: "x".repeat(70_000) }) })).status).toBe(413);
    expect((await call(runsRoute, "admin", "GET", `/api/v1/connectors/${id}/runs?limit=500`, { id })).json.error.details[0].path).toBe("limit");
    expect((await call(getOne, "admin", "GET", "/api/v1/connectors/con_missing", { id: "con_missing" })).status).toBe(404);
  });

  it("a second connector with the same name answers 409", async () => {
    const r = await call(createRoute, "admin", "POST", "/api/v1/connectors", { body: newConnector() });
    expect(r.status).toBe(409);
    expect(r.json.error.details[0].path).toBe("name");
  });

  it("test connection answers in words: ok with the right token, refused with a wrong one; each audited", async () => {
    const ok = await call(testRoute, "admin", "POST", `/api/v1/connectors/${id}/test`, { id });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ ok: true, message: "signed in as fake-admin", run: { trigger: "test", status: "succeeded" } });
    const wrong = `wrong-${randomBytes(8).toString("hex")}`;
    const rotated = await call(credentialRoute, "admin", "PUT", `/api/v1/connectors/${id}/credential`, { id, body: { credential: { token: wrong } } });
    expect(rotated.status).toBe(200);
    expect(rotated.json).toMatchObject({ credentialSet: true, version: 2 });
    expect(rotated.text).not.toContain(wrong);
    const refused = await call(testRoute, "admin", "POST", `/api/v1/connectors/${id}/test`, { id });
    expect(refused.json).toMatchObject({ ok: false, code: "auth_failed" });
    expect(refused.json.message).toMatch(/refused/);
    expect(refused.text).not.toContain(wrong);
    expect(await auditOf("connector.test", id)).toHaveLength(2);
    const [credEvent] = await auditOf("connector.credential.set", id);
    expect(JSON.stringify(credEvent)).not.toContain(wrong);
    // Back to the good one for the runs below.
    expect((await call(credentialRoute, "admin", "PUT", `/api/v1/connectors/${id}/credential`, { id, body: { credential: { token: SECRET } } })).status).toBe(
      200,
    );
  });

  it("a run is queued (202), a second one while it is open answers 409, and the finished run shows counts by kind and its import", async () => {
    const queued = await call(runPost, "admin", "POST", `/api/v1/connectors/${id}/runs`, { id, body: { mode: "full" } });
    expect(queued.status).toBe(202);
    expect(queued.json).toMatchObject({ status: "queued", trigger: "manual", mode: "full" });
    const busy = await call(runPost, "admin", "POST", `/api/v1/connectors/${id}/runs`, { id, body: { mode: "incremental" } });
    expect(busy.status).toBe(409);
    expect(busy.json.error.details[0]).toMatchObject({ path: "id", message: "busy" });
    const pending = await call(getOne, "admin", "GET", `/api/v1/connectors/${id}`, { id });
    expect(pending.json.activeRun).toMatchObject({ id: queued.json.id, status: "queued" });
    const [event] = await auditOf("connector.run.request", id);
    expect(event).toBeDefined();

    // What the job engine does with the queued run (no engine runs in this test process).
    const done = await executeRun(t.db, queued.json.id);
    expect(done.status).toBe("succeeded");
    const runs = await call(runsRoute, "admin", "GET", `/api/v1/connectors/${id}/runs`, { id });
    expect(runs.json.items[0]).toMatchObject({ id: queued.json.id, status: "succeeded", importId: expect.any(String), counts: { nodesByKind: { human: 2 } } });
    expect(runs.json.items.filter((r: { trigger: string }) => r.trigger === "test")).toHaveLength(2);
    const after = await call(getOne, "admin", "GET", `/api/v1/connectors/${id}`, { id });
    expect(after.json).toMatchObject({ activeRun: null, lastRun: { id: queued.json.id, status: "succeeded" } });
    // A body is optional: an empty POST runs in full.
    const bare = await call(runPost, "admin", "POST", `/api/v1/connectors/${id}/runs`, { id });
    expect(bare.status).toBe(202);
    expect(bare.json.mode).toBe("full");
    await executeRun(t.db, bare.json.id);
  });

  it("an edit with a stale version answers 409 and changes nothing; a current one is applied and audited with before and after", async () => {
    const now = (await call(getOne, "admin", "GET", `/api/v1/connectors/${id}`, { id })).json;
    const stale = await call(patchRoute, "admin", "PATCH", `/api/v1/connectors/${id}`, { id, body: { enabled: false, expectedVersion: now.version - 1 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.details[0].path).toBe("expectedVersion");
    const ok = await call(patchRoute, "admin", "PATCH", `/api/v1/connectors/${id}`, {
      id,
      body: { enabled: false, schedule: "*/30 * * * *", scheduleMode: "incremental", expectedVersion: now.version },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ enabled: false, schedule: "*/30 * * * *", scheduleMode: "incremental", version: now.version + 1, nextRunAt: null });
    const [event] = await auditOf("connector.update", id);
    expect(event).toMatchObject({ before: expect.objectContaining({ enabled: true }), after: expect.objectContaining({ enabled: false }) });
  });

  it("without ATTEST_SECRET_KEY the list says why, and storing a credential answers 409 (nothing written)", async () => {
    vi.stubEnv("ATTEST_SECRET_KEY", "");
    try {
      const list = await call(listRoute, "admin", "GET", "/api/v1/connectors");
      expect(list.json.secretKeyProblem).toMatch(/ATTEST_SECRET_KEY/);
      const create = await call(createRoute, "admin", "POST", "/api/v1/connectors", { body: newConnector({ name: "No key" }) });
      expect(create.status).toBe(409);
      expect(create.json.error.details[0].path).toBe("credential");
      const put = await call(credentialRoute, "admin", "PUT", `/api/v1/connectors/${id}/credential`, { id, body: { credential: { token: SECRET } } });
      expect(put.status).toBe(409);
      expect((await call(resealRoute, "admin", "POST", "/api/v1/connectors/reseal")).status).toBe(409);
      // A connector without a credential may still be made, and refuses to run until one is set.
      const bare = await call(createRoute, "admin", "POST", "/api/v1/connectors", { body: newConnector({ name: "No key", credential: undefined }) });
      expect(bare.status).toBe(201);
      expect(bare.json.credentialSet).toBe(false);
      const run = await call(runPost, "admin", "POST", `/api/v1/connectors/${bare.json.id}/runs`, { id: bare.json.id, body: {} });
      expect(run.status).toBe(409);
      expect(run.json.error.details[0].path).toBe("credential");
      expect((await call(deleteRoute, "admin", "DELETE", `/api/v1/connectors/${bare.json.id}`, { id: bare.json.id })).status).toBe(204);
    } finally {
      vi.stubEnv("ATTEST_SECRET_KEY", SECRET_KEY);
    }
    expect(await t.db.select({ id: connectors.id }).from(connectors)).toEqual([{ id }]);
  });

  it("re-sealing answers what it did and is audited", async () => {
    const r = await call(resealRoute, "admin", "POST", "/api/v1/connectors/reseal");
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ resealed: 0, failed: 0 });
    expect(await auditOf("connector.credentials.reseal", "all")).toHaveLength(1);
  });

  it("the credential set through the API appears in no answer, log line, audit event or database column", async () => {
    const failed = await call(credentialRoute, "admin", "PUT", `/api/v1/connectors/${id}/credential`, {
      id,
      body: { credential: { token: SECRET, extra: SECRET } },
    });
    expect(failed.status).toBe(400);
    const badCreate = await call(createRoute, "admin", "POST", "/api/v1/connectors", { body: newConnector({ name: "Leak", credential: { token: [SECRET] } }) });
    expect(badCreate.status).toBe(400);
    await call(listRoute, "admin", "GET", "/api/v1/connectors");
    await call(runsRoute, "admin", "GET", `/api/v1/connectors/${id}/runs`, { id });
    const rows = async (q: SQL) => ((await t.db.execute(q)) as unknown as { rows: Record<string, string | null>[] }).rows;
    const columns = await rows(
      sql`select c.table_name, c.column_name from information_schema.columns c join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
          where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
    );
    expect(columns.length).toBeGreaterThan(30);
    const stored: string[] = [];
    for (const c of columns) {
      const [r] = await rows(sql.raw(`select string_agg("${c.column_name}"::text, E'\\n') as s from "${c.table_name}"`));
      if (r?.s) stored.push(r.s);
    }
    const places = { answers: answers.join("\n"), logs: logs.join("\n"), database: stored.join("\n") };
    // The sweep looks where the credential would be: answers of every route above, sealed rows, audit events.
    expect(answers.length).toBeGreaterThan(40);
    expect(places.database).toContain('"kid"');
    expect(places.database).toContain("connector.credential.set");
    const middle = SECRET.slice(10, 24);
    for (const [where, text] of Object.entries(places)) {
      expect(text.includes(SECRET), `the credential in ${where}`).toBe(false);
      expect(text.includes(middle), `part of the credential in ${where}`).toBe(false);
    }
    expect(
      fake.vendor.requests.some((r) => r.headers.authorization === `Bearer ${SECRET}`),
      "the vendor did receive it",
    ).toBe(true);
  });

  it("delete answers 204, is audited, and the connector is gone", async () => {
    const r = await call(deleteRoute, "admin", "DELETE", `/api/v1/connectors/${id}`, { id });
    expect(r.status).toBe(204);
    expect(await auditOf("connector.delete", id)).toHaveLength(1);
    expect((await call(getOne, "admin", "GET", `/api/v1/connectors/${id}`, { id })).status).toBe(404);
    expect(await t.db.select().from(connectorRuns).where(eq(connectorRuns.connectorId, id))).toEqual([]);
  });
});
