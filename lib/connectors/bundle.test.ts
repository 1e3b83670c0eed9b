import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { AnswerBundle, readBundle } from "./bundle";

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const opts = { format: "entra-graph", versionPrefixes: ["v1.0", "beta"], maxBytes: 1_000_000 };

describe("AnswerBundle", () => {
  it("keys a call by its path without method, host, query, slashes or API version", () => {
    for (const call of ["GET /v1.0/users?$top=5", "users", "/users/", "https://graph.microsoft.com/v1.0/users", "get /beta/users"])
      expect(AnswerBundle.key(call, ["v1.0", "beta"])).toBe("users");
    expect(AnswerBundle.key("GET /groups/0a1b/members?$select=id")).toBe("groups/0a1b/members");
  });

  it("keeps pages in the order they were added, and says what it does not hold", () => {
    const b = new AnswerBundle();
    b.add("GET /users", { value: [1] });
    b.add("users?$skiptoken=x", { value: [2] });
    expect(b.pages("users")).toEqual([{ value: [1] }, { value: [2] }]);
    expect(b.pages("groups")).toBeUndefined();
    expect(b.toJSON("x")).toEqual({ format: "x", calls: { users: [{ value: [1] }, { value: [2] }] } });
  });
});

describe("readBundle", () => {
  const calls = { "GET /v1.0/users": [{ value: [{ id: "u1" }] }, { value: [{ id: "u2" }] }], "groups/g1/members": [{ value: [] }] };

  it("reads the JSON layout and the zip layout into the same bundle", () => {
    const json = readBundle(enc({ format: "entra-graph", calls }), opts);
    const zip = readBundle(
      zipSync({
        "users.json": strToU8(JSON.stringify(calls["GET /v1.0/users"][0])),
        "users~2.json": strToU8(JSON.stringify(calls["GET /v1.0/users"][1])),
        "groups/g1/members.json": strToU8(JSON.stringify(calls["groups/g1/members"][0])),
        "__MACOSX/._users.json": strToU8("junk"),
        "README.txt": strToU8("not an answer"),
      }),
      opts,
    );
    expect(json.ok && zip.ok).toBe(true);
    if (!json.ok || !zip.ok) return;
    for (const b of [json.bundle, zip.bundle]) {
      expect(b.keys().sort()).toEqual(["groups/g1/members", "users"]);
      expect(b.pages("users")).toEqual(calls["GET /v1.0/users"]);
    }
  });

  it("orders zip pages by number, not by name (page 10 after page 9)", () => {
    const files: Record<string, Uint8Array> = { "users.json": strToU8("[1]") };
    for (let p = 2; p <= 11; p++) files[`users~${p}.json`] = strToU8(`[${p}]`);
    const r = readBundle(zipSync(files), opts);
    expect(r.ok && r.bundle.pages("users")).toEqual(Array.from({ length: 11 }, (_, i) => [i + 1]));
  });

  it("refuses wrong layouts with located errors that quote no key or value", () => {
    const secretish = "alice@example.com";
    const cases: [unknown, string][] = [
      [[1, 2], "(root)"],
      [{ format: "okta-api", calls: {} }, "format"],
      [{ calls: [] }, "calls"],
      [{ calls: { [`users/${secretish}/memberOf`]: { value: [] } } }, "calls (key 1)"],
      [{ calls: { users: [] }, extra: secretish }, "(root)"],
    ];
    for (const [doc, path] of cases) {
      const r = readBundle(enc(doc), opts);
      expect(r.ok, JSON.stringify(doc)).toBe(false);
      if (r.ok) continue;
      expect(r.errors[0]!.path).toBe(path);
      expect(JSON.stringify(r.errors)).not.toContain("alice");
    }
  });

  it("accepts a single answer object where the format says answers are never arrays", () => {
    const r = readBundle(enc({ calls: { GetAccountAuthorizationDetails: { UserDetailList: [] } } }), { ...opts, singleAnswerObjects: true });
    expect(r.ok && r.bundle.pages("GetAccountAuthorizationDetails")).toEqual([{ UserDetailList: [] }]);
  });

  it("names a broken zip entry by position, not by its name", () => {
    const r = readBundle(zipSync({ "users/bob@example.com.json": strToU8("{not json") }), opts);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]!.path).toBe("zip entry 1 of 1");
    expect(JSON.stringify(r.errors)).not.toContain("bob");
  });

  it("refuses a zip whose contents exceed the limit uncompressed (a zip bomb), and a damaged zip", () => {
    const big = zipSync({ "users.json": new Uint8Array(2_000_000).fill(0x20) }, { level: 9 });
    expect(big.length).toBeLessThan(100_000);
    const r = readBundle(big, opts);
    expect(r.ok === false && r.errors[0]!.message).toMatch(/larger than 1000000 bytes uncompressed/);
    const damaged = zipSync({ "users.json": strToU8("[]") }).slice(0, 30);
    const d = readBundle(damaged, opts);
    expect(d.ok === false && d.errors[0]!.message).toMatch(/could not be read/);
  });
});
