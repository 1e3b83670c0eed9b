import { count, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rows } from "@/db/rows";
import { seedGraph } from "@/db/seed/seed";
import { appInstances, auditEvents, connectorRuns, connectors, edges, nodes } from "@/db/schema";
import { updateOutboundSettings } from "@/lib/admin/outbound-settings";
import type { Actor } from "@/lib/authz/actor";
import { graphVersion } from "@/lib/graph/access-cache";
import { checkDocument, type ConversionResult } from "@/lib/ingest/convert-util";
import { actorByEmail } from "@/lib/testing/app-context";
import { startFakeVendor, type FakeVendor } from "@/lib/testing/fake-vendor";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { AnswerBundle, readBundle } from "./bundle";
import { DRIVERS } from "./drivers";
import { ConnectorError } from "./errors";
import { createConnector, deleteConnector, getConnector, requestRun, setConnectorCredential, testConnector, updateConnector } from "./manage";
import { executeRun, failInterruptedRuns } from "./run";
import { queueDueRuns } from "./scheduler";
import type { ConnectorDriver } from "./types";

/*
 * The run engine with a small driver written here against a real local server: a directory of people in
 * pages (Link: rel=next), behind a bearer token. The vendors' own drivers (lib/connectors/<kind>/) are tested
 * with their own fakes; this covers what every run shares: sealing, collecting through the outbound client,
 * converting, importing all or nothing, failures, schedules and the sweep.
 */
let t: TestDatabase;
let admin: Actor;
let analyst: Actor;
let fake: FakeVendor;
const TOKEN = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
let people: { id: string; name: string; team: string }[];
let mode: "ok" | "throttle" | "throttle-once" | "garbage" = "ok";

type Settings = { baseUrl: string };
type Credential = { token: string };
const testDriver: ConnectorDriver<Settings, Credential> = {
  kind: "github",
  label: "Test directory",
  format: "github-rest",
  sourceType: "github",
  settingsSchema: z.object({ baseUrl: z.string().url() }).strict(),
  credentialSchema: z.object({ token: z.string().min(8) }).strict(),
  settingsFields: [{ name: "baseUrl", label: "Base URL" }],
  credentialFields: [{ name: "token", label: "Token", secret: true }],
  defaultSettings: { baseUrl: "https://directory.example" },
  hosts: (s) => [new URL(s.baseUrl).host],
  async test(ctx) {
    const r = await ctx.fetch(`${ctx.settings.baseUrl}/people?page=1`, { headers: { authorization: `Bearer ${ctx.credential.token}` } });
    if (!r.ok) throw new Error("refused");
    return "directory reached";
  },
  async collect(ctx) {
    let url: string | null = `${ctx.settings.baseUrl}/people?page=1`;
    while (url) {
      const r: Response = await ctx.fetch(url, { headers: { authorization: `Bearer ${ctx.credential.token}` } });
      if (!r.ok) throw new Error(`vendor said ${await r.text()}`); // remote words: must never reach the run
      ctx.bundle.add("people", await r.json());
      const next = /<([^>]+)>;\s*rel="next"/.exec(r.headers.get("link") ?? "");
      url = next ? next[1]! : null;
    }
  },
  convert(bundle, opts): ConversionResult {
    const pages = bundle.pages("people") ?? [];
    const ppl = pages.flatMap((p) => (Array.isArray(p) ? p : []));
    if (pages.some((p) => !Array.isArray(p))) return { ok: false, errors: [{ path: "people", message: "must be a list" }] };
    const teams = [...new Set(ppl.map((p) => String(p.team)))].sort();
    const document = {
      source: opts.source,
      mode: opts.mode,
      nodes: [
        ...ppl.map((p) => ({ kind: "human" as const, externalId: String(p.id), name: String(p.name) })),
        ...teams.map((x) => ({ kind: "group" as const, externalId: x, name: x })),
      ],
      edges: ppl.map((p) => ({
        kind: "member_of" as const,
        from: { kind: "human" as const, externalId: String(p.id) },
        to: { kind: "group" as const, externalId: String(p.team) },
      })),
    };
    const errors = checkDocument(document);
    return errors.length ? { ok: false, errors } : { ok: true, document, warnings: [], skipped: { nodes: 0, edges: 0 }, merged: { nodes: 0, edges: 0 } };
  },
  readOffline: (bytes, maxBytes) => readBundle(bytes, { format: "github-rest", maxBytes }),
};

