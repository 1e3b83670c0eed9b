import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appUserRoles, appUsers } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken, revokeApiToken } from "@/lib/admin/api-tokens";
import type { Role } from "@/lib/authz/roles";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";

/**
 * Which roles may call each API operation. Every route handler under app/api
 * must have an entry: a new endpoint without one fails this test, so nobody
 * ships an endpoint whose access was never decided. "public" = no authentication.
 * Object-level rules (a reviewer's own items) are tested where they live; here a
 * permitted role may get 400 or 404 for the dummy input, never 401 or 403.
 */
const MATRIX: Record<string, Role[] | "public"> = {
  "GET /api/health": "public",
  "GET /api/v1/openapi.json": "public",
  "GET /api/v1/nodes": ["admin", "analyst", "auditor"],
  "GET /api/v1/nodes/{id}": ["admin", "analyst", "auditor"],
  "GET /api/v1/nodes/{id}/neighbors": ["admin", "analyst", "auditor"],
  "GET /api/v1/nodes/{id}/findings": ["admin", "analyst", "auditor"],
  "GET /api/v1/nodes/{id}/certifications": ["admin", "analyst", "auditor"],
  "GET /api/v1/nodes/{id}/credentials": ["admin", "analyst", "auditor"],
  "GET /api/v1/nodes/{id}/history": ["admin", "analyst", "auditor"],
  "GET /api/v1/nodes/{id}/audit": ["admin", "auditor"],
  "GET /api/v1/mcp/servers": ["admin", "analyst", "auditor"],
  "GET /api/v1/access/who-can-reach": ["admin", "analyst", "auditor"],
  "GET /api/v1/access/reachable-from": ["admin", "analyst", "auditor"],
  "GET /api/v1/access/paths": ["admin", "analyst", "auditor"],
  "GET /api/v1/imports": ["admin", "analyst", "auditor"],
  "POST /api/v1/imports": ["admin", "analyst"],
  "GET /api/v1/imports/{id}": ["admin", "analyst", "auditor"],
  "POST /api/v1/discovery/mcp": ["admin", "analyst"],
  "GET /api/v1/tokens": ["admin"],
  "POST /api/v1/tokens": ["admin"],
  "DELETE /api/v1/tokens/{id}": ["admin"],
  "GET /api/v1/users": ["admin"],
  "PATCH /api/v1/users/{id}": ["admin"],
  "GET /api/v1/settings/outbound": ["admin"],
  "PUT /api/v1/settings/outbound": ["admin"],
  "GET /api/v1/jobs": ["admin"],
  "POST /api/v1/jobs/{id}/retry": ["admin"],
  "GET /api/v1/nodes/{id}/owners": ["admin", "analyst", "reviewer", "auditor"],
  "PUT /api/v1/nodes/{id}/owners": ["admin", "analyst"],
  "GET /api/v1/ownership/coverage": ["admin", "analyst", "auditor"],
  "GET /api/v1/ownership/orphans": ["admin", "analyst", "auditor"],
  "GET /api/v1/ownership/suggestions": ["admin", "analyst", "auditor"],
  "POST /api/v1/ownership/assignments": ["admin", "analyst"],
  "GET /api/v1/ownership/reassignments": ["admin", "analyst", "auditor"],
  "POST /api/v1/ownership/reassignments": ["admin", "analyst"],
  "POST /api/v1/ownership/reassignments/resolve": ["admin", "analyst"],
  "GET /api/v1/ownership/departures": ["admin", "analyst", "auditor"],
  // "My own" routes answer any account with a role about itself (a gateway's account owns nothing, chooses no channel).
  "GET /api/v1/ownership/mine": ["admin", "analyst", "reviewer", "auditor", "pdp"],
  "GET /api/v1/findings": ["admin", "analyst", "auditor"],
  "GET /api/v1/findings/summary": ["admin", "analyst", "auditor"],
  "GET /api/v1/findings/groups": ["admin", "analyst", "auditor"],
  "GET /api/v1/findings/groups/{id}": ["admin", "analyst", "auditor"],
  "GET /api/v1/findings/{id}": ["admin", "analyst", "auditor"],
  "PATCH /api/v1/findings/{id}": ["admin", "analyst"],
  "POST /api/v1/findings/evaluate": ["admin", "analyst"],
  "GET /api/v1/findings/settings": ["admin", "analyst", "auditor"],
  "PUT /api/v1/findings/settings": ["admin", "analyst"],
  "POST /api/v1/findings/campaign": ["admin", "analyst"],
  "GET /api/v1/findings/suppressions": ["admin", "analyst", "auditor"],
  "POST /api/v1/findings/suppressions": ["admin", "analyst"],
  "POST /api/v1/findings/suppressions/{id}/revoke": ["admin", "analyst"],
  "GET /api/v1/findings/acceptances/evidence": ["admin", "auditor"],
  "GET /api/v1/sources": ["admin", "analyst", "auditor"],
  "POST /api/v1/sources": ["admin"],
  "POST /api/v1/sources/{id}/scim-token": ["admin"],
  "PATCH /api/v1/sources/{id}": ["admin"],
  "GET /api/v1/connectors": ["admin", "analyst", "auditor"],
  "POST /api/v1/connectors": ["admin"],
  "GET /api/v1/connectors/kinds": ["admin", "analyst", "auditor"],
  "POST /api/v1/connectors/reseal": ["admin"],
  "GET /api/v1/connectors/{id}": ["admin", "analyst", "auditor"],
  "PATCH /api/v1/connectors/{id}": ["admin"],
  "DELETE /api/v1/connectors/{id}": ["admin"],
  "PUT /api/v1/connectors/{id}/credential": ["admin"],
  "GET /api/v1/connectors/{id}/runs": ["admin", "analyst", "auditor"],
  "POST /api/v1/connectors/{id}/runs": ["admin"],
  "POST /api/v1/connectors/{id}/test": ["admin"],
  "GET /api/v1/nodes/{id}/links": ["admin", "analyst", "auditor"],
  "GET /api/v1/identity-links/overrides": ["admin", "analyst", "auditor"],
  "POST /api/v1/identity-links/overrides": ["admin"],
  "DELETE /api/v1/identity-links/overrides/{id}": ["admin"],
  "POST /api/v1/identity-links/refresh": ["admin"],
  "GET /api/v1/audit/verify": ["admin", "auditor"],
  "GET /api/v1/audit/events": ["admin", "auditor"],
  "GET /api/v1/audit/events/export": ["admin", "auditor"],
  "GET /api/v1/reports/access": ["admin", "auditor"],
  "GET /api/v1/campaigns/{id}/evidence": ["admin", "auditor"],
  "GET /api/v1/campaigns": ["admin", "analyst", "reviewer", "auditor"],
  "POST /api/v1/campaigns": ["admin", "analyst"],
  "POST /api/v1/campaigns/preview": ["admin", "analyst"],
  "POST /api/v1/campaigns/reminders/run": ["admin", "analyst"],
  "GET /api/v1/campaigns/{id}": ["admin", "analyst", "reviewer", "auditor"],
  "GET /api/v1/campaigns/{id}/preview": ["admin", "analyst", "auditor"],
  "POST /api/v1/campaigns/{id}/launch": ["admin", "analyst"],
  "GET /api/v1/campaigns/{id}/items": ["admin", "analyst", "reviewer", "auditor"],
  "POST /api/v1/campaigns/{id}/close": ["admin", "analyst"],
  "POST /api/v1/campaigns/{id}/sign-off": ["admin", "analyst"],
  "GET /api/v1/campaign-templates": ["admin", "analyst", "auditor"],
  "POST /api/v1/campaign-templates": ["admin", "analyst"],
  "GET /api/v1/campaign-templates/{id}": ["admin", "analyst", "auditor"],
  "PATCH /api/v1/campaign-templates/{id}": ["admin", "analyst"],
  "DELETE /api/v1/campaign-templates/{id}": ["admin", "analyst"],
  "POST /api/v1/campaign-templates/{id}/run": ["admin", "analyst"],
  "GET /api/v1/review-items": ["admin", "reviewer"],
  "GET /api/v1/review-items/reviewers": ["admin", "analyst", "reviewer"],
  "POST /api/v1/review-items/decisions": ["admin", "reviewer"],
  "GET /api/v1/review-items/{id}": ["admin", "analyst", "reviewer", "auditor"],
  "POST /api/v1/review-items/{id}/decision": ["admin", "reviewer"],
  "GET /api/v1/campaigns/{id}/deliveries": ["admin", "analyst", "auditor"],
  // Access requests (micro-approvals, lib/requests): who may decide which one is checked per request there.
  "GET /api/v1/access-requests": ["admin", "reviewer"],
  "GET /api/v1/access-requests/{id}": ["admin", "reviewer"],
  "POST /api/v1/access-requests/{id}/decision": ["admin", "reviewer"],
  "GET /api/v1/notifications/channels": ["admin"],
  "POST /api/v1/notifications/channels": ["admin"],
  "GET /api/v1/notifications/channels/{id}": ["admin"],
  "PATCH /api/v1/notifications/channels/{id}": ["admin"],
  "DELETE /api/v1/notifications/channels/{id}": ["admin"],
  "POST /api/v1/notifications/channels/{id}/test": ["admin"],
  "POST /api/v1/notifications/test-email": ["admin"],
  "GET /api/v1/me/notification-preferences": ["admin", "analyst", "reviewer", "auditor", "pdp"],
  "PUT /api/v1/me/notification-preferences": ["admin", "analyst", "reviewer", "auditor", "pdp"],
  "GET /api/v1/remediation/tasks": ["admin", "analyst", "auditor"],
  "GET /api/v1/remediation/tasks/export": ["admin", "analyst", "auditor"],
  "POST /api/v1/remediation/tasks/{id}/complete": ["admin", "analyst"],
  "GET /api/v1/campaigns/triggers": ["admin", "analyst", "auditor"],
  "POST /api/v1/campaigns/triggers": ["admin", "analyst"],
  "GET /api/v1/campaigns/triggers/{id}": ["admin", "analyst", "auditor"],
  "PATCH /api/v1/campaigns/triggers/{id}": ["admin", "analyst"],
  "DELETE /api/v1/campaigns/triggers/{id}": ["admin", "analyst"],
  "GET /api/v1/ssf/transmitters": ["admin"],
  "POST /api/v1/ssf/transmitters": ["admin"],
  "PATCH /api/v1/ssf/transmitters/{id}": ["admin"],
  "GET /api/v1/ssf/events": ["admin"],
  // RFC 8935 push: no session or API token; the SET's signature by a configured transmitter's key authenticates it
  // (lib/campaigns/ssf/verify.ts; refusals are 400 with RFC 8935 error codes, audited).
  "POST /api/v1/ssf/events": "public",
  // The PDP's decision log (issue #20): read by those who govern access; the OCSF export is an audit export.
  "GET /api/v1/pdp/decisions": ["admin", "analyst", "auditor"],
  "GET /api/v1/pdp/decisions/export": ["admin", "auditor"],
  // Gateways' telemetry (OTLP/HTTP JSON): tokens holding usage.ingest (admins, and gateways' pdp tokens).
  "POST /api/v1/usage/otlp/v1/traces": ["admin", "pdp"],
  // The runtime decision point (issue #20): AuthZEN endpoints at the specification's default paths, outside /api.
  "GET /.well-known/authzen-configuration": "public",
  "POST /access/v1/evaluation": ["admin", "analyst", "pdp"],
  "POST /access/v1/evaluations": ["admin", "analyst", "pdp"],
  // Searches list the graph: pdp.evaluate and graph.read both.
  "POST /access/v1/search/subject": ["admin", "analyst"],
  "POST /access/v1/search/resource": ["admin", "analyst"],
  "POST /access/v1/search/action": ["admin", "analyst"],
  "GET /api/v1/pdp/policy": ["admin"],
  "PUT /api/v1/pdp/policy": ["admin"],
};

