import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents, edges, nodes } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createSource } from "@/lib/admin/sources";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { scim } from "./scim-test-client";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CUSTOM = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User";
const patchOp = (...Operations: object[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });
/** A value that must never come back in an error, a header or a log line. */
const SENTINEL = "S3NT1NEL-value-9f2c";

let t: TestDatabase;
let token: string;
let sourceId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  const created = await createSource(t.db, admin, { name: "lenient-scim", type: "scim" });
  token = created.scimToken;
  sourceId = created.source.id;
});
afterAll(() => t.cleanup());
afterEach(() => {
  delete process.env.ATTEST_SCIM_STRICT;
  delete process.env.ATTEST_SCIM_PATCH_RETURN;
  vi.restoreAllMocks();
});

const call = (method: string, p: string, body?: unknown, headers?: Record<string, string>) => scim(method, p, { token, body, headers });
const nodeOf = async (scimId: string) =>
  (
    await t.db
      .select()
      .from(nodes)
      .where(and(eq(nodes.sourceId, sourceId), eq(nodes.externalId, scimId)))
  )[0]!;
const currentManages = async (toScimId: string) => {
  const to = await nodeOf(toScimId);
  return t.db
    .select()
    .from(edges)
    .where(and(eq(edges.kind, "manages"), eq(edges.toId, to.id), isNull(edges.validTo)));
};

describe("unknown attributes and extensions", () => {
  const body = {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", CUSTOM, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
    userName: "lenient.one",
    shoeSize: SENTINEL,
    name: { givenName: "Len", nickname: SENTINEL },
    emails: [{ value: "len@example.com", type: "work", label: SENTINEL }],
    [CUSTOM]: { tag: SENTINEL },
    [ENTERPRISE]: { department: "Ops", costCentre: SENTINEL },
  };

  it("are ignored with a Warning header and a log line naming their paths, never their values", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const r = await call("POST", "/Users", body);
    expect(r.status).toBe(201);
    const warning = r.headers.get("warning")!;
    expect(warning).toMatch(/^199 - "ignored attributes: .*"$/);
    for (const p of ["schemas[1]", "schemas[2]", "shoeSize", "name.nickname", "emails[0].label", CUSTOM, `${ENTERPRISE}:costCentre`])
      expect(warning).toContain(p);
    expect(warning).not.toContain(SENTINEL);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain("shoeSize");
    expect(String(warn.mock.calls[0]![0])).not.toContain(SENTINEL);
    expect(JSON.stringify(r.body)).not.toContain(SENTINEL);
    expect(r.body).toMatchObject({ userName: "lenient.one", name: { givenName: "Len" }, [ENTERPRISE]: { department: "Ops" } });
    const stored = await nodeOf(r.body.id);
    expect(JSON.stringify(stored)).not.toContain(SENTINEL);
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, stored.id));
    expect(JSON.stringify(audit)).not.toContain(SENTINEL);
  });

  it("are refused, with nothing written, when the source is strict (ATTEST_SCIM_STRICT)", async () => {
    process.env.ATTEST_SCIM_STRICT = "some-other,lenient-scim";
    const before = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(nodes)
      .where(eq(nodes.sourceId, sourceId));
    const r = await call("POST", "/Users", { ...body, userName: "strict.one" });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ scimType: "invalidValue" });
    expect(JSON.stringify(r.body)).not.toContain(SENTINEL);
    const after = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(nodes)
      .where(eq(nodes.sourceId, sourceId));
    expect(after).toEqual(before);
  });

  it("a header-breaking key is named safely", async () => {
    const r = await call("POST", "/Users", { userName: "odd.key", 'bad"key\r\nX-Injected: 1': 1 });
    expect(r.status).toBe(201);
    expect(r.headers.get("warning")).toContain("bad?key??X-Injected:?1");
    expect(r.headers.get("x-injected")).toBeNull();
  });
});