const saved = DRIVERS.github;
let once = 0;

beforeAll(async () => {
  process.env.ATTEST_SECRET_KEY = "test-master-key-for-connectors-0123456789";
  DRIVERS.github = testDriver;
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  admin = await actorByEmail(t, "admin@example.com");
  analyst = await actorByEmail(t, "ana@example.com");
  fake = await startFakeVendor((req) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return { status: 401, json: { message: "Bad credentials for token tok-..." } };
    if (mode === "throttle") return { status: 429, headers: { "retry-after": "0" } };
    if (mode === "throttle-once" && once++ === 0) return { status: 429, headers: { "retry-after": "0" } };
    if (mode === "garbage") return { json: { surprise: true } };
    const page = Number(req.query.get("page") ?? "1");
    const slice = people.slice((page - 1) * 2, page * 2);
    const more = page * 2 < people.length;
    return { json: slice, headers: more ? { link: `<${fake.url}/people?page=${page + 1}>; rel="next"` } : {} };
  });
  await updateOutboundSettings(t.db, admin, { allowHosts: [], allowPrivateRanges: ["127.0.0.1"] });
});
afterAll(async () => {
  DRIVERS.github = saved;
  await fake.close();
  await t.cleanup();
});
beforeEach(() => {
  mode = "ok";
  once = 0;
  people = [
    { id: "1", name: "Ada", team: "platform" },
    { id: "2", name: "Bob", team: "platform" },
    { id: "3", name: "Cy", team: "data" },
  ];
});

let connectorId: string;
const source = "directory-test";
const run = async (m: "full" | "incremental" = "full") => {
  const queued = await requestRun(t.db, admin, connectorId, { mode: m });
  return executeRun(t.db, queued.id, { maxRetries: 2, baseDelayMs: 1 });
};
const current = () =>
  rows<{ kind: string; externalId: string }>(
    t.db,
    sql`select n.kind, n.external_id as "externalId" from nodes n join sources s on s.id = n.source_id where s.name = ${source} and n.valid_to is null order by 1, 2`,
  );
const totals = async () => ({
  nodes: (await t.db.select({ n: count() }).from(nodes))[0]!.n,
  edges: (await t.db.select({ n: count() }).from(edges))[0]!.n,
  version: await graphVersion(t.db),
});

