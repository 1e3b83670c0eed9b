import { readFileSync } from "node:fs";
import path from "node:path";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { AnswerBundle, readBundle } from "../bundle";
import { convertOkta, DEFAULT_MAPPING, type OktaMapping } from "./convert";
import { oktaDriver } from "./driver";
import { syntheticOktaBundle } from "./testing/synthetic";

const FIXTURE = path.join(import.meta.dirname, "fixtures", "okta-api.json");
const raw = readFileSync(FIXTURE);
const layout = JSON.parse(raw.toString("utf8")) as { calls: Record<string, unknown[]> };

function bundleOf(calls: Record<string, unknown[]>): AnswerBundle {
  const b = new AnswerBundle();
  for (const [k, pages] of Object.entries(calls)) for (const p of pages) b.add(k, p);
  return b;
}

function convert(calls = layout.calls, mapping: Partial<OktaMapping> = {}) {
  return convertOkta(bundleOf(calls), { source: "okta-test", mode: "full", settings: { ...DEFAULT_MAPPING, ...mapping } });
}

function counts(items: { kind: string }[]) {
  const out: Record<string, number> = {};
  for (const i of items) out[i.kind] = (out[i.kind] ?? 0) + 1;
  return out;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe("okta-api converter", () => {
  it("converts Okta's documented examples: counts by node and edge kind", () => {
    const r = convert();
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(counts(r.document.nodes)).toEqual({ human: 9, group: 4, resource: 6, entitlement: 10 });
    expect(counts(r.document.edges)).toEqual({ member_of: 4, grants: 10, has_entitlement: 10 });
    // GROUP-scoped app users, POLICY grants: said in warnings, not turned into edges.
    expect(r.warnings.join("\n")).toMatch(/assigned through a group/);
    expect(r.warnings.join("\n")).toMatch(/POLICY grant/);
  });

  it("reads users: login, verified e-mail only, accountEnabled, and service accounts by login pattern", () => {
    const r = convert(layout.calls, { serviceAccountLogins: ["svc-*@example.com"] });
    if (!r.ok) throw new Error("not ok");
    const byId = new Map(r.document.nodes.map((n) => [n.externalId, n]));
    const tony = byId.get("00u3ojhmm3cCa3a221d7")!;
    expect(tony.kind).toBe("human");
    expect(tony.attributes).toMatchObject({ login: "tony.johnson@example.com", email: "tony.johnson@example.com", accountEnabled: true, status: "active" });
    // STAGED: never activated, its address is not verified.
    const ben = byId.get("00u1xke1apZnmHgpB1d7")!;
    expect(ben.attributes?.email).toBeUndefined();
    expect(ben.attributes).toMatchObject({ unverifiedEmail: "ben.richler@example.com", accountEnabled: false, status: "inactive" });
    // credentials.emails says VERIFIED PRIMARY: lower-cased.
    expect(byId.get("00ub0oNGTSWTBKOLGLNR")!.attributes?.email).toBe("morgan.lee@example.com");
    expect(byId.get("00u3m5wrdPjJYUFb81d6")!.attributes).toMatchObject({ oktaStatus: "LOCKED_OUT", accountEnabled: true });
    expect(byId.get("00usvc1CIexampl0g4")!.kind).toBe("service_account");
    expect(counts(r.document.nodes)).toMatchObject({ human: 8, service_account: 1 });
  });

  it("maps groups (type kept) and apps with their assignments; AWS roles carry role ARNs", () => {
    const r = convert();
    if (!r.ok) throw new Error("not ok");
    const byId = new Map(r.document.nodes.map((n) => [n.externalId, n]));
    expect(byId.get("00garwpuyxHaWOkdV0g4")!.attributes).toMatchObject({ groupType: "APP_GROUP", sourceAppId: "0oa2v0el0gP90aqjJ0g7" });
    expect(byId.get("00g1emaKYZTWRYYRRTSK")!.attributes).toMatchObject({ groupType: "OKTA_GROUP" });
    const aws = "0oaawsFED1exampl0g4";
    expect(byId.get(`app:${aws}:samlRoles:Admin-Role`)!.attributes?.awsRoleArns).toEqual(["arn:aws:iam::123456789012:role/Admin-Role"]);
    expect(byId.get(`app:${aws}:samlRoles:arn:aws:iam::123456789012:role/Engineer`)!.attributes?.awsRoleArns).toEqual([
      "arn:aws:iam::123456789012:role/Engineer",
    ]);
    expect(byId.get("app:0oa7vicvor8YSr9Hc0w6")!.name).toBe("assigned to hrportal1");
    expect(byId.get("app:0oa1gjh63g214q0Hq0g4:role:Tester")).toBeDefined();
    // OIG CUSTOM grant values and the bundle grant.
    expect(byId.get("oig:ento3v6xmkviXCltm1d6")!.name).toBe("Salesforce: License = A label");
    expect(byId.get("oig-bundle:enbfxqCAJWWGELFTYCCC")).toBeDefined();
    const e = r.document.edges.find((x) => x.kind === "has_entitlement" && x.from.externalId === "00garwpuyxHaWOkdV0g4");
    expect(e?.to.externalId).toBe(`app:${aws}:samlRoles:arn:aws:iam::123456789012:role/Engineer`);
    // Assignment profiles are never copied (the documented example holds a security answer).
    expect(JSON.stringify(r.document)).not.toContain("Ronaldinho");
  });

  it("is deterministic", () => {
    expect(JSON.stringify(convert())).toBe(JSON.stringify(convert()));
  });

  it("without governance answers: a warning, not an error", () => {
    const calls = clone(layout.calls);
    delete calls["GET /governance/api/v1/entitlements"];
    delete calls["GET /governance/api/v1/grants"];
    const r = convert(calls);
    if (!r.ok) throw new Error("not ok");
    expect(r.warnings.join("\n")).toMatch(/Identity Governance/);
    expect(counts(r.document.nodes).entitlement).toBe(5);
  });

  it("malformed answers give located errors naming no values", () => {
    const calls = clone(layout.calls);
    const page2 = calls["GET /api/v1/users"]![1] as Record<string, unknown>[];
    delete page2[1]!.id;
    calls["GET /api/v1/groups/00g1emaKYZTWRYYRRTSK/users"] = [{ users: [] }];
    (calls["GET /governance/api/v1/grants"]![0] as Record<string, unknown>).data = "nope";
    const r = convert(calls);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toContain("api/v1/users page 2[1].id");
    expect(paths).toContain("api/v1/groups/{id}/users (key 2) page 1");
    expect(paths).toContain("governance/api/v1/grants page 1");
    const all = JSON.stringify(r.errors);
    for (const v of ["00g1emaKYZTWRYYRRTSK", "janice", "Saml", "nope", "example.com"]) expect(all).not.toContain(v);
  });

  it("refuses a bundle without users", () => {
    const r = convert({ "GET /api/v1/groups": [[]] });
    expect(r.ok).toBe(false);
  });

  it("reads the offline JSON and zip layouts to the same graph", () => {
    const fromJson = oktaDriver.readOffline(new Uint8Array(raw), 10_000_000);
    if (!fromJson.ok) throw new Error(JSON.stringify(fromJson.errors));
    const files: Record<string, Uint8Array> = {};
    for (const [call, pages] of Object.entries(layout.calls)) {
      const key = AnswerBundle.key(call);
      pages.forEach((p, i) => (files[`${key}${i === 0 ? "" : `~${i + 1}`}.json`] = strToU8(JSON.stringify(p))));
    }
    const fromZip = readBundle(zipSync(files), { format: "okta-api", maxBytes: 10_000_000 });
    if (!fromZip.ok) throw new Error(JSON.stringify(fromZip.errors));
    const opts = { source: "okta-test", mode: "full" as const, settings: oktaDriver.defaultSettings };
    const a = oktaDriver.convert(fromJson.bundle, opts);
    const b = oktaDriver.convert(fromZip.bundle, opts);
    expect(a.ok && b.ok).toBe(true);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("handles an enterprise-sized tenant in bounded time (100k users, 1M memberships)", () => {
    const users = Array.from({ length: 100_000 }, (_, i) => ({
      id: `00u${i}`,
      status: "ACTIVE",
      profile: { login: `u${i}@example.com`, email: `u${i}@example.com`, firstName: "U", lastName: String(i) },
    }));
    const groups = Array.from({ length: 1000 }, (_, i) => ({ id: `00g${i}`, type: "OKTA_GROUP", profile: { name: `g${i}` } }));
    const calls: Record<string, unknown[]> = { "api/v1/users": [], "api/v1/groups": [groups] };
    for (let p = 0; p < users.length; p += 200) calls["api/v1/users"]!.push(users.slice(p, p + 200));
    for (let g = 0; g < 1000; g++) {
      const members = Array.from({ length: 1000 }, (_, j) => ({ id: `00u${(g * 97 + j * 89) % 100_000}` }));
      calls[`api/v1/groups/00g${g}/users`] = [members];
    }
    const started = performance.now();
    const r = convert(calls);
    const ms = performance.now() - started;
    if (!r.ok) throw new Error("not ok");
    expect(counts(r.document.nodes)).toMatchObject({ human: 100_000, group: 1000 });
    expect(r.document.edges.length).toBeGreaterThan(900_000);
    console.info(`[okta] converted 100k users, 1k groups, ${r.document.edges.length} memberships in ${Math.round(ms)} ms`);
  }, 120_000);
});

describe("synthetic tenant (the benchmark's bundle)", () => {
  it("converts: every person a user, groups, memberships, AWS roles with ARNs", () => {
    const people = Array.from({ length: 1000 }, (_, i) => ({ email: `p${i}@example.com`, name: `Person ${i}` }));
    const r = convertOkta(syntheticOktaBundle(people), { source: "okta-synth", mode: "full", settings: DEFAULT_MAPPING });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(counts(r.document.nodes)).toMatchObject({ human: 1000, group: 10, resource: 10 });
    expect(counts(r.document.edges).member_of).toBe(1450);
    const aws = r.document.nodes.filter((n) => Array.isArray(n.attributes?.awsRoleArns));
    expect(aws.length).toBe(1);
  });
});
