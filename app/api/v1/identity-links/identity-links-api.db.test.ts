import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, identityLinkOverrides } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { systemActor } from "@/lib/authz/actor";
import { refreshIdentityLinks } from "@/lib/connectors/linking";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { GET as linksRoute } from "../nodes/[id]/links/route";
import { DELETE as deleteOverride } from "./overrides/[id]/route";
import { GET as listOverrides, POST as postOverride } from "./overrides/route";
import { POST as refreshRoute } from "./refresh/route";

type Role = "admin" | "analyst" | "auditor" | "reviewer";
type Handler = (req: Request, ctx: never) => Promise<Response>;

let t: TestDatabase;
const tokens = {} as Record<Role, string>;
const ids = { okta: "", github: "", grace: "" };

async function call(handler: Handler, role: Role, method: string, url: string, opts: { body?: unknown; id?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens[role]}` };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await handler(
    new Request(`http://attest.test${url}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) }),
    { params: Promise.resolve(opts.id ? { id: opts.id } : {}) } as never,
  );
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, text, json: (text ? JSON.parse(text) : null) as any };
}

const nodeId = async (source: string, externalId: string) =>
  (
    (await t.db.execute(
      sql`select n.id from nodes n join sources s on s.id = n.source_id where s.name = ${source} and n.external_id = ${externalId}`,
    )) as unknown as {
      rows: { id: string }[];
    }
  ).rows[0]!.id;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  const users: Record<Role, string> = { admin: "admin@example.com", analyst: "ana@example.com", reviewer: "ada@example.com", auditor: "audit@example.com" };
  for (const role of Object.keys(users) as Role[]) {
    const u = await actorByEmail(t, users[role]);
    tokens[role] = (await createApiToken(t.db, admin, { name: role, userId: u.id, roles: [role] })).token;
  }
  // Ada's GitHub account states the same address as her Okta one.
  await runImport(
    t.db,
    systemActor("test"),
    decodeConverted(
      {
        source: "github-org",
        mode: "full",
        nodes: [{ kind: "human", externalId: "ada-gh", name: "ada-gh", attributes: { email: "ada@example.com" } }],
        edges: [],
      },
      { warnings: [] },
    ),
    { format: "graph", fileName: "test" },
  );
  await refreshIdentityLinks(t.db);
  ids.okta = await nodeId("okta", "00u1");
  ids.github = await nodeId("github-org", "ada-gh");
  ids.grace = await nodeId("okta", "00u2");
});
afterAll(() => t.cleanup());

