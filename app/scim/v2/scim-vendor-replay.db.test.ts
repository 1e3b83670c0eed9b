import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { createSource } from "@/lib/admin/sources";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { scim, type ScimAnswer } from "./scim-test-client";

/**
 * Replays the request sequences Entra ID and Okta document sending (fixtures in
 * lib/scim/fixtures/<vendor>/, provenance beside them) against the real route
 * handlers, in their order, each on a fresh source with default settings. Every
 * request is sent; `expect` is what Attest answers, and where it is not what the
 * vendor expects the step says why in `difference` (README "SCIM", differences).
 */

interface Expectation {
  status: number;
  /** Dotted paths into the JSON answer (keys may themselves contain dots, such as schema URNs). */
  equals?: Record<string, unknown>;
  contains?: string[];
  notContains?: string[];
  /** Paths the Warning header must name. */
  warning?: string[];
}

interface Step {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  raw?: string;
  expect: Expectation;
  vendorExpects?: Partial<Expectation>;
  difference?: string;
  save?: Record<string, string>;
}

const FIXTURES = path.resolve(process.cwd(), "lib", "scim", "fixtures");
const sequences: [string, string][] = [
  ["Entra ID: Microsoft Learn tutorial", "entra-id/learn-tutorial-sequence.json"],
  ["Entra ID: SCIM reference code Postman collection", "entra-id/reference-postman-collection.json"],
  ["Okta: SCIM 2.0 protocol reference", "okta/scim-20-reference-sequence.json"],
  ["Okta: SCIM 2.0 SPEC Test (Runscope)", "okta/spec-test-sequence.json"],
];

/** `{{name}}` in strings, deep, from the ids saved by earlier steps. */
function fill<T>(v: T, vars: Map<string, string>): T {
  if (typeof v === "string") return v.replace(/\{\{(\w+)\}\}/g, (m, k: string) => vars.get(k) ?? m) as T;
  if (Array.isArray(v)) return v.map((x) => fill(x, vars)) as T;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, vars)])) as T;
  return v;
}

/** Reads a dotted path, trying the longest key first so `urn:…:2.0:User.manager.value` works. */
function at(obj: unknown, dotted: string): unknown {
  if (dotted === "") return obj;
  if (obj === null || typeof obj !== "object") return undefined;
  const parts = dotted.split(".");
  for (let n = parts.length; n > 0; n--) {
    const key = parts.slice(0, n).join(".");
    if (key in (obj as object)) return at((obj as Record<string, unknown>)[key], parts.slice(n).join("."));
  }
  return undefined;
}

function check(step: Step, r: ScimAnswer, text: string): void {
  const e = step.expect;
  const where = `${step.method} ${step.path} (${step.name})`;
  expect(r.status, `${where}: ${text.slice(0, 300)}`).toBe(e.status);
  for (const [p, v] of Object.entries(e.equals ?? {})) expect(at(r.body, p), `${where}: ${p}`).toEqual(v);
  for (const s of e.contains ?? []) expect(text, where).toContain(s);
  for (const s of e.notContains ?? []) expect(text, where).not.toContain(s);
  for (const w of e.warning ?? []) expect(r.headers.get("warning") ?? "", where).toContain(w);
  // Errors never echo the request's values (RFC 7644 §3.12 form, detail naming paths only).
  if (r.status >= 400) expect(r.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(r.status) });
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
});
afterAll(() => t.cleanup());

for (const [title, file] of sequences) {
  describe(`SCIM as ${title}`, () => {
    const doc = JSON.parse(readFileSync(path.join(FIXTURES, file), "utf8")) as { steps: Step[] };

    it(`answers all ${doc.steps.length} requests in order as the fixture expects`, async () => {
      const admin = await actorByEmail(t, "admin@example.com");
      const name = path.basename(file, ".json");
      const { scimToken } = await createSource(t.db, admin, { name, type: "scim" });
      const vars = new Map<string, string>();
      let differences = 0;
      for (const raw of doc.steps) {
        const step = fill(raw, vars);
        // The collection's GET /Token carries a body, which fetch cannot send with GET; it is sent without.
        const payload = step.method === "GET" ? {} : step.raw !== undefined ? { raw: step.raw } : { body: step.body };
        const r = await scim(step.method, step.path, { token: scimToken, headers: step.headers, ...payload });
        check(step, r, r.body === null ? "" : JSON.stringify(r.body));
        for (const [k, p] of Object.entries(step.save ?? {})) vars.set(k, String(at(r.body, p)));
        if (step.vendorExpects) {
          expect(step.difference, `${step.name} differs from the vendor without saying why`).toBeTruthy();
          differences++;
        }
      }
      expect(differences).toBe(doc.steps.filter((s) => s.vendorExpects).length);
      expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
    });
  });
}
