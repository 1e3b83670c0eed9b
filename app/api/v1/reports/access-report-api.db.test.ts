import { and, desc, eq } from "drizzle-orm";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { readCsv } from "@/lib/evidence/csv";
import { rasterisePdf } from "@/lib/evidence/pdf-ink";
import { verifyPackage } from "@/lib/evidence/verify-package";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { decodeGraphDocument } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { GET } from "./access/route";

let t: TestDatabase;
let analyst: Actor;
let seededAt: string;
const tokens: Record<string, string> = {};
const noParams = { params: Promise.resolve({}) } as never;
const get = (query: string, role = "auditor") =>
  GET(new Request(`http://attest.test/api/v1/reports/access?${query}`, { headers: { authorization: `Bearer ${tokens[role]}` } }), noParams);
const bytes = async (r: Response) => new Uint8Array(await r.arrayBuffer());

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  seededAt = new Date().toISOString();
  analyst = await actorByEmail(t, "ana@example.com");
  const admin = await actorByEmail(t, "admin@example.com");
  for (const [email, role] of [
    ["audit@example.com", "auditor"],
    ["ada@example.com", "reviewer"],
    ["ana@example.com", "analyst"],
  ] as const) {
    tokens[role] = (await createApiToken(t.db, admin, { name: role, userId: (await actorByEmail(t, email)).id, roles: [role] })).token;
  }
  // After the instant of interest, an agent with a hostile name starts acting for Ada, and so reaches what she reaches.
  const doc = {
    source: "later",
    nodes: [{ kind: "agent", externalId: "evil", name: '=HYPERLINK("http://evil.example","x"), "quoted"\nZoë' }],
    edges: [{ kind: "acts_for", from: { kind: "agent", externalId: "evil" }, to: { kind: "human", externalId: "00u1", source: "okta" } }],
  };
  expect((await runImport(t.db, analyst, decodeGraphDocument(doc) as never, { format: "graph" })).status).toBe("succeeded");
});
afterAll(() => t.cleanup());

