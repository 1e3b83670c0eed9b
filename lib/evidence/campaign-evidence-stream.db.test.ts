import { sql } from "drizzle-orm";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/campaigns/[id]/evidence/route";
import { rows } from "@/db/rows";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import type { Actor } from "@/lib/authz/actor";
import { launched, userId } from "@/lib/campaigns/test-helpers";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { readCsv } from "./csv";
import { exportCampaignEvidence } from "./campaign-evidence";
import { rasterisePdf } from "./pdf-ink";
import { insertSyntheticItems } from "./synthetic-items";
import { verifyPackage, verifyPackageStream } from "./verify-package";
import { bytesSource } from "./zip-stream";

/**
 * The streamed export of a campaign far larger than its chunk size: 30,000
 * items inserted by SQL beside the ones its launch made. The package verifies,
 * every item is in items.csv once, and the items were read a chunk at a time
 * (the cursor is fetched many times, never more than a chunk per fetch).
 */

const N = 30_000;
let t: TestDatabase;
let auditor: Actor;
let campaignId: string;
let launchedItems: number;
let token: string;

const get = (id: string, query: string) =>
  GET(new Request(`http://attest.test/api/v1/campaigns/${id}/evidence?${query}`, { headers: { authorization: `Bearer ${token}` } }), {
    params: Promise.resolve({ id }),
  } as never);

/** Runs an export through exportCampaignEvidence, collecting the bytes and the chunk reads. */
async function exportOf(format: "zip" | "csv" | "pdf", o: { chunkSize?: number; fullDetailMax?: number } = {}) {
  const chunks: [string, number][] = [];
  const out = await exportCampaignEvidence(t.db, auditor, campaignId, { format }, undefined, new Date(), {
    ...o,
    onChunk: (cursor, rows) => chunks.push([cursor, rows]),
  });
  if (out.format === "json") throw new Error("unexpected json");
  const parts: Uint8Array[] = [];
  let writes = 0;
  await out.write({ write: (b) => void (writes++, parts.push(Uint8Array.from(b))) });
  return { bytes: new Uint8Array(Buffer.concat(parts)), chunks, writes };
}

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const ana = await actorByEmail(t, "ana@example.com");
  const admin = await actorByEmail(t, "admin@example.com");
  auditor = await actorByEmail(t, "audit@example.com");
  token = (await createApiToken(t.db, admin, { name: "auditor", userId: auditor.id, roles: ["auditor"] })).token;
  const c = await launched(t.db, ana, {
    name: "Everyone's groups",
    scope: { edgeKinds: ["uses_credential"] },
    reviewerStrategy: { reviewer: "admin@example.com" },
  });
  campaignId = c.id;
  const adminId = await userId(t.db, "admin@example.com");
  const adaId = await userId(t.db, "ada@example.com");
  launchedItems = Number((await rows<{ n: number }>(t.db, sql`select count(*)::int as n from review_items where campaign_id = ${campaignId}`))[0]!.n);
  await insertSyntheticItems(t.db, campaignId, N, { reviewerId: adminId, delegateId: adaId, tag: "big" });
  // Ada was told about her work by e-mail; the chat message failed.
  await t.db.execute(sql`insert into campaign_notifications (id, campaign_id, kind, recipient_id, reviewer_id, pending_items, message, dedupe_key)
    values ('ntf_big_1', ${campaignId}, 'digest', ${adaId}, ${adaId}, 300, '300 items to review in Everyone''s groups', 'digest:ada:1')`);
  await t.db
    .execute(sql`insert into notification_deliveries (id, notification_id, campaign_id, recipient_id, channel, address, status, attempts, sent_at, message_id)
    values ('dlv_big_1', 'ntf_big_1', ${campaignId}, ${adaId}, 'email', 'ada@example.com', 'sent', 1, '2026-02-02T09:00:00Z', '<m1@attest>'),
           ('dlv_big_2', 'ntf_big_1', ${campaignId}, null, 'slack', '#access-reviews', 'failed', 3, null, null)`);
}, 120_000);
afterAll(() => t.cleanup());