const ROLES: Role[] = ["admin", "analyst", "reviewer", "auditor", "pdp"];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

interface Operation {
  key: string;
  file: string;
  method: (typeof METHODS)[number];
  url: string;
  params: Record<string, string | string[]>;
}

function operations(): Operation[] {
  const out: Operation[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "route.ts") {
        const segments = path.relative("app", path.dirname(p)).split(path.sep);
        if (segments[1] === "auth") continue; // Auth.js's own endpoints
        const params: Record<string, string | string[]> = {};
        const urlPath = segments.map((s) => {
          const m = /^\[(\.\.\.)?(\w+)\]$/.exec(s);
          if (!m) return s;
          params[m[2]!] = m[1] ? ["x"] : "x";
          return "x";
        });
        const apiPath = `/${segments.map((s) => s.replace(/^\[(\w+)\]$/, "{$1}")).join("/")}`;
        const src = readFileSync(p, "utf8");
        for (const method of METHODS) {
          if (new RegExp(`export (const|async function|function) ${method}\\b|export const \\{[^}]*\\b${method}\\b`).test(src)) {
            out.push({ key: `${method} ${apiPath}`, file: p, method, url: `http://attest.test/${urlPath.join("/")}`, params });
          }
        }
      }
    }
  };
  walk(path.join("app", "api"));
  walk(path.join("app", "access"));
  walk(path.join("app", ".well-known"));
  return out;
}

