import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuthzenClient, metadataUrl } from "./authzen-client";
import { startFakePdp, type FakePdp, type FakePdpMode } from "./testing/fake-pdp";
import type { EvaluationRequest } from "./types";

const TOKEN = "pdp-test-token";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const request: EvaluationRequest = {
  subject: { type: "identity", id: "agt_1" },
  action: { name: "tools/call" },
  resource: { type: "tool", id: "echo", properties: { server: "everything", name: "echo" } },
  context: { agent: "client-1" },
};

let pdp: FakePdp;
beforeEach(async () => {
  pdp = await startFakePdp({ token: TOKEN });
});
afterEach(async () => {
  await pdp.close();
});

const client = (extra: Partial<Parameters<typeof createAuthzenClient>[0]> = {}) =>
  createAuthzenClient({ pdpUrl: pdp.url, token: TOKEN, timeoutMs: 2000, ...extra });

describe("createAuthzenClient: the HTTPS JSON binding", () => {
  it("sends an Access Evaluation to the endpoint the metadata names, with bearer token, JSON and a fresh X-Request-ID", async () => {
    pdp.decide = () => ({ decision: false, context: { reason_code: "no_access_path", reason_user: "No access." } });
    const d = await client().evaluate(request);
    expect(d.decision).toBe(false);
    expect(d.context).toEqual({ reason_code: "no_access_path", reason_user: "No access." });
    expect(d.local).toBeUndefined();
    const [meta, call] = pdp.requests;
    expect(meta).toMatchObject({ method: "GET", path: "/.well-known/authzen-configuration" });
    expect(meta!.headers.authorization).toBeUndefined(); // the token goes only to the evaluation endpoints
    expect(call).toMatchObject({ method: "POST", path: "/access/v1/evaluation", body: request });
    expect(call!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call!.headers["content-type"]).toBe("application/json");
    expect(call!.headers["x-request-id"]).toMatch(UUID);
    expect(d.requestId).toBe(call!.headers["x-request-id"]);
  });

  it("reads the metadata once and reuses it; keeps the connection alive between calls", async () => {
    const c = client();
    for (let i = 0; i < 10; i++) await c.evaluate(request);
    expect(pdp.requests.filter((r) => r.method === "GET")).toHaveLength(1);
    const calls = pdp.evaluationCalls();
    expect(calls).toHaveLength(10);
    // Ten sequential calls over at most two pooled connections (undici may open a second while the first is released).
    expect(new Set(pdp.requests.map((r) => r.connection)).size).toBeLessThanOrEqual(2);
    expect(new Set(calls.map((r) => r.headers["x-request-id"])).size).toBe(10);
  });

  it("uses the default paths when the PDP publishes no metadata", async () => {
    pdp.metadata = "absent";
    const c = client();
    expect(await c.endpoints()).toEqual({ evaluation: `${pdp.url}/access/v1/evaluation`, evaluations: `${pdp.url}/access/v1/evaluations`, source: "default" });
    expect((await c.evaluate(request)).decision).toBe(true);
    expect(pdp.evaluationCalls()[0]!.path).toBe("/access/v1/evaluation");
  });

  it("inserts the well-known path between host and path for a PDP with a path", () => {
    expect(metadataUrl("https://pdp.example.com/tenant1")).toBe("https://pdp.example.com/.well-known/authzen-configuration/tenant1");
    expect(metadataUrl("https://pdp.example.com/")).toBe("https://pdp.example.com/.well-known/authzen-configuration");
  });

  it("denies without calling when the metadata names another policy_decision_point (mix-up)", async () => {
    pdp.metadata = "mismatch";
    const d = await client().evaluate(request);
    expect(d).toMatchObject({ decision: false, local: { code: "pdp_metadata_invalid" }, context: { reason_code: "pdp_metadata_invalid" } });
    expect(pdp.evaluationCalls()).toHaveLength(0);
  });

  it("denies without sending the token anywhere when the metadata points an endpoint at another origin", async () => {
    pdp.metadata = "foreign-endpoint";
    const d = await client().evaluate(request);
    expect(d.local?.code).toBe("pdp_metadata_invalid");
    expect(pdp.evaluationCalls()).toHaveLength(0);
  });
});