describe("streamed evidence of a large campaign", () => {
  it("writes a package that verifies, reading the items a chunk at a time", async () => {
    const { bytes, chunks, writes } = await exportOf("zip", { chunkSize: 2000 });
    const items = chunks.filter(([c]) => c === "items");
    expect(items.length).toBeGreaterThanOrEqual(Math.ceil(N / 2000));
    expect(Math.max(...items.map(([, n]) => n))).toBeLessThanOrEqual(2000);
    expect(items.reduce((a, [, n]) => a + n, 0)).toBe(N + launchedItems);
    expect(writes).toBeGreaterThan(20); // handed on as it was produced, not as one buffer at the end
    const v = await verifyPackageStream(bytesSource(bytes));
    expect(v).toMatchObject({ ok: true, problems: [] });
    expect(verifyPackage(bytes).ok).toBe(true);
    const zip = unzipSync(bytes);
    expect(Object.keys(zip).at(-1)).toBe("manifest.json");
    const csv = readCsv(new TextDecoder().decode(zip["items.csv"]));
    expect(csv.rows).toHaveLength(N + launchedItems);
    expect(new Set(csv.rows.map((r) => r[0])).size).toBe(N + launchedItems);
    // Listed in subject order, as the in-memory export sorted them.
    const subjects = csv.rows.map((r) => r[csv.header.indexOf("subject")]!);
    expect(subjects.slice(0, 2000)).toEqual([...subjects.slice(0, 2000)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const delegated = csv.rows.find((r) => r[0] === "itm_big_00000102")!;
    expect(delegated[csv.header.indexOf("delegations")]).toContain("Admin Person <admin@example.com> → Ada Lovelace <ada@example.com>");
    expect(csv.rows.find((r) => r[0] === "itm_big_00000011")![csv.header.indexOf("justification")]).toBe('left the team, "moved" to sales');

    // Above FULL_DETAIL_MAX campaign.json is a summary whose counts match the files.
    const doc = JSON.parse(new TextDecoder().decode(zip["campaign.json"]));
    expect(doc).toMatchObject({
      detail: "summary",
      totals: { items: N + launchedItems, approved: N / 10, revoked: N / 10 },
      rows: { "items.csv": N + launchedItems },
    });
    expect(doc.items).toBeUndefined();
    expect(doc.totals.delegated).toBe(N / 100);
    expect(readCsv(new TextDecoder().decode(zip["reassignments.csv"])).rows).toHaveLength(N / 100);
    const pop = readCsv(new TextDecoder().decode(zip["population.csv"])).rows;
    expect(pop.find((r) => r[0] === "total items")![2]).toBe(String(N + launchedItems));
    const notes = readCsv(new TextDecoder().decode(zip["notifications.csv"]));
    expect(notes.rows).toHaveLength(2);
    expect(notes.rows[0]).toEqual(
      expect.arrayContaining(["digest", "Ada Lovelace <ada@example.com>", "email", "ada@example.com", "sent", "2026-02-02T09:00:00.000Z"]),
    );
    expect(notes.rows[1]).toEqual(expect.arrayContaining(["slack", "#access-reviews", "failed", "3"]));
    // The PDF is a few summary pages, not 30,000 rows.
    const { ink, text } = rasterisePdf(zip["campaign-report.pdf"]!);
    expect(ink.length).toBeLessThanOrEqual(6);
    expect(text.replace(/\s+/g, " ")).toContain("too many to list here");
  }, 120_000);

  it("format=csv streams the same items.csv; format=pdf the summary", async () => {
    const zip = unzipSync((await exportOf("zip", { chunkSize: 5000 })).bytes);
    const csv = await exportOf("csv", { chunkSize: 5000 });
    expect(Buffer.from(csv.bytes).equals(Buffer.from(zip["items.csv"]!))).toBe(true);
    expect(csv.chunks.filter(([c]) => c === "items").length).toBeGreaterThanOrEqual(Math.ceil(N / 5000));
    const pdf = await exportOf("pdf");
    expect(rasterisePdf(pdf.bytes).text.replace(/\s+/g, " ")).toContain("Where the detail is");
  }, 120_000);

  it("over HTTP: a streamed zip body; format=json refused with 413 pointing to zip and csv", async () => {
    const r = await get(campaignId, "format=zip");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/zip");
    expect(r.body).toBeInstanceOf(ReadableStream);
    const v = await verifyPackageStream(bytesSource(new Uint8Array(await r.arrayBuffer())));
    expect(v).toMatchObject({ ok: true });
    const json = await get(campaignId, "format=json");
    expect(json.status).toBe(413);
    expect((await json.json()).error.message).toMatch(/format=zip .*format=csv/);
  }, 120_000);
});
