import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiFetch, errorMessage, qs } from "./api-fetch";

function answer(status: number, body: unknown) {
  return vi.fn(async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } }));
}

afterEach(() => vi.unstubAllGlobals());

describe("apiFetch", () => {
  it("sends JSON bodies with their content type and returns the parsed answer", async () => {
    const f = answer(201, { id: "n1" });
    vi.stubGlobal("fetch", f);
    await expect(apiFetch<{ id: string }>("/api/v1/x", { body: { a: 1 } })).resolves.toEqual({ id: "n1" });
    const [, init] = f.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.method).toBe("POST");
    expect((init.headers as Record<string, string>)["content-type"]).toBe("application/json");
    expect(init.body).toBe('{"a":1}');
  });

  it("returns undefined for 204", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(null, { status: 204 })),
    );
    await expect(apiFetch("/api/v1/x", { method: "DELETE" })).resolves.toBeUndefined();
  });

  it("throws the server's located error", async () => {
    vi.stubGlobal(
      "fetch",
      answer(400, {
        error: { code: "invalid", message: "body is not valid", details: [{ path: "owners[0]", message: "must be a node id" }], requestId: "r1" },
      }),
    );
    const err = (await apiFetch("/api/v1/x").catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.code).toBe("invalid");
    expect(err.requestId).toBe("r1");
    expect(errorMessage(err)).toBe("body is not valid (owners[0]: must be a node id)");
  });

  it("puts a status in words when the answer has no error body", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response("<html>", { status: 403 })),
    );
    const err = await apiFetch("/api/v1/x").catch((e) => e);
    expect(errorMessage(err)).toBe("You do not have permission for this.");
  });

  it("says the server could not be reached on a network failure", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    );
    expect(errorMessage(await apiFetch("/x").catch((e) => e))).toMatch(/could not be reached/);
  });
});

describe("qs", () => {
  it("drops empty values and encodes the rest", () => {
    expect(qs({ q: "a b", limit: 20, empty: "", none: undefined, nil: null })).toBe("?q=a+b&limit=20");
    expect(qs({})).toBe("");
  });
});
