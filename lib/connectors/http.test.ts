import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutboundFetch } from "@/lib/net/outbound";
import { startFakeVendor, type FakeVendor } from "@/lib/testing/fake-vendor";
import { ConnectorError } from "./errors";
import { askedWaitMs, callShape, politeFetch } from "./http";

let fake: FakeVendor;
let tls: FakeVendor;
const open = createOutboundFetch({ policy: { allowHosts: ["*"], allowPrivateRanges: ["127.0.0.1"] } });
const counts = new Map<string, number>();
const hit = (k: string) => {
  counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts.get(k)!;
};

beforeAll(async () => {
  fake = await startFakeVendor((req) => {
    if (req.path === "/throttle-once")
      return hit("once") === 1 ? { status: 429, headers: { "retry-after": "0" }, json: { error: "slow down" } } : { json: { ok: true } };
    if (req.path === "/github-reset") {
      const reset = String(Math.floor(Date.now() / 1000));
      return hit("gh") === 1
        ? { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }, json: { message: "API rate limit exceeded" } }
        : { json: { ok: true } };
    }
    if (req.path === "/rate-limited") return { status: 429, json: { error: "no" } };
    if (req.path === "/aws-throttle")
      return hit("aws") === 1
        ? {
            status: 400,
            headers: { "content-type": "text/xml" },
            text: "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>",
          }
        : { json: { ok: true } };
    if (req.path === "/aws-bad-request")
      return { status: 400, headers: { "content-type": "text/xml" }, text: "<ErrorResponse><Error><Code>ValidationError</Code></Error></ErrorResponse>" };
    if (req.path === "/wait-long") return { status: 429, headers: { "retry-after": "3600" } };
    if (req.path === "/users/alice@example.com/secret-token-123") return { status: 401, json: { error: "Invalid token alice@example.com" } };
    if (req.path === "/echo" && req.method === "POST") return { json: { body: req.body, attempt: hit("echo") } };
    return { json: { path: req.path } };
  });
  tls = await startFakeVendor(() => ({ json: { tls: true } }), { tls: true });
});
afterAll(async () => {
  await fake.close();
  await tls.close();
});

describe("politeFetch", () => {
  it("retries a 429 after the time the vendor asks for, and counts calls and retries", async () => {
    const p = politeFetch(open, { baseDelayMs: 1 });
    const res = await p.fetch(`${fake.url}/throttle-once`);
    expect(await res.json()).toEqual({ ok: true });
    expect(p.stats()).toEqual({ calls: 2, retries: 1 });
    expect(p.failure()).toBeUndefined();
  });

  it("reads GitHub's spent-limit 403 (x-ratelimit-remaining 0) as throttling, not as a refusal", async () => {
    const p = politeFetch(open, { baseDelayMs: 1 });
    const res = await p.fetch(`${fake.url}/github-reset`);
    expect(res.status).toBe(200);
    expect(p.stats().retries).toBe(1);
  });

  it("reads AWS's 400 Throttling as throttling, and hands any other 400 to the SDK with its body intact", async () => {
    const p = politeFetch(open, { baseDelayMs: 1 });
    const res = await p.fetch(`${fake.url}/aws-throttle`);
    expect(await res.json()).toEqual({ ok: true });
    expect(p.stats().retries).toBe(1);
    const bad = await p.fetch(`${fake.url}/aws-bad-request`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("<Code>ValidationError</Code>");
  });

  it("gives up after the retries allowed, naming the class, the status and the call's shape only", async () => {
    const p = politeFetch(open, { maxRetries: 2, baseDelayMs: 1 });
    const err = await p.fetch(`${fake.url}/rate-limited`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).failure).toBe("throttled");
    expect((err as Error).message).toMatch(/HTTP 429; at GET rate-limited; gave up after 2 retries/);
    expect(p.stats()).toEqual({ calls: 3, retries: 2 });
  });

  it("does not wait longer than allowed", async () => {
    const p = politeFetch(open, { maxWaitMs: 1000 });
    const err = await p.fetch(`${fake.url}/wait-long`).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/asked to wait 3600 s, longer than allowed/);
  });

  it("hands an error answer to the SDK and records it without the URL's values or the vendor's words", async () => {
    const p = politeFetch(open);
    const res = await p.fetch(`${fake.url}/users/alice@example.com/secret-token-123`);
    expect(res.status).toBe(401);
    const f = p.failure()!;
    expect(f.failure).toBe("auth_failed");
    expect(f.message).not.toMatch(/alice|secret-token|Invalid token/);
    expect(f.call).toBe("GET users/{…}/{…}");
  });

  it("sends a request body again on each retry", async () => {
    counts.delete("echo");
    const p = politeFetch(open);
    const res = await p.fetch(`${fake.url}/echo`, {
      method: "POST",
      body: "grant_type=client_credentials",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(await res.json()).toEqual({ body: "grant_type=client_credentials", attempt: 1 });
  });

  it("turns an outbound refusal (host not allowed, private address) into 'unreachable'", async () => {
    const closed = politeFetch(createOutboundFetch({ policy: { allowHosts: ["api.example.com"], allowPrivateRanges: [] } }));
    const err = await closed.fetch(`${fake.url}/x`).catch((e: unknown) => e);
    expect((err as ConnectorError).failure).toBe("unreachable");
    expect((err as Error).message).toMatch(/not allowed/);
  });

  it("reaches a TLS fake through the outbound client (the test CA is trusted through NODE_EXTRA_CA_CERTS)", async () => {
    const res = await politeFetch(open).fetch(`${tls.url}/`);
    expect(await res.json()).toEqual({ tls: true });
  });
});

describe("rate-limit headers", () => {
  const res = (headers: Record<string, string>) => new Response(null, { status: 429, headers });
  it("reads Retry-After in seconds or as a date, and epoch reset headers", () => {
    const now = Date.parse("2026-12-05T10:00:00Z");
    expect(askedWaitMs(res({ "retry-after": "2" }), now)).toBe(2000);
    expect(askedWaitMs(res({ "retry-after": "Sat, 05 Dec 2026 10:00:05 GMT" }), now)).toBe(5000);
    expect(askedWaitMs(res({ "x-rate-limit-reset": String(now / 1000 + 7) }), now)).toBe(7000);
    expect(askedWaitMs(res({}), now)).toBeNull();
  });
  it("shapes calls without ids, names or addresses", () => {
    expect(callShape("get", "https://graph.microsoft.com/v1.0/groups/0a1b-2c/members?$top=1")).toBe("GET {…}/groups/{…}/members");
    expect(callShape("GET", "https://api.github.com/orgs/acme/teams")).toBe("GET orgs/acme/teams");
    // A value the admin typed (the org) is hidden wherever it appears, whatever its case or encoding.
    expect(callShape("GET", "https://api.github.com/orgs/Acme/teams/platform", new Set(["acme"]))).toBe("GET orgs/{…}/teams/platform");
    expect(callShape("POST", "https://sts.example/")).toBe("POST /");
  });
});