let t: TestDatabase;
const tokens = {} as Record<Role | "revoked" | "noRole", string>;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  // A gateway's service account: the pdp role only.
  await t.db.insert(appUsers).values({ id: "usr_gateway", email: "gateway@example.com", name: "Gateway" });
  await t.db.insert(appUserRoles).values({ userId: "usr_gateway", role: "pdp" });
  const users: Record<Role, string> = {
    admin: "admin@example.com",
    analyst: "ana@example.com",
    reviewer: "ada@example.com",
    auditor: "audit@example.com",
    pdp: "gateway@example.com",
  };
  for (const role of ROLES) {
    const u = await actorByEmail(t, users[role]);
    tokens[role] = (await createApiToken(t.db, admin, { name: role, userId: u.id, roles: [role] })).token;
  }
  // A person with no role (a first OIDC sign-in): a token made while they held one now acts with none.
  await t.db.insert(appUsers).values({ id: "usr_norole", email: "norole@example.com", name: "No Role" });
  await t.db.insert(appUserRoles).values({ userId: "usr_norole", role: "auditor" });
  tokens.noRole = (await createApiToken(t.db, admin, { name: "no role", userId: "usr_norole", roles: ["auditor"] })).token;
  await t.db.delete(appUserRoles).where(eq(appUserRoles.userId, "usr_norole"));
  const revoked = await createApiToken(t.db, admin, { name: "revoked", roles: ["admin"] });
  await revokeApiToken(t.db, admin, revoked.id);
  tokens.revoked = revoked.token;
});
afterAll(() => t.cleanup());

