import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as metadataGet } from "@/app/.well-known/authzen-configuration/route";
import { POST as evaluationPost } from "@/app/access/v1/evaluation/route";
import { POST as evaluationsPost } from "@/app/access/v1/evaluations/route";
import { POST as actionSearchPost } from "@/app/access/v1/search/action/route";
import { POST as resourceSearchPost } from "@/app/access/v1/search/resource/route";
import { POST as subjectSearchPost } from "@/app/access/v1/search/subject/route";
import { systemActor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { decodeGraphDocument, type DecodedImport } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import examples from "./fixtures/authzen-1.0-examples.json";
import { pdpSnapshot } from "./runtime";
import { callRoute, gatewayWorld, READ_ONLY, type GatewayWorld } from "./test-fixture";

/**
 * Conformance with the AuthZEN 1.0 specification's own examples (lib/pdp/fixtures, provenance beside them):
 * 1. every request example goes through its endpoint as written and is answered 200 with the response shape the
 *    specification defines (its response examples are checked against the same shape checks, so the checks are
 *    the specification's, not ours);
 * 2. the examples whose decisions the specification spells out (the three evaluations semantics) are driven through
 *    a graph that holds the same facts — alice may read documents 1 and 3, not 2 — with the example's vocabulary
 *    mapped to MCP (`read` → `tools/call`, documents → tools), and must give the specification's decisions;
 * 3. metadata and request identification as the HTTPS binding says.
 */
type Example = { name: string; section: string; http?: string; headers?: string[]; body: unknown };
const EX = (examples as { examples: Example[] }).examples;
const byName = (name: string) => EX.find((e) => e.name === name)!;
const bySection = (section: string) => EX.filter((e) => e.section === section);

let t: TestDatabase;
let w: GatewayWorld;

function docsDoc(): DecodedImport {
  // alice reads documents 1 and 3 through the docs server; document 2 sits on a server she does not connect to.
  const doc = decodeGraphDocument({
    source: "docs",
    mode: "full",
    nodes: [
      { kind: "mcp_server", externalId: "docs", name: "docs" },
      { kind: "mcp_server", externalId: "vault", name: "vault" },
      ...["1", "2", "3"].map((id) => ({ kind: "tool", externalId: `document/${id}`, name: id, attributes: { annotations: READ_ONLY } })),
    ],
    edges: [
      { kind: "connects_to", from: { kind: "human", externalId: "alice@example.com", source: "gw" }, to: { kind: "mcp_server", externalId: "docs" } },
      { kind: "exposes", from: { kind: "mcp_server", externalId: "docs" }, to: { kind: "tool", externalId: "document/1" } },
      { kind: "exposes", from: { kind: "mcp_server", externalId: "vault" }, to: { kind: "tool", externalId: "document/2" } },
      { kind: "exposes", from: { kind: "mcp_server", externalId: "docs" }, to: { kind: "tool", externalId: "document/3" } },
    ],
  });
  if ("errors" in doc) throw new Error(JSON.stringify(doc.errors));
  return doc;
}

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  useAsAppDatabase(t);
  w = await gatewayWorld(t);
  const r = await runImport(t.db, systemActor("conformance"), docsDoc(), { format: "graph" });
  if (r.status !== "succeeded") throw new Error(`import ${r.status}`);
  await pdpSnapshot(t.db, { fresh: true });
}, 120_000);
afterAll(() => t.cleanup());

// The specification's response shapes (Information Model § Decision; Access Evaluations API Response; Search API Response).
function isDecision(d: unknown): boolean {
  if (!d || typeof d !== "object" || Array.isArray(d)) return false;
  const o = d as Record<string, unknown>;
  return typeof o.decision === "boolean" && (o.context === undefined || (typeof o.context === "object" && o.context !== null && !Array.isArray(o.context)));
}
function isEvaluations(b: unknown): boolean {
  const e = (b as { evaluations?: unknown }).evaluations;
  return Array.isArray(e) && e.every(isDecision);
}
function isSearch(b: unknown, entity: "entity" | "action"): boolean {
  const o = b as { results?: unknown; page?: { next_token?: unknown; count?: unknown; total?: unknown } };
  if (!Array.isArray(o.results)) return false;
  const ok = o.results.every((r) =>
    entity === "action"
      ? typeof (r as { name?: unknown }).name === "string"
      : typeof (r as { type?: unknown }).type === "string" && typeof (r as { id?: unknown }).id === "string",
  );
  const pageOk =
    o.page === undefined ||
    ((o.page.next_token === undefined || typeof o.page.next_token === "string") &&
      ["count", "total"].every((k) => (o.page as Record<string, unknown>)[k] === undefined || typeof (o.page as Record<string, unknown>)[k] === "number"));
  return ok && pageOk;
}