describe("createAuthzenClient: Access Evaluations", () => {
  const batch = {
    subject: request.subject,
    action: request.action,
    context: request.context,
    evaluations: [{ resource: { type: "tool", id: "a" } }, { resource: { type: "tool", id: "b" } }, { resource: { type: "tool", id: "c" } }],
    options: { evaluations_semantic: "execute_all" as const },
  };

  it("sends one batch with defaults and execute_all, and maps the answers in order", async () => {
    pdp.decide = (r) => ({ decision: r.resource.id !== "b" });
    const out = await client().evaluations(batch);
    expect(out.evaluations.map((d) => d.decision)).toEqual([true, false, true]);
    const calls = pdp.evaluationCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ path: "/access/v1/evaluations", body: batch });
    expect(calls[0]!.headers["x-request-id"]).toBe(out.requestId);
  });

  it("goes item by item (defaults applied) when the metadata has no access_evaluations_endpoint", async () => {
    pdp.metadata = "no-batch";
    pdp.decide = (r) => ({ decision: r.resource.id === "c" });
    const out = await client().evaluations(batch);
    expect(out.evaluations.map((d) => d.decision)).toEqual([false, false, true]);
    const calls = pdp.evaluationCalls();
    expect(calls.map((c) => c.path)).toEqual(["/access/v1/evaluation", "/access/v1/evaluation", "/access/v1/evaluation"]);
    expect(calls.map((c) => c.body).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual(
      ["a", "b", "c"].map((id) => ({ subject: request.subject, action: request.action, context: request.context, resource: { type: "tool", id } })),
    );
  });

  it("deny_on_first_deny: items the PDP did not reach are denied as not evaluated", async () => {
    pdp.decide = (r) => ({ decision: r.resource.id !== "b" });
    const out = await client().evaluations({ ...batch, options: { evaluations_semantic: "deny_on_first_deny" } });
    expect(out.evaluations.map((d) => [d.decision, d.local?.code])).toEqual([
      [true, undefined],
      [false, undefined],
      [false, "pdp_not_evaluated"],
    ]);
  });

  it("refuses, without a call, a batch whose item lacks a subject and has no default", async () => {
    const out = await client().evaluations({ action: request.action, evaluations: [{ resource: { type: "tool", id: "a" } }] });
    expect(out.local?.code).toBe("pep_invalid_request");
    expect(out.evaluations[0]!.decision).toBe(false);
    expect(pdp.evaluationCalls()).toHaveLength(0);
  });

  it("denies every item when the PDP answers fewer decisions than items under execute_all", async () => {
    pdp.mode = "short-batch";
    const out = await client().evaluations(batch);
    expect(out.local?.code).toBe("pdp_invalid_response");
    expect(out.evaluations.every((d) => d.decision === false)).toBe(true);
  });
});

describe("createAuthzenClient fails closed", () => {
  const cases: [FakePdpMode, string][] = [
    ["status500", "pdp_http_error"],
    ["garbage", "pdp_invalid_response"],
    ["not-a-decision", "pdp_invalid_response"],
    ["text-plain", "pdp_invalid_response"],
    ["wrong-request-id", "pdp_request_id_mismatch"],
  ];
  for (const [mode, code] of cases) {
    it(`a PDP answering ${mode} is a deny (${code}) for single and batch calls`, async () => {
      pdp.mode = mode;
      const failures: string[] = [];
      const c = client({ onFailure: (e) => failures.push(e.code) });
      const d = await c.evaluate(request);
      expect(d).toMatchObject({ decision: false, local: { code } });
      const b = await c.evaluations({ subject: request.subject, action: request.action, evaluations: [{ resource: request.resource }] });
      expect(b.evaluations[0]).toMatchObject({ decision: false, local: { code } });
      expect(failures).toEqual([code, code]);
    });
  }

  it("a PDP that does not answer in time is a deny (pdp_timeout)", async () => {
    pdp.mode = "hang";
    const d = await client({ timeoutMs: 150 }).evaluate(request);
    expect(d).toMatchObject({ decision: false, local: { code: "pdp_timeout" } });
  });

  it("a PDP that is down is a deny (pdp_unreachable), metadata read or not", async () => {
    const url = pdp.url;
    await pdp.close();
    for (const discover of [true, false]) {
      const d = await createAuthzenClient({ pdpUrl: url, token: TOKEN, discover }).evaluate(request);
      expect(d).toMatchObject({ decision: false, local: { code: "pdp_unreachable" }, context: { reason_code: "pdp_unreachable" } });
    }
    pdp = await startFakePdp(); // for afterEach
  });

  it("a wrong token (401) is a deny, and the token never appears in what the client reports", async () => {
    const failures: string[] = [];
    const d = await client({ token: "wrong-token", onFailure: (e) => failures.push(JSON.stringify(e)) }).evaluate(request);
    expect(d).toMatchObject({ decision: false, local: { code: "pdp_http_error", detail: "the PDP answered HTTP 401" } });
    expect(JSON.stringify(d) + failures.join("")).not.toContain("wrong-token");
  });

  it("requireRequestIdEcho: a response without X-Request-ID is a deny", async () => {
    const c = createAuthzenClient({
      pdpUrl: pdp.url,
      discover: false,
      requireRequestIdEcho: true,
      fetch: async () => new Response(JSON.stringify({ decision: true }), { status: 200, headers: { "content-type": "application/json" } }),
    });
    expect((await c.evaluate(request)).local?.code).toBe("pdp_request_id_mismatch");
  });
});