describe("GET /api/v1/reports/access", () => {
  it("answers who could reach a target as of a past instant, with paths from the principal's side", async () => {
    const r = await get(`target=mcp:resource:repo&asOf=${seededAt}`);
    expect(r.status).toBe(200);
    const report = await r.json();
    expect(report).toMatchObject({
      direction: "who-can-reach",
      subject: { name: "repo northwind/platform", kind: "resource" },
      asOf: seededAt,
      maxDepth: 6,
      total: 3,
      truncated: false,
    });
    expect(report.id).toMatch(/^rpt_[0-9a-f]{26}$/);
    expect(report.rows.map((x: { name: string }) => x.name).sort()).toEqual(["Ada Lovelace", "Triage bot", "ci-deployer"]);
    const ada = report.rows.find((x: { name: string }) => x.name === "Ada Lovelace");
    expect(ada.path.nodes.map((n: { name: string }) => n.name)).toEqual([
      "Ada Lovelace",
      "Engineering",
      "GitHub MCP use",
      "github-mcp",
      "create_issue",
      "repo northwind/platform",
    ]);
    expect(ada.path.edges).toEqual(["member_of", "has_entitlement", "grants", "exposes", "acts_on"]);
    expect(report.countsByKind).toEqual({ human: 1, agent: 1, service_account: 1 });
  });

  it("answers about now when asOf is left out, including what changed since", async () => {
    const report = await (await get("target=mcp:resource:repo")).json();
    expect(report.total).toBe(4);
    expect(report.rows.some((x: { name: string }) => x.name.startsWith("=HYPERLINK"))).toBe(true);
  });

  it("answers what a principal could reach, and refuses a node that did not exist then (404)", async () => {
    const report = await (await get(`principal=okta:human:00u1&asOf=${seededAt}`)).json();
    expect(report.direction).toBe("reachable-from");
    expect(report.rows.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(["Engineering", "create_issue", "repo northwind/platform"]));
    expect((await get("principal=later:agent:evil&asOf=2001-01-01")).status).toBe(404);
  });

  it("exports CSV that parses back, with the hostile name neutralised and intact", async () => {
    const r = await get("target=mcp:resource:repo&format=csv");
    expect(r.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(r.headers.get("content-disposition")).toMatch(/^attachment; filename="access-report-who-can-reach-repo-northwind-platform-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await r.text();
    const { header, rows } = readCsv(text);
    expect(header.slice(0, 3)).toEqual(["#", "principal_name", "principal_kind"]);
    expect(rows).toHaveLength(4);
    expect(rows.map((x) => x[1])).toContain('=HYPERLINK("http://evil.example","x"), "quoted"\nZoë');
    expect(text).not.toMatch(/(^|,)"=/m);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example""`);
  });

  it("exports a readable PDF whose pages are not blank", async () => {
    const r = await get(`target=mcp:resource:repo&asOf=${seededAt}&format=pdf`);
    expect(r.headers.get("content-type")).toBe("application/pdf");
    const { ink, text } = rasterisePdf(await bytes(r));
    expect(ink.length).toBeGreaterThanOrEqual(3);
    for (const share of ink) expect(share).toBeGreaterThan(0.002);
    expect(text.replace(/\s+/g, " ")).toContain("Who could reach repo northwind/platform");
    expect(text.replace(/\s+/g, " ")).toContain("Ada Lovelace (human) → member_of →");
  });

  it("exports an evidence package that verifies, whose manifest records the export's own audit event as head, and whose files are the same when re-exported", async () => {
    const first = await bytes(await get(`target=mcp:resource:repo&asOf=${seededAt}&format=zip`));
    const v = verifyPackage(first);
    expect(v).toMatchObject({ ok: true, problems: [] });
    const m = v.manifest!;
    expect(m.files.map((f) => f.path)).toEqual(["README.txt", "access-report.csv", "access-report.json", "access-report.pdf"]);
    expect(m).toMatchObject({
      kind: "access_report",
      generatedBy: { type: "token", label: expect.stringContaining("audit@example.com") },
      auditChain: { ok: true },
    });
    const chain = await verifyAuditChain(t.db);
    // The same question (target, instant, depth) keeps its report id, so the latest export event is this one.
    const [exportEvent] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "evidence.export"), eq(auditEvents.targetId, m.id)))
      .orderBy(desc(auditEvents.seq))
      .limit(1);
    expect(exportEvent).toMatchObject({ targetType: "access_report", actorType: "token" });
    expect(exportEvent!.after).toMatchObject({ format: "zip", asOf: seededAt, total: 3 });
    expect(m.auditChain.head).toBe(chain.head);

    const second = verifyPackage(await bytes(await get(`target=mcp:resource:repo&asOf=${seededAt}&format=zip`)));
    expect(second.manifest!.id).toBe(m.id);
    expect(second.manifest!.files).toEqual(m.files);
    expect(second.manifest!.generatedAt >= m.generatedAt).toBe(true);
    const a = unzipSync(first);
    expect(JSON.parse(new TextDecoder().decode(a["access-report.json"]))).toMatchObject({
      id: m.id,
      frameworks: expect.arrayContaining([expect.objectContaining({ control: "A.5.18" })]),
    });
  });

  it("refuses a reviewer and an analyst (403): exporting evidence needs evidence.export; nothing is audited for them", async () => {
    const before = (await verifyAuditChain(t.db)).entries;
    expect((await get("target=mcp:resource:repo", "reviewer")).status).toBe(403);
    expect((await get("target=mcp:resource:repo&format=zip", "analyst")).status).toBe(403);
    expect((await verifyAuditChain(t.db)).entries).toBe(before);
  });

  it("refuses malformed questions with the parameter named", async () => {
    const cases: [string, string][] = [
      ["target=mcp:resource:repo&principal=okta:human:00u1", "principal"],
      ["format=csv", "target"],
      ["target=mcp:resource:repo&format=xls", "format"],
      ["target=mcp:resource:repo&asOf=last-tuesday", "asOf"],
      ["target=mcp:resource:repo&maxDepth=99", "maxDepth"],
      ["target=not-a-ref", "target"],
    ];
    for (const [q, path] of cases) {
      const r = await get(q);
      expect(r.status, q).toBe(400);
      expect(
        (await r.json()).error.details.map((d: { path: string }) => d.path),
        q,
      ).toContain(path);
    }
  });
});