async function call(op: Operation, token?: string): Promise<number> {
  const mod = (await import(/* @vite-ignore */ path.resolve(op.file))) as Record<string, (req: Request, ctx: unknown) => Promise<Response>>;
  // Each operation calls from its own address: the revoked token's failures would otherwise add up across 100+ routes to the
  // per-address limit on failed bearer attempts (lib/authz/session.ts) and answer 429.
  const headers: Record<string, string> = { "x-forwarded-for": `matrix:${op.key}`, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const hasBody = op.method !== "GET" && op.method !== "DELETE";
  if (hasBody) headers["content-type"] = "application/json";
  const res = await mod[op.method]!(new Request(op.url, { method: op.method, headers, body: hasBody ? "{}" : undefined }), {
    params: Promise.resolve(op.params),
  });
  return res.status;
}

describe("role × action matrix", () => {
  const ops = operations();

  it("every API operation has a matrix entry, and every entry an operation", () => {
    expect(ops.length).toBeGreaterThan(15);
    const missing = ops.filter((o) => !(o.key in MATRIX)).map((o) => o.key);
    expect(missing, "decide who may call these and add them to MATRIX").toEqual([]);
    const stale = Object.keys(MATRIX).filter((k) => !ops.some((o) => o.key === k));
    expect(stale, "these MATRIX entries name no route").toEqual([]);
  });

  for (const op of ops) {
    it(`${op.key}: anonymous, a revoked token, a user with no role, and each role get what the matrix says`, async () => {
      const allowed = MATRIX[op.key];
      if (allowed === undefined) return; // reported by the test above
      if (allowed === "public") {
        expect(await call(op)).not.toBe(401);
        return;
      }
      expect(await call(op), "anonymous").toBe(401);
      expect(await call(op, tokens.revoked), "revoked token").toBe(401);
      expect(await call(op, tokens.noRole), "a user with no role").toBe(403);
      for (const role of ROLES) {
        const status = await call(op, tokens[role]);
        if (allowed.includes(role)) expect([401, 403], `${role} should be allowed`).not.toContain(status);
        else expect(status, `${role} should be refused`).toBe(403);
        expect(status, `${role}: never a server error`).toBeLessThan(500);
      }
    });
  }
});
