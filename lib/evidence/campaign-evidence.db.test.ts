import { and, eq } from "drizzle-orm";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/campaigns/[id]/evidence/route";
import { auditEvents, remediationTasks, reviewItems, reviewItemScopes } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { closeCampaign, signOffCampaign } from "@/lib/campaigns/close-campaign";
import { decideItem } from "@/lib/campaigns/decide-item";
import { createCampaign } from "@/lib/campaigns/launch-campaign";
import { listMyItems } from "@/lib/campaigns/queries";
import { completeRemediationTask } from "@/lib/campaigns/remediation";
import { launched } from "@/lib/campaigns/test-helpers";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { decodeGraphDocument, type DecodedImport } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { processGraphChanges } from "@/lib/pipeline/process-changes";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { readCsv } from "./csv";
import { rasterisePdf } from "./pdf-ink";
import { campaignItemsCsv } from "./campaign-evidence-files";
import { exportCampaignEvidence } from "./campaign-evidence";
import { loadCampaignSnapshot, reviewerIndependence, type CampaignSnapshot } from "./campaign-snapshot";
import { verifyPackage } from "./verify-package";

let t: TestDatabase;
let ana: Actor; // analyst, owns the campaign
let admin: Actor;
let ada: Actor; // reviewer
let campaignId: string;
let verifyingImport: string;
const tokens: Record<string, string> = {};
const graph = smallGraph();
const HOSTILE = '=HYPERLINK("http://evil.example","ok"), said "Zoë"\nsecond line';

const get = (id: string, query: string, role = "auditor") =>
  GET(new Request(`http://attest.test/api/v1/campaigns/${id}/evidence?${query}`, { headers: { authorization: `Bearer ${tokens[role]}` } }), {
    params: Promise.resolve({ id }),
  } as never);
const bytes = async (r: Response) => new Uint8Array(await r.arrayBuffer());
const text = (zip: Record<string, Uint8Array>, name: string) => new TextDecoder().decode(zip[name]);

function mcpSync(without: { from: string; to: string }[]): DecodedImport {
  const nodes = graph.nodes.filter((n) => n.source === "mcp").map(({ source: _s, ...n }) => n);
  const edges = graph.edges
    .filter((e) => e.source === "mcp" && !without.some((w) => w.from === e.from.externalId && w.to === e.to.externalId))
    .map(({ source: _s, ...e }) => e);
  return decodeGraphDocument({ source: "mcp", mode: "full", nodes, edges }) as DecodedImport;
}

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, graph);
  useAsAppDatabase(t);
  ana = await actorByEmail(t, "ana@example.com");
  admin = await actorByEmail(t, "admin@example.com");
  ada = await actorByEmail(t, "ada@example.com");
  for (const [email, role] of [
    ["audit@example.com", "auditor"],
    ["ada@example.com", "reviewer"],
    ["ana@example.com", "analyst"],
    ["admin@example.com", "admin"],
  ] as const) {
    tokens[role] = (await createApiToken(t.db, admin, { name: role, userId: (await actorByEmail(t, email)).id, roles: [role] })).token;
  }
  // The admin reviews both uses of the shared PAT, hands ci-deployer's to Ada, and revokes the bot's;
  // Ada revokes ci-deployer's with a justification full of quotes, a newline and a formula.
  const c = await launched(t.db, ana, {
    name: "PAT users, Q1",
    control: "SOC 2 CC6.3",
    scope: { edgeKinds: ["uses_credential"] },
    reviewerStrategy: { reviewer: "admin@example.com" },
  });
  campaignId = c.id;
  const items = (await listMyItems(t.db, admin, { status: "all", limit: 100, campaign: c.id })).items;
  const bot = items.find((i) => i.subject.name === "Triage bot")!;
  const ci = items.find((i) => i.subject.name === "ci-deployer")!;
  await decideItem(t.db, admin, bot.id, { decision: "revoke", justification: "hard-coded PAT", version: bot.version });
  await decideItem(t.db, admin, ci.id, { delegateTo: "ada@example.com", reason: "Ada runs the CI", version: ci.version });
  const mine = (await listMyItems(t.db, ada, { status: "all", limit: 100, campaign: c.id })).items[0]!;
  await decideItem(t.db, ada, mine.id, { decision: "revoke", justification: HOSTILE, version: mine.version });
  await closeCampaign(t.db, ana, c.id);
  await signOffCampaign(t.db, ana, c.id, { statement: "Reviewed with the CISO." });
  // ci-deployer's task is carried out and the next sync shows the access gone; the bot's stays open.
  const [ciTask] = await t.db.select().from(remediationTasks).where(eq(remediationTasks.subjectName, "ci-deployer"));
  await completeRemediationTask(t.db, ana, ciTask!.id, { ticket: "IAM-1" });
  verifyingImport = (await runImport(t.db, ana, mcpSync([{ from: "ci", to: "cred-pat" }]), { format: "graph" })).id;
  await processGraphChanges(t.db); // remediation verification follows the import (lib/pipeline)
});
afterAll(() => t.cleanup());