type Route = (req: Request, ctx: { params: Promise<Record<string, never>> }) => Promise<Response>;
const ENDPOINTS: Record<string, { route: Route; shape: (b: unknown) => boolean }> = {
  "/access/v1/evaluation": { route: evaluationPost, shape: isDecision },
  "/access/v1/evaluations": { route: evaluationsPost, shape: (b) => isEvaluations(b) || isDecision(b) },
  "/access/v1/search/subject": { route: subjectSearchPost, shape: (b) => isSearch(b, "entity") },
  "/access/v1/search/resource": { route: resourceSearchPost, shape: (b) => isSearch(b, "entity") },
  "/access/v1/search/action": { route: actionSearchPost, shape: (b) => isSearch(b, "action") },
};

/** Each request example and the endpoint it is for. */
const REQUESTS: { name: string; path: string }[] = [
  { name: "request-example", path: "/access/v1/evaluation" },
  ...bySection("The Access Evaluations API Request").map((e) => ({ name: e.name, path: "/access/v1/evaluations" })),
  ...bySection("Default values").map((e) => ({ name: e.name, path: "/access/v1/evaluations" })),
  ...bySection("Example: Evaluate `read` action for three documents using all three semantics")
    .filter((e) => (e.body as Record<string, unknown>).subject)
    .map((e) => ({ name: e.name, path: "/access/v1/evaluations" })),
  { name: "search-pagination-token-initial-request", path: "/access/v1/search/resource" },
  { name: "subject-search-request-example", path: "/access/v1/search/subject" },
  { name: "resource-search-request-example", path: "/access/v1/search/resource" },
  { name: "action-search-request-example", path: "/access/v1/search/action" },
  ...EX.filter((e) => e.http?.startsWith("POST ") && e.body).map((e) => ({ name: e.name, path: e.http!.split(" ")[1]! })),
];

describe("AuthZEN 1.0: the specification's request examples through our endpoints", () => {
  it("covers every complete request example the specification gives (11 bodies, 5 HTTP exchanges)", () => {
    expect(REQUESTS.map((r) => r.path).filter((p) => p.includes("evaluation")).length).toBe(9);
    expect(REQUESTS.length).toBe(16);
    for (const r of REQUESTS) expect(byName(r.name), r.name).toBeDefined();
  });

  it("the specification's own response examples pass the shape checks used below", () => {
    expect(isDecision(byName("decision-example").body)).toBe(true);
    for (const n of ["response-with-reason-context-example", "response-with-environment-context-example", "response-with-step-up-example"])
      expect(isDecision(byName(n).body), n).toBe(true);
    expect(bySection("The Access Evaluations API Response").every((e) => isEvaluations(e.body))).toBe(true);
    expect(bySection("Errors").every((e) => isEvaluations(e.body))).toBe(true);
    for (const n of [
      "search-pagination-token-initial-response",
      "search-pagination-token-second-response",
      "search-response-example",
      "subject-search-response-example",
      "resource-search-response-example",
    ])
      expect(isSearch(byName(n).body, "entity"), n).toBe(true);
    expect(isSearch(byName("action-search-response-example").body, "action")).toBe(true);
  });

  for (const r of REQUESTS) {
    it(`${r.name} → ${r.path}: 200 with the specification's response shape`, async () => {
      const ep = ENDPOINTS[r.path]!;
      // Searches list the graph: an analyst's token (pdp.evaluate and graph.read); evaluations: a gateway's.
      const token = r.path.includes("/search/") ? w.tokens.analyst : w.tokens.pdp;
      const res = await callRoute(ep.route, r.path, { token, body: byName(r.name).body });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(ep.shape(res.body), JSON.stringify(res.body)).toBe(true);
    });
  }

  it('the options example, which leaves out the action ("for the sake of completeness"), is the Bad Request the binding requires', async () => {
    const ex = bySection("Evaluations options")[0]!;
    const res = await callRoute(evaluationsPost, "/access/v1/evaluations", { token: w.tokens.pdp, body: ex.body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ details: [{ path: "evaluations[0].action" }] });
  });

  it("a page token from elsewhere (the example's second page) is refused as a 400 naming page.token, not a 500", async () => {
    const res = await callRoute(resourceSearchPost, "/access/v1/search/resource", {
      token: w.tokens.analyst,
      body: byName("search-pagination-token-second-request").body,
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ details: [{ path: "page.token" }] });
  });
});

