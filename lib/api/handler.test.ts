import { describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { checkSameOrigin, errorResponse } from "./handler";

describe("errorResponse", () => {
  it("maps an AppError to its status and the one JSON shape", async () => {
    const r = errorResponse(new AppError("validation", "bad limit", [{ path: "limit", message: "too big" }]), "req_1");
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({
      error: { code: "validation", message: "bad limit", details: [{ path: "limit", message: "too big" }], requestId: "req_1" },
    });
  });

  it("says a statement cut off by PostgreSQL's time limit was too slow (503), not a 500", async () => {
    const r = errorResponse(Object.assign(new Error("Failed query"), { cause: { code: "57014" } }), "req_2");
    expect(r.status).toBe(503);
    expect((await r.json()).error.code).toBe("timeout");
  });

  it("never leaks an unexpected error's message", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const r = errorResponse(new Error("password authentication failed for user x at 10.0.0.1"), "req_3");
    expect(r.status).toBe(500);
    const text = JSON.stringify(await r.json());
    expect(text).not.toContain("password");
    expect(text).toContain("req_3");
    log.mockRestore();
  });
});

describe("checkSameOrigin", () => {
  const req = (method: string, headers: Record<string, string>) => new Request("http://attest.test/api/v1/x", { method, headers });
  it("lets reads, bearer calls and same-origin writes through, and refuses cross-site writes", () => {
    expect(() => checkSameOrigin(req("GET", { origin: "https://evil.example" }))).not.toThrow();
    expect(() => checkSameOrigin(req("POST", { authorization: "Bearer x", origin: "https://evil.example" }))).not.toThrow();
    expect(() => checkSameOrigin(req("POST", { origin: "http://attest.test", host: "attest.test" }))).not.toThrow();
    expect(() => checkSameOrigin(req("POST", { "sec-fetch-site": "same-origin" }))).not.toThrow();
    expect(() => checkSameOrigin(req("POST", { origin: "https://evil.example", host: "attest.test" }))).toThrow(/cross-site/);
    expect(() => checkSameOrigin(req("DELETE", {}))).toThrow(/cross-site/);
    expect(() => checkSameOrigin(req("POST", { origin: "null", host: "attest.test" }))).toThrow(/cross-site/);
  });
});