describe("a manager that is not (yet) a User", () => {
  it("is kept as a pending reference and linked, audited, when that user arrives; once only", async () => {
    const report = await call("POST", "/Users", { userName: "report.one", [ENTERPRISE]: { manager: { value: "boss-ext-1" } } });
    expect(report.status).toBe(201);
    expect(report.body[ENTERPRISE].manager.value).toBe("boss-ext-1");
    expect((await nodeOf(report.body.id)).attributes).toMatchObject({ managerId: "boss-ext-1", managerPending: true });
    expect(await currentManages(report.body.id)).toHaveLength(0);

    const boss = await call("POST", "/Users", { userName: "boss.one", externalId: "boss-ext-1" }, { "x-request-id": "req-boss-arrives" });
    expect(boss.status).toBe(201);
    const bossNode = await nodeOf(boss.body.id);
    expect((await currentManages(report.body.id)).map((e) => e.fromId)).toEqual([bossNode.id]);
    expect((await nodeOf(report.body.id)).attributes).not.toHaveProperty("managerPending");
    const resolved = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "scim.user.manager_resolved"));
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ requestId: "req-boss-arrives", actorId: "system:scim:lenient-scim", targetId: (await nodeOf(report.body.id)).id });

    // The manager written again, and the report re-sent: still one edge, no second resolution.
    expect((await call("PUT", `/Users/${boss.body.id}`, { userName: "boss.one", externalId: "boss-ext-1" })).status).toBe(200);
    expect((await call("PUT", `/Users/${report.body.id}`, { userName: "report.one", [ENTERPRISE]: { manager: { value: "boss-ext-1" } } })).status).toBe(200);
    expect(await currentManages(report.body.id)).toHaveLength(1);
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.action, "scim.user.manager_resolved"))).toHaveLength(1);

    // The manager deleted: the report waits again, and a new user with that externalId is linked.
    expect((await call("DELETE", `/Users/${boss.body.id}`)).status).toBe(204);
    expect((await nodeOf(report.body.id)).attributes.managerPending).toBe(true);
    const next = (await call("POST", "/Users", { userName: "boss.again", externalId: "boss-ext-1" })).body;
    expect((await currentManages(report.body.id)).map((e) => e.fromId)).toEqual([(await nodeOf(next.id)).id]);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });

  it("by SCIM id links at once, also as Entra ID's one-element list; ambiguous externalIds stay pending", async () => {
    const boss = (await call("POST", "/Users", { userName: "boss.two" })).body;
    const emp = (await call("POST", "/Users", { userName: "emp.two" })).body;
    const r = await call("PATCH", `/Users/${emp.id}`, patchOp({ op: "Add", path: "manager", value: [{ $ref: `http://x/Users/${boss.id}`, value: boss.id }] }));
    expect(r.status).toBe(200);
    expect((await currentManages(emp.id)).map((e) => e.fromId)).toEqual([(await nodeOf(boss.id)).id]);

    await call("POST", "/Users", { userName: "twin.a", externalId: "twin" });
    await call("POST", "/Users", { userName: "twin.b", externalId: "twin" });
    const child = (await call("POST", "/Users", { userName: "child", [ENTERPRISE]: { manager: { value: "twin" } } })).body;
    expect(await currentManages(child.id)).toHaveLength(0);
    expect((await nodeOf(child.id)).attributes.managerPending).toBe(true);
  });

  it("is refused by a strict source, naming the path and not the value; so is being one's own manager", async () => {
    process.env.ATTEST_SCIM_STRICT = "1";
    const r = await call("POST", "/Users", { userName: "strict.report", [ENTERPRISE]: { manager: { value: SENTINEL } } });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain("manager.value");
    expect(JSON.stringify(r.body)).not.toContain(SENTINEL);
    delete process.env.ATTEST_SCIM_STRICT;
    const self = await call("POST", "/Users", { userName: "narcissus", externalId: "me", [ENTERPRISE]: { manager: { value: "me" } } });
    expect(self.status).toBe(400);
  });
});

