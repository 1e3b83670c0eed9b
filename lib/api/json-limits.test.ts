import { describe, expect, it } from "vitest";
import { readJsonBody } from "./body";
import { API_JSON_LIMITS, jsonShapeProblem } from "./json-limits";

const post = (body: BodyInit, type = "application/json") =>
  new Request("http://attest.test/api/v1/x", { method: "POST", headers: { "content-type": type }, body });
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const refusal = async (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: { code: string; status: number; message: string; details: unknown }) => e,
  );

describe("JSON shape limits", () => {
  it("names the place where nesting passes the limit, without overflowing the stack on very deep input", () => {
    expect(jsonShapeProblem(JSON.parse(nested(31)), API_JSON_LIMITS)).toBeNull();
    expect(jsonShapeProblem(JSON.parse(nested(40)), API_JSON_LIMITS)).toEqual({ path: `a${".a".repeat(31)}`, message: "nesting deeper than 32 levels" });
    const deep = JSON.parse(`${"[".repeat(200_000)}${"]".repeat(200_000)}`) as unknown;
    expect(jsonShapeProblem(deep, API_JSON_LIMITS)?.message).toBe("nesting deeper than 32 levels");
  });

  it("bounds the keys of any one object and names it", () => {
    const wide = { ok: 1, items: [{ attributes: Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i])) }] };
    expect(jsonShapeProblem(wide, API_JSON_LIMITS)).toEqual({ path: "items[0].attributes", message: "an object with 1001 keys (at most 1000)" });
  });

  it("refuses __proto__ by name and keeps constructor and prototype as plain data", () => {
    expect(jsonShapeProblem(JSON.parse('{"nodes":[{"attributes":{"__proto__":{"isAdmin":true}}}]}'), API_JSON_LIMITS)).toEqual({
      path: "nodes[0].attributes.__proto__",
      message: "the key __proto__ is not accepted",
    });
    expect(jsonShapeProblem(JSON.parse('{"constructor":{"prototype":{"isAdmin":true}},"odd key":{"x.y":1}}'), API_JSON_LIMITS)).toBeNull();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});

describe("readJsonBody refuses hostile bodies before any handler sees them", () => {
  it("too deep: 400 naming where", async () => {
    const e = await refusal(readJsonBody(post(nested(100))));
    expect(e).toMatchObject({ code: "bad_request", status: 400 });
    expect(e!.message).toMatch(/refused at a(\.a)+: nesting deeper than 32 levels/);
  });

  it("too many keys: 400 naming the object", async () => {
    const e = await refusal(readJsonBody(post(JSON.stringify({ scope: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, 1])) }))));
    expect(e).toMatchObject({ code: "bad_request", details: [{ path: "scope", message: "an object with 5000 keys (at most 1000)" }] });
  });

  it("__proto__ anywhere: 400, and Object.prototype is untouched", async () => {
    const e = await refusal(readJsonBody(post('{"name":"x","__proto__":{"polluted":"yes"},"a":{"__proto__":{"polluted":"yes"}}}')));
    expect(e).toMatchObject({ code: "bad_request", details: [{ path: "__proto__" }] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("over the byte limit: 413 from the declared length before reading, and while streaming without one", async () => {
    const declared = new Request("http://attest.test/x", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": "999999999" },
      body: "{}",
    });
    expect(await refusal(readJsonBody(declared, 1024))).toMatchObject({ code: "payload_too_large", status: 413 });
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new TextEncoder().encode(`"${"x".repeat(1000)}",`));
      },
    });
    const streamed = new Request("http://attest.test/x", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: endless,
      duplex: "half",
    } as RequestInit);
    expect(await refusal(readJsonBody(streamed, 16 * 1024))).toMatchObject({ code: "payload_too_large" });
    expect(pulled).toBeLessThan(40);
  });

  it("content type and encoding: 415 for non-JSON or a charset other than UTF-8, 400 for bytes that are not UTF-8", async () => {
    expect(await refusal(readJsonBody(post("{}", "text/plain")))).toMatchObject({ code: "unsupported_media_type", status: 415 });
    expect(await refusal(readJsonBody(post("{}", "application/json; charset=utf-16")))).toMatchObject({ code: "unsupported_media_type" });
    expect(await readJsonBody(post('{"a":1}', "application/json; charset=UTF-8"))).toEqual({ a: 1 });
    expect(await refusal(readJsonBody(post(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]))))).toMatchObject({
      code: "bad_request",
      message: "the body is not valid UTF-8",
    });
  });
});