describe("identity links", () => {
  it("a person's page lists the same person's accounts elsewhere with the rule (graph.read); reviewers are refused; unknown nodes 404", async () => {
    for (const role of ["admin", "analyst", "auditor"] as const) {
      const r = await call(linksRoute, role, "GET", `/api/v1/nodes/${ids.okta}/links`, { id: ids.okta });
      expect(r.status).toBe(200);
      expect(r.json.items).toEqual([expect.objectContaining({ direction: "out", otherId: ids.github, otherSource: "github-org", rule: "email" })]);
    }
    const other = await call(linksRoute, "analyst", "GET", `/api/v1/nodes/${ids.github}/links`, { id: ids.github });
    expect(other.json.items).toEqual([expect.objectContaining({ direction: "in", otherId: ids.okta })]);
    expect((await call(linksRoute, "reviewer", "GET", `/api/v1/nodes/${ids.okta}/links`, { id: ids.okta })).status).toBe(403);
    expect(
      (await call(linksRoute, "admin", "GET", "/api/v1/nodes/hum_00000000000000000000000000/links", { id: "hum_00000000000000000000000000" })).status,
    ).toBe(404);
    expect((await call(linksRoute, "admin", "GET", `/api/v1/nodes/${ids.okta}/links?sort=x`, { id: ids.okta })).status).toBe(400);
  });

  it("an admin keeps two accounts apart (never): audited in the same write, applied when the linking job runs; analysts cannot", async () => {
    const body = { personNodeId: ids.okta, accountNodeId: ids.github, decision: "never", reason: "different people" };
    expect((await call(postOverride, "analyst", "POST", "/api/v1/identity-links/overrides", { body })).status).toBe(403);
    const r = await call(postOverride, "admin", "POST", "/api/v1/identity-links/overrides", { body });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ decision: "never", personRef: "okta:human:00u1", accountRef: "github-org:human:ada-gh", linkingQueued: false });
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.action} = 'identity_link.override.set' and ${auditEvents.targetId} = ${r.json.id}`);
    expect(event).toBeDefined();
    // Pending until the job runs.
    expect((await call(linksRoute, "admin", "GET", `/api/v1/nodes/${ids.okta}/links`, { id: ids.okta })).json.total).toBe(1);
    await refreshIdentityLinks(t.db);
    expect((await call(linksRoute, "admin", "GET", `/api/v1/nodes/${ids.okta}/links`, { id: ids.okta })).json.total).toBe(0);
    const list = await call(listOverrides, "auditor", "GET", "/api/v1/identity-links/overrides");
    expect(list.json.items).toHaveLength(1);

    // Withdrawn: the rule links them again on the next run.
    expect((await call(deleteOverride, "analyst", "DELETE", `/api/v1/identity-links/overrides/${r.json.id}`, { id: r.json.id })).status).toBe(403);
    const del = await call(deleteOverride, "admin", "DELETE", `/api/v1/identity-links/overrides/${r.json.id}`, { id: r.json.id });
    expect(del.status).toBe(200);
    expect((await call(deleteOverride, "admin", "DELETE", `/api/v1/identity-links/overrides/${r.json.id}`, { id: r.json.id })).status).toBe(404);
    await refreshIdentityLinks(t.db);
    expect((await call(linksRoute, "admin", "GET", `/api/v1/nodes/${ids.okta}/links`, { id: ids.okta })).json.total).toBe(1);
  });

  it("an admin links an account by node id: the two are one person after the linking job runs", async () => {
    const r = await call(postOverride, "admin", "POST", "/api/v1/identity-links/overrides", {
      body: { personNodeId: ids.okta, accountNodeId: ids.grace, decision: "link" },
    });
    expect(r.status).toBe(201);
    await refreshIdentityLinks(t.db);
    const links = await call(linksRoute, "admin", "GET", `/api/v1/nodes/${ids.okta}/links`, { id: ids.okta });
    // Which account stands for the person depends on the sources' rank and age, so either direction.
    expect(links.json.items).toEqual(expect.arrayContaining([expect.objectContaining({ otherId: ids.grace })]));
    const grace = await call(linksRoute, "admin", "GET", `/api/v1/nodes/${ids.grace}/links`, { id: ids.grace });
    expect(grace.json.total).toBeGreaterThan(0);
  });

  it("invalid overrides answer 400 naming the field, never the value", async () => {
    const marker = `nd-${randomBytes(6).toString("hex")}`;
    const cases: [Record<string, unknown>, string][] = [
      [{ personNodeId: ids.okta, accountNodeId: marker, decision: "link" }, "accountNodeId"],
      [{ personNodeId: ids.okta, accountNodeId: ids.github, decision: marker }, "decision"],
      [{ personNodeId: ids.okta, accountNodeId: ids.okta, decision: "link" }, "accountNodeId"],
      [{ personNodeId: "", accountNodeId: ids.github, decision: "link" }, "personNodeId"],
    ];
    for (const [body, path] of cases) {
      const r = await call(postOverride, "admin", "POST", "/api/v1/identity-links/overrides", { body });
      expect(r.status, path).toBe(400);
      expect(r.json.error.details[0].path).toBe(path);
      expect(r.text).not.toContain(marker);
    }
    const before = await t.db.select().from(identityLinkOverrides);
    expect(before).toHaveLength(1);
  });

  it("refresh queues the linking job for admins only (202)", async () => {
    expect((await call(refreshRoute, "analyst", "POST", "/api/v1/identity-links/refresh")).status).toBe(403);
    const r = await call(refreshRoute, "admin", "POST", "/api/v1/identity-links/refresh");
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ queued: false });
  });
});