describe("PATCH: extra members, Prefer and the configured answer", () => {
  let id: string;
  beforeAll(async () => {
    id = (await call("POST", "/Users", { userName: "patchy" })).body.id;
  });

  it("ignores members a PatchOp does not define (id, name) with a warning; strict refuses them", async () => {
    const body = { ...patchOp({ op: "Replace", name: "setTitle", path: "title", value: "Chief" }), id, name: "update" };
    const r = await call("PATCH", `/Users/${id}`, body);
    expect(r.status).toBe(200);
    expect(r.body.title).toBe("Chief");
    for (const p of ["id", "name", "Operations[0].name"]) expect(r.headers.get("warning")).toContain(p);
    process.env.ATTEST_SCIM_STRICT = "lenient-scim";
    expect((await call("PATCH", `/Users/${id}`, body)).body).toMatchObject({ status: "400", scimType: "invalidSyntax" });
  });

  it("ignores operations on unknown attributes when lenient, applying the rest", async () => {
    const r = await call(
      "PATCH",
      `/Users/${id}`,
      patchOp({ op: "replace", path: "shoeSize", value: SENTINEL }, { op: "replace", value: { title: "Guide", [CUSTOM]: { tag: SENTINEL } } }),
    );
    expect(r.status).toBe(200);
    expect(r.body.title).toBe("Guide");
    expect(r.headers.get("warning")).toContain("shoeSize");
    expect(JSON.stringify(r.body) + r.headers.get("warning")).not.toContain(SENTINEL);
  });

  it("answers 204 with the ETag for Prefer: return=minimal or ATTEST_SCIM_PATCH_RETURN=minimal; Prefer wins", async () => {
    const minimal = await call("PATCH", `/Users/${id}`, patchOp({ op: "replace", path: "title", value: "A" }), { prefer: "return=minimal" });
    expect(minimal.status).toBe(204);
    expect(minimal.body).toBeNull();
    expect(minimal.headers.get("etag")).toMatch(/^W\/"/);
    expect(minimal.headers.get("preference-applied")).toBe("return=minimal");
    expect((await call("GET", `/Users/${id}`)).headers.get("etag")).toBe(minimal.headers.get("etag"));
    process.env.ATTEST_SCIM_PATCH_RETURN = "minimal";
    expect((await call("PATCH", `/Users/${id}`, patchOp({ op: "replace", path: "title", value: "B" }))).status).toBe(204);
    const full = await call("PATCH", `/Users/${id}`, patchOp({ op: "replace", path: "title", value: "C" }), { prefer: "return=representation" });
    expect(full.status).toBe(200);
    expect(full.body.title).toBe("C");
  });
});

describe("attributes and excludedAttributes with value filters", () => {
  let id: string;
  beforeAll(async () => {
    const emails = [
      { type: "work", value: "w@example.com", primary: true },
      { type: "home", value: "h@example.com" },
    ];
    id = (await call("POST", "/Users", { userName: "filtered", displayName: "Filtered", emails })).body.id;
  });

  it("select the matching elements, whole or one sub-attribute, on GET and on lists", async () => {
    const whole = await call("GET", `/Users/${id}?attributes=${encodeURIComponent('emails[type eq "work"]')}`);
    expect(whole.body).toEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      id,
      emails: [{ type: "work", value: "w@example.com", primary: true }],
    });
    const value = await call("GET", `/Users/${id}?attributes=${encodeURIComponent('emails[type eq "work"].value,displayName')}`);
    expect(value.body).toEqual({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], id, emails: [{ value: "w@example.com" }], displayName: "Filtered" });
    const excluded = await call("GET", `/Users/${id}?excludedAttributes=${encodeURIComponent('emails[type eq "home"]')}`);
    expect(excluded.body.emails).toEqual([{ type: "work", value: "w@example.com", primary: true }]);
    expect(excluded.body.userName).toBe("filtered");
    const list = await call(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "filtered"')}&attributes=${encodeURIComponent('emails[value eq "h@example.com"].type')}`,
    );
    expect(list.body.Resources).toEqual([{ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], id, emails: [{ type: "home" }] }]);
  });

  it("a malformed one is a 400 naming the parameter, not quoting it", async () => {
    const r = await call("GET", `/Users/${id}?attributes=${encodeURIComponent(`emails[value eq "${SENTINEL}"`)}`);
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain("attributes[0]");
    expect(JSON.stringify(r.body)).not.toContain(SENTINEL);
  });
});

it("/serviceConfiguration answers as /ServiceProviderConfig", async () => {
  const alias = await call("GET", "/serviceConfiguration");
  expect(alias.status).toBe(200);
  expect(alias.body).toEqual((await call("GET", "/ServiceProviderConfig")).body);
});

describe("SCIM error messages never quote input values", () => {
  const q = encodeURIComponent;
  const cases: [string, () => ReturnType<typeof call>][] = [
    ["an unknown user id", () => call("GET", `/Users/${SENTINEL}`)],
    ["an unknown group id in PATCH", () => call("PATCH", `/Groups/${SENTINEL}`, patchOp({ op: "add", path: "members", value: [{ value: "x" }] }))],
    ["a malformed filter", () => call("GET", `/Users?filter=${q(`userName eq "${SENTINEL}" ${SENTINEL}`)}`)],
    ["a filter with a bad escape", () => call("GET", `/Users?filter=${q(`userName eq "${SENTINEL}\\q"`)}`)],
    ["a filter missing its operator", () => call("GET", `/Users?filter=${q(`${SENTINEL}`)}`)],
    ["a taken userName", async () => (await call("POST", "/Users", { userName: SENTINEL }), call("POST", "/Users", { userName: SENTINEL }))],
    ["unknown group members", () => call("POST", "/Groups", { displayName: "g", members: [{ value: SENTINEL }] })],
    ["a wrong type", () => call("POST", "/Users", { userName: "typed", active: SENTINEL })],
    ["a malformed PATCH path", () => call("PATCH", `/Users/${SENTINEL}`, patchOp({ op: "replace", path: `emails[value eq "${SENTINEL}"`, value: "x" }))],
    ["an unknown endpoint", () => call("GET", `/${SENTINEL}`)],
  ];
  for (const [what, run] of cases) {
    it(what, async () => {
      const r = await run();
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(JSON.stringify(r.body)).not.toContain(SENTINEL);
    });
  }
});
