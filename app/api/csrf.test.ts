import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/authz/actor";

/**
 * Issue #8, CSRF: every state-changing API operation, called with the
 * session cookie of a signed-in admin from another site, is refused with 403
 * before it reads its input or touches the database. The session is stood in
 * by mocking the one function that resolves it; the Origin check itself is the
 * route's own (apiRoute). SCIM and bearer calls carry no ambient credential.
 */

const admin: Actor = { type: "user", id: "usr_admin", email: "admin@example.com", name: "Admin", roles: ["admin"], humanNodeId: null };
vi.mock("@/lib/authz/session", async (original) => ({ ...(await original<typeof import("@/lib/authz/session")>()), requestActor: async () => admin }));
vi.mock("@/db/client", async (original) => ({
  ...(await original<typeof import("@/db/client")>()),
  getDb: async () => {
    throw new Error("the database was reached: the Origin check did not stop the request first");
  },
}));

const WRITES = ["POST", "PUT", "PATCH", "DELETE"] as const;

function writeOperations(): { key: string; file: string; method: (typeof WRITES)[number]; url: string; params: Record<string, unknown> }[] {
  const out: ReturnType<typeof writeOperations> = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "route.ts") {
        const segments = path.relative("app", path.dirname(p)).split(path.sep);
        if (segments[1] === "auth") continue; // Auth.js checks its own CSRF token on its endpoints
        // RFC 8935 push (SSF): reads no session or cookie at all; only a SET signed by a configured transmitter is
        // accepted, so there is no ambient credential for a cross-site request to ride on (its own tests: lib/campaigns/ssf).
        if (segments.join("/") === "api/v1/ssf/events") continue;
        const params: Record<string, unknown> = {};
        const urlPath = segments.map((s) => {
          const m = /^\[(\.\.\.)?(\w+)\]$/.exec(s);
          if (!m) return s;
          params[m[2]!] = m[1] ? ["x"] : "x";
          return "x";
        });
        const src = readFileSync(p, "utf8");
        for (const method of WRITES) {
          if (new RegExp(`export (const|async function|function) ${method}\\b`).test(src)) {
            out.push({ key: `${method} /${segments.join("/")}`, file: p, method, url: `http://attest.test/${urlPath.join("/")}`, params });
          }
        }
      }
    }
  };
  walk(path.join("app", "api"));
  return out;
}

describe("cross-site writes with a session cookie", () => {
  const ops = writeOperations();

  it("finds the state-changing operations", () => {
    expect(ops.length).toBeGreaterThan(20);
  });

  for (const [what, headers] of [
    ["from another origin", { origin: "https://evil.example" }],
    ["with Origin null (a sandboxed frame or a redirect)", { origin: "null" }],
    ["without Origin, from a cross-site context", { "sec-fetch-site": "cross-site" }],
  ] as const) {
    it(`every one is refused with 403 ${what}, before its body is read`, async () => {
      const wrong: string[] = [];
      for (const op of ops) {
        const mod = (await import(/* @vite-ignore */ path.resolve(op.file))) as Record<string, (req: Request, ctx: unknown) => Promise<Response>>;
        const req = new Request(op.url, {
          method: op.method,
          headers: { host: "attest.test", cookie: "authjs.session-token=stand-in", "content-type": "application/json", ...headers },
          body: op.method === "DELETE" ? undefined : '{"name":"x"}',
        });
        const res = await mod[op.method]!(req, { params: Promise.resolve(op.params) });
        const body = (await res.json()) as { error?: { message: string } };
        if (res.status !== 403 || !body.error?.message.includes("cross-site")) wrong.push(`${op.key}: ${res.status} ${body.error?.message ?? ""}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it("the same request from this origin gets past the check (and on to the database, which this test withholds)", async () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const op = ops.find((o) => o.key === "POST /api/v1/campaigns")!;
    const mod = (await import(/* @vite-ignore */ path.resolve(op.file))) as Record<string, (req: Request, ctx: unknown) => Promise<Response>>;
    const res = await mod.POST!(
      new Request(op.url, {
        method: "POST",
        headers: { host: "attest.test", origin: "http://attest.test", cookie: "authjs.session-token=stand-in", "content-type": "application/json" },
        body: "{}",
      }),
      { params: Promise.resolve({}) },
    );
    expect(res.status).toBe(500);
    expect(quiet.mock.calls.map((c) => c.map(String).join(" "))).toEqual([expect.stringContaining("the database was reached")]);
    quiet.mockRestore();
  });
});
