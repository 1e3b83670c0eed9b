/** A gateway test world for the decision point's db tests (imported by *.test.ts only). */
import { eq } from "drizzle-orm";
import { appUserRoles, appUsers } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { systemActor } from "@/lib/authz/actor";
import type { Role } from "@/lib/authz/roles";
import { decodeGraphDocument, type DecodedImport } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { nodeId } from "@/lib/campaigns/test-helpers";
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import type { TestDatabase } from "@/lib/testing/test-db";

export const READ_ONLY = { readOnlyHint: true, openWorldHint: false };
export const DESTRUCTIVE = { readOnlyHint: false, destructiveHint: true, openWorldHint: false };

/**
 * The `gw` source: agent-x connects to srv (owned by olga) which exposes read_thing (read-only) and drop_thing
 * (declares itself destructive); tom (terminated) connects too; alice is a person agent-x may act for.
 * `withAgentEdge: false` leaves agent-x's connects_to out (a full import then ends it).
 */
export function gatewayDoc(opts: { withAgentEdge?: boolean; tomStatus?: string } = {}): DecodedImport {
  const doc = decodeGraphDocument({
    source: "gw",
    mode: "full",
    nodes: [
      { kind: "human", externalId: "alice@example.com", name: "Alice", attributes: { email: "alice@example.com", status: "active" } },
      { kind: "human", externalId: "olga", name: "Olga Owner", attributes: { email: "olga@example.com", status: "active" } },
      { kind: "human", externalId: "tom", name: "Tom", attributes: { status: opts.tomStatus ?? "terminated" } },
      { kind: "agent", externalId: "agent-x", name: "Agent X", attributes: { status: "active" } },
      { kind: "mcp_server", externalId: "srv", name: "srv" },
      { kind: "tool", externalId: "srv/read_thing", name: "read_thing", attributes: { annotations: READ_ONLY } },
      { kind: "tool", externalId: "srv/drop_thing", name: "drop_thing", attributes: { annotations: DESTRUCTIVE } },
    ],
    edges: [
      ...(opts.withAgentEdge === false
        ? []
        : [{ kind: "connects_to", from: { kind: "agent", externalId: "agent-x" }, to: { kind: "mcp_server", externalId: "srv" } }]),
      { kind: "connects_to", from: { kind: "human", externalId: "tom" }, to: { kind: "mcp_server", externalId: "srv" } },
      { kind: "exposes", from: { kind: "mcp_server", externalId: "srv" }, to: { kind: "tool", externalId: "srv/read_thing" } },
      { kind: "exposes", from: { kind: "mcp_server", externalId: "srv" }, to: { kind: "tool", externalId: "srv/drop_thing" } },
      { kind: "owns", from: { kind: "human", externalId: "olga" }, to: { kind: "mcp_server", externalId: "srv" }, attributes: { role: "technical" } },
    ],
  });
  if ("errors" in doc) throw new Error(`bad test document: ${JSON.stringify(doc.errors)}`);
  return doc;
}

export async function importGateway(t: TestDatabase, opts: Parameters<typeof gatewayDoc>[0] = {}): Promise<void> {
  const r = await runImport(t.db, systemActor("pdp-test"), gatewayDoc(opts), { format: "graph" });
  if (r.status !== "succeeded") throw new Error(`import ${r.status}`);
}

export interface GatewayWorld {
  ids: { agent: string; alice: string; olga: string; tom: string; srv: string; read: string; drop: string };
  tokens: Record<Role, string>;
  olgaUserId: string;
}

/** smallGraph's people, the gw source, olga's reviewer account (she owns srv), and a token per role. */
export async function gatewayWorld(t: TestDatabase): Promise<GatewayWorld> {
  await seedGraph(t.db, smallGraph());
  await importGateway(t);
  const ids = {
    agent: await nodeId(t.db, "Agent X"),
    alice: await nodeId(t.db, "Alice"),
    olga: await nodeId(t.db, "Olga Owner"),
    tom: await nodeId(t.db, "Tom"),
    srv: await nodeId(t.db, "srv"),
    read: await nodeId(t.db, "read_thing"),
    drop: await nodeId(t.db, "drop_thing"),
  };
  await t.db.insert(appUsers).values({ id: "usr_olga", email: "olga@example.com", name: "Olga Owner", humanNodeId: ids.olga });
  await t.db.insert(appUserRoles).values({ userId: "usr_olga", role: "reviewer" });
  await t.db.insert(appUsers).values({ id: "usr_gw", email: "gateway@example.com", name: "Gateway" });
  await t.db.insert(appUserRoles).values({ userId: "usr_gw", role: "pdp" });
  const admin = await actorByEmail(t, "admin@example.com");
  const emails: Record<Role, string> = {
    admin: "admin@example.com",
    analyst: "ana@example.com",
    reviewer: "ada@example.com",
    auditor: "audit@example.com",
    pdp: "gateway@example.com",
  };
  const tokens = {} as Record<Role, string>;
  for (const [role, email] of Object.entries(emails) as [Role, string][]) {
    const [u] = await t.db.select({ id: appUsers.id }).from(appUsers).where(eq(appUsers.email, email));
    tokens[role] = (await createApiToken(t.db, admin, { name: role, userId: u!.id, roles: [role] })).token;
  }
  return { ids, tokens, olgaUserId: "usr_olga" };
}

/** Calls a route handler as an HTTP client would. */
export async function callRoute(
  handler: (req: Request, ctx: { params: Promise<Record<string, never>> }) => Promise<Response>,
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> },
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { "x-forwarded-for": `pdp-test:${url}`, ...(init.headers ?? {}) };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await handler(
    new Request(`http://attest.test${url}`, {
      method: init.method ?? "POST",
      headers,
      body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}