/** The example's vocabulary in MCP terms: `read` / `can_read` is calling a tool; a document is a tool; alice is known by her email. */
function toMcp(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body), (k, v) => {
    if (k === "action" && v && typeof v === "object" && ["read", "can_read"].includes((v as { name: string }).name)) return { name: "tools/call" };
    if (k === "resource" && v && typeof v === "object" && (v as { type?: string }).type === "document") return { type: "tool", id: (v as { id: string }).id };
    return v;
  });
}

describe("AuthZEN 1.0: the specification's decisions, on a graph holding the same facts", () => {
  const semantics = bySection("Example: Evaluate `read` action for three documents using all three semantics");
  const pairs = [0, 2, 4].map((i) => ({ request: semantics[i]!.body, response: semantics[i + 1]!.body as { evaluations: { decision: boolean }[] } }));

  for (const p of pairs) {
    const semantic = (p.request as { options: { evaluations_semantic: string } }).options.evaluations_semantic;
    it(`${semantic}: the same decisions, in the same order, stopping where the specification stops`, async () => {
      const res = await callRoute(evaluationsPost, "/access/v1/evaluations", { token: w.tokens.pdp, body: toMcp(p.request) });
      expect(res.status).toBe(200);
      expect((res.body.evaluations as { decision: boolean }[]).map((e) => e.decision)).toEqual(p.response.evaluations.map((e) => e.decision));
    });
  }

  it("resource search: the documents alice may read, paged two at a time as in the pagination example", async () => {
    const body = toMcp({ ...(byName("search-pagination-token-initial-request").body as object), resource: { type: "document" } }) as Record<string, unknown>;
    const first = await callRoute(resourceSearchPost, "/access/v1/search/resource", { token: w.tokens.analyst, body: { ...body, page: { limit: 1 } } });
    expect(first.body).toMatchObject({ page: { count: 1, total: 2 } });
    const next = (first.body.page as { next_token: string }).next_token;
    expect(next).not.toBe("");
    const second = await callRoute(resourceSearchPost, "/access/v1/search/resource", {
      token: w.tokens.analyst,
      body: { ...body, page: { limit: 1, token: next } },
    });
    expect(second.body).toMatchObject({ page: { next_token: "", count: 1, total: 2 } });
    const names = [...(first.body.results as { id: string }[]), ...(second.body.results as { id: string }[])].map((r) => r.id);
    expect(names).toHaveLength(2);
  });
});

describe("AuthZEN 1.0: HTTPS binding", () => {
  it("metadata at /.well-known/authzen-configuration matches the specification's example for the same base URL", async () => {
    const previous = process.env.ATTEST_PUBLIC_URL;
    process.env.ATTEST_PUBLIC_URL = "https://pdp.example.com";
    try {
      const res = await metadataGet();
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("application/json");
      const ours = (await res.json()) as Record<string, string>;
      const theirs = EX.find((e) => e.section === "Policy Decision Point Metadata Response")!.body as Record<string, string>;
      expect(ours).toMatchObject(theirs);
    } finally {
      if (previous === undefined) delete process.env.ATTEST_PUBLIC_URL;
      else process.env.ATTEST_PUBLIC_URL = previous;
    }
  });

  it("echoes the example's X-Request-ID on the response", async () => {
    const ex = byName("example-access-evaluation-request");
    const header = ex.headers!.find((h) => h.toLowerCase().startsWith("x-request-id:"))!;
    const id = header.split(":")[1]!.trim();
    const res = await callRoute(evaluationPost, "/access/v1/evaluation", { token: w.tokens.pdp, body: ex.body, headers: { "x-request-id": id } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe(id);
  });

  it("a deny is a 200 with decision false (not an HTTP error); a missing Authorization is 401", async () => {
    const res = await callRoute(evaluationPost, "/access/v1/evaluation", { token: w.tokens.pdp, body: byName("request-example").body });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe(false);
    expect((await callRoute(evaluationPost, "/access/v1/evaluation", { body: byName("request-example").body })).status).toBe(401);
  });
});