describe("connectors: admin operations", () => {
  it("refuses to store a credential without ATTEST_SECRET_KEY, and stores it sealed with it", async () => {
    const key = process.env.ATTEST_SECRET_KEY;
    delete process.env.ATTEST_SECRET_KEY;
    await expect(
      createConnector(t.db, admin, { name: "Directory", kind: "github", sourceName: source, settings: { baseUrl: fake.url }, credential: { token: TOKEN } }),
    ).rejects.toThrow(/ATTEST_SECRET_KEY is not set/);
    process.env.ATTEST_SECRET_KEY = key;
    const c = await createConnector(t.db, admin, {
      name: "Directory",
      kind: "github",
      sourceName: source,
      settings: { baseUrl: fake.url },
      credential: { token: TOKEN },
      schedule: "0 2 * * *",
    });
    connectorId = c.id;
    expect(c).toMatchObject({ credentialSet: true, scheduleText: "every day at 02:00 UTC", sourceName: source });
    expect(JSON.stringify(c)).not.toContain(TOKEN);
    const [row] = await t.db.select().from(connectors).where(eq(connectors.id, c.id));
    expect(JSON.stringify(row)).not.toContain(TOKEN);
    const events = await t.db.select().from(auditEvents);
    expect(events.some((e) => e.action === "connector.create")).toBe(true);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it("validates settings and credentials by the driver's schema, naming the field and never the value", async () => {
    const err = await createConnector(t.db, admin, {
      name: "Bad",
      kind: "github",
      settings: { baseUrl: "not a url at all", extra: 1 },
      credential: { token: "x" },
    }).catch((e: unknown) => e);
    expect((err as { details: { path: string }[] }).details.map((d) => d.path)).toEqual(expect.arrayContaining(["settings.baseUrl", "settings.extra"]));
    expect(JSON.stringify(err)).not.toContain("not a url at all");
    await expect(createConnector(t.db, admin, { name: "Bad", kind: "github", settings: { baseUrl: fake.url }, schedule: "* * * * *" })).rejects.toThrow(
      /15 minutes/,
    );
    // Settings are shown back and audited: a secret typed into one (a URL with a password) is refused by its path.
    const leaky = await createConnector(t.db, admin, {
      name: "Leaky",
      kind: "github",
      settings: { baseUrl: "https://ops:Zq8v4LmT2wXr9pKd@directory.example/api" },
    }).catch((e: unknown) => e);
    expect((leaky as { details: { path: string }[] }).details[0]!.path).toBe("settings.baseUrl");
    expect(JSON.stringify(leaky)).not.toContain("Zq8v4LmT2wXr9pKd");
    await expect(createConnector(t.db, analyst, { name: "X", kind: "github" })).rejects.toThrow(/permission/);
    await expect(createConnector(t.db, admin, { name: "Directory", kind: "github", settings: { baseUrl: fake.url } })).rejects.toThrow(/already exists/);
  });

  it("answers a stale edit with 409 and audits a real one with before and after", async () => {
    const c = await getConnector(t.db, analyst, connectorId);
    await updateConnector(t.db, admin, connectorId, { scheduleMode: "incremental", expectedVersion: c.version });
    await expect(updateConnector(t.db, admin, connectorId, { enabled: false, expectedVersion: c.version })).rejects.toThrow(/changed since you opened it/);
    const back = await updateConnector(t.db, admin, connectorId, { scheduleMode: "full" });
    expect(back.version).toBe(c.version + 2);
  });
});

describe("connectors: runs", () => {
  it("tests the connection, and says what failed with a bad credential", async () => {
    expect(await testConnector(t.db, admin, connectorId)).toMatchObject({ ok: true, message: "directory reached" });
    const other = await createConnector(t.db, admin, {
      name: "Wrong token",
      kind: "github",
      sourceName: "wrong-token",
      settings: { baseUrl: fake.url },
      credential: { token: "tok-wrong-0000000000" },
    });
    const r = await testConnector(t.db, admin, other.id);
    expect(r).toMatchObject({ ok: false, code: "auth_failed" });
    expect(r.message).not.toMatch(/Bad credentials|tok-/);
    await deleteConnector(t.db, admin, other.id);
  });

  it("runs full, then incremental with a change, then full with a deletion", async () => {
    const first = await run("full");
    expect(first).toMatchObject({ status: "succeeded", errorCode: null });
    expect(first.counts).toMatchObject({ nodesByKind: { human: 3, group: 2 }, edgesByKind: { member_of: 3 }, calls: 2, retries: 0 });
    expect(await current()).toHaveLength(5);

    people.push({ id: "4", name: "Dee", team: "data" });
    people.splice(0, 1); // Ada is gone from the system, but an incremental run does not end anyone
    const inc = await run("incremental");
    expect(inc.status).toBe("succeeded");
    expect((await current()).map((n) => n.externalId)).toEqual(["data", "platform", "1", "2", "3", "4"]);

    const full = await run("full");
    expect(full.status).toBe("succeeded");
    expect((await current()).map((n) => n.externalId)).toEqual(["data", "platform", "2", "3", "4"]);
    const [ada] = await rows<{ validTo: string | null }>(
      t.db,
      sql`select valid_to as "validTo" from nodes where external_id = '1' and kind = 'human' and source_id = (select id from sources where name = ${source})`,
    );
    expect(ada?.validTo).toEqual(expect.any(String));
  });

  it("retries throttling within its limit", async () => {
    mode = "throttle-once";
    const r = await run("full");
    expect(r.status).toBe("succeeded");
    expect(r.counts?.retries).toBe(1);
  });

  it("fails a run with a clear message and writes nothing: throttling beyond retries, a bad credential, a malformed answer", async () => {
    const before = await totals();
    mode = "throttle";
    const throttled = await run("full");
    expect(throttled).toMatchObject({ status: "failed", errorCode: "throttled", importId: null });
    expect(throttled.errorMessage).toMatch(/gave up after 2 retries/);

    mode = "garbage";
    const malformed = await run("full");
    expect(malformed).toMatchObject({ status: "failed", errorCode: "malformed" });
    expect(malformed.errors[0]).toEqual({ path: "people", message: "must be a list" });

    mode = "ok";
    await setConnectorCredential(t.db, admin, connectorId, { credential: { token: "tok-expired-111111111" } });
    const refused = await run("full");
    expect(refused).toMatchObject({ status: "failed", errorCode: "auth_failed" });
    expect(refused.errorMessage).not.toMatch(/vendor said|Bad credentials|tok-/);
    expect(await totals()).toEqual(before);
    await setConnectorCredential(t.db, admin, connectorId, { credential: { token: TOKEN } });
  });

  it("keeps one open run per connector", async () => {
    const queued = await requestRun(t.db, admin, connectorId, {});
    await expect(requestRun(t.db, admin, connectorId, {})).rejects.toThrow(/already queued or running/);
    await executeRun(t.db, queued.id);
    // A second delivery of the same job finds the run finished and changes nothing.
    const again = await executeRun(t.db, queued.id);
    expect(again.status).toBe("succeeded");
  });

  it("queues each schedule slot once, and only for enabled connectors with a credential", async () => {
    await updateConnector(t.db, admin, connectorId, { schedule: "0 2 * * *" });
    const [row] = await t.db.select().from(connectors).where(eq(connectors.id, connectorId));
    const nextDay = new Date(row!.lastScheduledAt!.getTime() + 24 * 3600_000);
    const at = new Date(Date.UTC(nextDay.getUTCFullYear(), nextDay.getUTCMonth(), nextDay.getUTCDate(), 2, 0, 30));
    const queued = await queueDueRuns(t.db, at);
    expect(queued).toHaveLength(1);
    expect(await queueDueRuns(t.db, new Date(at.getTime() + 60_000))).toEqual([]);
    const [r] = await t.db.select().from(connectorRuns).where(eq(connectorRuns.id, queued[0]!));
    expect(r).toMatchObject({ trigger: "schedule", status: "queued", actorLabel: "scheduler" });
    expect((await executeRun(t.db, r!.id)).status).toBe("succeeded");
    await updateConnector(t.db, admin, connectorId, { enabled: false });
    expect(await queueDueRuns(t.db, new Date(at.getTime() + 24 * 3600_000))).toEqual([]);
    await updateConnector(t.db, admin, connectorId, { enabled: true });
  });

  it("fails a run left running by an instance that died", async () => {
    const queued = await requestRun(t.db, admin, connectorId, {});
    await t.db.insert(appInstances).values({ id: "ins-dead", pid: 1, host: "gone", startedAt: new Date(0), heartbeatAt: new Date(0) } as never);
    await t.db.update(connectorRuns).set({ status: "running", instanceId: "ins-dead" }).where(eq(connectorRuns.id, queued.id));
    expect(await failInterruptedRuns(t.db, t.kind)).toBe(1);
    const [r] = await t.db.select().from(connectorRuns).where(eq(connectorRuns.id, queued.id));
    expect(r).toMatchObject({ status: "failed", errorCode: "interrupted" });
  });

  it("never lets the vendor's words or the credential into a run's record", async () => {
    const all = await t.db.select().from(connectorRuns).where(isNull(connectorRuns.importId));
    const text = JSON.stringify(all);
    expect(text).not.toMatch(/Bad credentials|vendor said|tok-9f8e|tok-expired/);
    expect(new ConnectorError("auth_failed", { httpStatus: 401, call: "GET people" }).message).toBe(
      "auth_failed: the credential was refused (wrong, expired or revoked): enter a new one; HTTP 401; at GET people",
    );
  });
});

describe("offline bundles and live runs agree", () => {
  it("converts the live run's bundle and its JSON layout to the same document", () => {
    const b = new AnswerBundle();
    b.add("people", [{ id: "1", name: "Ada", team: "x" }]);
    const back = readBundle(new TextEncoder().encode(JSON.stringify(b.toJSON("github-rest"))), { format: "github-rest", maxBytes: 1e6 });
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    const opts = { source: "s", mode: "full" as const, settings: testDriver.defaultSettings };
    expect(testDriver.convert(back.bundle, opts)).toEqual(testDriver.convert(b, opts));
  });
});