describe("campaign evidence package", () => {
  it("an auditor downloads a package that verifies and holds every part of the evidence", async () => {
    const r = await get(campaignId, "format=zip");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/zip");
    expect(r.headers.get("content-disposition")).toBe(`attachment; filename="evidence-${campaignId}.zip"`);
    const zipBytes = await bytes(r);
    const v = verifyPackage(zipBytes);
    expect(v).toMatchObject({ ok: true, problems: [] });
    const m = v.manifest!;
    expect(m).toMatchObject({
      kind: "campaign",
      id: campaignId,
      generatedBy: { label: expect.stringContaining("audit@example.com") },
      auditChain: { ok: true, head: (await verifyAuditChain(t.db)).head },
    });
    // Streamed: README first, the CSV files as they are read, the JSON and PDF, and manifest.json last.
    expect(m.files.map((f) => f.path)).toEqual([
      "README.txt",
      "items.csv",
      "scoped-items.csv",
      "population.csv",
      "reviewer-independence.csv",
      "reassignments.csv",
      "remediation.csv",
      "audit-extract.csv",
      "notifications.csv",
      "campaign.json",
      "campaign-report.pdf",
    ]);
    expect(Object.keys(unzipSync(zipBytes)).at(-1)).toBe("manifest.json");

    const zip = unzipSync(zipBytes);
    const doc = JSON.parse(text(zip, "campaign.json"));
    expect(doc.campaign).toMatchObject({ id: campaignId, control: "SOC 2 CC6.3", status: "signed_off", signOffStatement: "Reviewed with the CISO." });
    expect(doc.frameworks.map((f: { control: string }) => f.control)).toEqual(expect.arrayContaining(["SOC 2 CC6.3", "A.5.18", "PR.AA-05", "NHI5"]));
    expect(doc.population.reconciliation).toEqual({ items: 2, firstLevel: 2, secondLevel: 0, decided: 2, undecided: 0, reconciles: true });
    expect(doc.population.sources.map((s: { name: string }) => s.name)).toEqual(["mcp"]);
    expect(doc.totals).toMatchObject({
      items: 2,
      approved: 0,
      revoked: 2,
      abstained: 0,
      undecided: 0,
      delegated: 1,
      overdue: 0,
      percentComplete: 100,
      outcomes: { revoke: 2 },
    });
    expect(doc.signOff).toMatchObject({ signedOffBy: "ana@example.com", statement: "Reviewed with the CISO." });

    const ci = doc.items.find((i: { subject: { name: string } }) => i.subject.name === "ci-deployer");
    expect(ci).toMatchObject({
      stage: "first level",
      access: { kind: "uses_credential" },
      target: { name: "GitHub PAT" },
      assignedReviewer: "Admin Person <admin@example.com>",
      reviewerOfRecord: "Ada Lovelace <ada@example.com>",
      decidedBy: "Ada Lovelace <ada@example.com>",
      decision: "revoke",
      justification: HOSTILE,
      delegations: [{ from: "Admin Person <admin@example.com>", to: "Ada Lovelace <ada@example.com>", reason: "Ada runs the CI" }],
    });
    expect(doc.reviewerIndependence).toEqual({ checked: 2, exceptions: [], unlinked: 1 });
    expect(doc.reassignments).toHaveLength(1);
    const proof = Object.fromEntries(doc.remediation.map((x: { subject: string; result: string }) => [x.subject, x]));
    expect(proof["ci-deployer"]).toMatchObject({
      status: "verified",
      doneBy: "ana@example.com",
      ticket: "IAM-1",
      verifiedImportId: verifyingImport,
      result: expect.stringContaining("no longer showed the access"),
    });
    expect(proof["Triage bot"]).toMatchObject({ status: "open", result: "open: not yet carried out" });
    const actions = doc.auditExtract.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "campaign.create",
        "campaign.launch",
        "review.decide",
        "review.delegate",
        "campaign.close",
        "campaign.sign_off",
        "remediation.done",
        "remediation.verify",
      ]),
    );
    expect(actions).not.toContain("evidence.export");

    const items = readCsv(text(zip, "items.csv"));
    expect(items.rows).toHaveLength(2);
    expect(items.rows.map((row) => row[items.header.indexOf("justification")])).toContain(HOSTILE);
    expect(text(zip, "items.csv")).not.toMatch(/(^|,)"=/m);
    expect(readCsv(text(zip, "reassignments.csv")).rows[0]).toEqual(expect.arrayContaining(["Ada runs the CI"]));
    expect(readCsv(text(zip, "audit-extract.csv")).rows.length).toBe(doc.auditExtract.length);
    // The streamed CSV files say what the in-memory snapshot says, byte for byte.
    const snap = await loadCampaignSnapshot(t.db, campaignId);
    expect(text(zip, "items.csv")).toBe(campaignItemsCsv(snap));
    expect(readCsv(text(zip, "remediation.csv")).rows.map((r) => r[r.length - 1])).toEqual(doc.remediation.map((x: { result: string }) => x.result));
    expect(readCsv(text(zip, "audit-extract.csv")).rows.map((r) => r[13])).toEqual(doc.auditExtract.map((e: { hash: string }) => e.hash));
    expect(readCsv(text(zip, "notifications.csv"))).toEqual({
      header: expect.arrayContaining(["kind", "recipient", "channel", "status", "sent_at"]),
      rows: [],
    });
  });

  it("forced to its summary form, the campaign's counts match the full document's", async () => {
    const full = JSON.parse(text(unzipSync(await bytes(await get(campaignId, "format=zip"))), "campaign.json"));
    const out = await exportCampaignEvidence(t.db, admin, campaignId, { format: "zip" }, undefined, new Date(), { fullDetailMax: 0, chunkSize: 1 });
    if (out.format === "json") throw new Error("unexpected json");
    const parts: Uint8Array[] = [];
    await out.write({ write: (b) => void parts.push(Uint8Array.from(b)) });
    const zipBytes = new Uint8Array(Buffer.concat(parts));
    expect(verifyPackage(zipBytes).ok).toBe(true);
    const summary = JSON.parse(text(unzipSync(zipBytes), "campaign.json"));
    expect(summary.detail).toBe("summary");
    expect(summary.totals).toEqual(full.totals);
    expect(summary.population).toEqual(full.population);
    expect(summary.reviewerIndependence).toMatchObject({
      checked: full.reviewerIndependence.checked,
      exceptions: 0,
      unlinked: full.reviewerIndependence.unlinked,
    });
    expect(summary.rows).toMatchObject({ "reassignments.csv": full.reassignments.length, "audit-extract.csv": full.auditExtract.length });
  });

  it("a later campaign that scoped an item shows it as reviewed in the first campaign, with that decision", async () => {
    const later = await launched(t.db, ana, {
      name: "PAT users, Q2",
      scope: { edgeKinds: ["uses_credential"] },
      reviewerStrategy: { reviewer: "admin@example.com" },
    });
    const [item] = await t.db
      .select()
      .from(reviewItems)
      .where(and(eq(reviewItems.campaignId, campaignId), eq(reviewItems.subjectName, "Triage bot")));
    await t.db.insert(reviewItemScopes).values({ campaignId: later.id, itemId: item!.id });
    const zip = unzipSync(await bytes(await get(later.id, "format=zip")));
    const scoped = readCsv(text(zip, "scoped-items.csv"));
    expect(scoped.rows).toHaveLength(1);
    const row = Object.fromEntries(scoped.header.map((h, k) => [h, scoped.rows[0]![k]]));
    expect(row).toMatchObject({
      item_id: item!.id,
      shown_as: `reviewed in campaign PAT users, Q1 (${campaignId})`,
      reviewed_in_campaign_id: campaignId,
      decision: "revoke",
      justification: "hard-coded PAT",
      decided_by: "Admin Person <admin@example.com>",
    });
    expect(JSON.parse(text(zip, "campaign.json")).scopedItems).toBe(1);
    // The first campaign's own evidence is unchanged by it.
    expect(readCsv(text(unzipSync(await bytes(await get(campaignId, "format=zip"))), "scoped-items.csv")).rows).toHaveLength(0);
  });

  it("re-exporting the closed campaign gives identical file hashes; only the manifest differs", async () => {
    const a = verifyPackage(await bytes(await get(campaignId, "format=zip"))).manifest!;
    const b = verifyPackage(await bytes(await get(campaignId, "format=zip", "admin"))).manifest!;
    expect(b.files).toEqual(a.files);
    expect(b.generatedAt >= a.generatedAt).toBe(true);
    // Each export is audited, so the head moves on; the extract is unaffected.
    expect(b.auditChain.head).not.toBe(a.auditChain.head);
  });

  it("CSV is the items, formula-safe; JSON carries the chain verification; PDF renders without blank pages", async () => {
    const csv = await get(campaignId, "format=csv");
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(readCsv(await csv.text()).rows).toHaveLength(2);
    const json = await (await get(campaignId, "format=json")).json();
    expect(json).toMatchObject({ campaign: { id: campaignId }, auditChain: { ok: true } });
    const { ink, text: pdfText } = rasterisePdf(await bytes(await get(campaignId, "format=pdf")));
    expect(ink.length).toBeGreaterThanOrEqual(6);
    for (const [i, share] of ink.entries()) expect(share, `page ${i + 1}`).toBeGreaterThan(0.002);
    const flat = pdfText.replace(/\s+/g, " ");
    expect(flat).toContain("PAT users, Q1");
    expect(flat).toContain("Reviewer independence");
    expect(flat).toContain("Reviewed with the CISO.");
  });

  it("each export is audited as campaign_evidence", async () => {
    const before = (
      await t.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, "evidence.export"), eq(auditEvents.targetId, campaignId)))
    ).length;
    await get(campaignId, "format=json");
    const rows = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "evidence.export"), eq(auditEvents.targetId, campaignId)));
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({
      targetType: "campaign_evidence",
      actorLabel: expect.stringContaining("audit@example.com"),
      after: { campaignId, format: "json" },
    });
  });

  it("refuses a reviewer and an analyst (403), an unknown campaign (404), a draft (409) and an unknown format (400)", async () => {
    expect((await get(campaignId, "format=zip", "reviewer")).status).toBe(403);
    expect((await get(campaignId, "format=zip", "analyst")).status).toBe(403);
    expect((await get("cmp_00000000000000000000000000", "format=zip")).status).toBe(404);
    const draft = await createCampaign(t.db, ana, {
      name: "draft",
      scope: { edgeKinds: ["uses_credential"] },
      reviewerStrategy: "target_owner",
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect((await get(draft.id, "format=zip")).status).toBe(409);
    const bad = await get(campaignId, "format=xlsx");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details[0].path).toBe("format");
  });
});

describe("reviewer independence", () => {
  it("lists as exceptions a reviewer or decider who is the subject, owns it, or is the person an agent acts for", () => {
    const person = (id: string, humanNodeId: string | null) => ({ id, name: id, email: `${id}@example.com`, humanNodeId });
    const item = (
      id: string,
      subjectId: string,
      reviewerId: string,
      decidedById: string | null,
      context: Partial<CampaignSnapshot["items"][number]["context"]> = {},
    ) =>
      ({
        id,
        subjectId,
        subjectKind: "agent",
        subjectName: id,
        reviewerId,
        decidedById,
        context: { subjectOwners: [], subjectActsFor: [], ...context },
      }) as unknown as CampaignSnapshot["items"][number];
    const snap = {
      people: new Map([
        ["u-self", person("u-self", "hum-self")],
        ["u-owner", person("u-owner", "hum-owner")],
        ["u-principal", person("u-principal", "hum-principal")],
        ["u-ok", person("u-ok", "hum-ok")],
        ["u-unlinked", person("u-unlinked", null)],
      ]),
      items: [
        item("itm-self", "hum-self", "u-self", null),
        item("itm-owned", "agt-1", "u-ok", "u-owner", { subjectOwners: [{ id: "hum-owner", name: "o", kind: "human", role: "technical", status: "active" }] }),
        item("itm-acts", "agt-2", "u-principal", "u-principal", {
          subjectActsFor: [{ id: "hum-principal", name: "p", kind: "human", role: null, status: "active" }],
        }),
        item("itm-clean", "agt-3", "u-ok", "u-ok"),
        item("itm-unlinked", "agt-4", "u-unlinked", null),
      ],
    } as unknown as CampaignSnapshot;
    const r = reviewerIndependence(snap);
    expect(r.checked).toBe(5);
    expect(r.unlinked).toBe(1);
    expect(r.exceptions.map((e) => [e.itemId, e.who, e.finding])).toEqual([
      ["itm-self", "reviewer", "u-self is the subject"],
      ["itm-owned", "decided by", "u-owner owns the subject"],
      ["itm-acts", "reviewer", "the agent acts for u-principal"],
    ]);
  });
});
