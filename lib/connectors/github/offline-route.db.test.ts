import { readFileSync } from "node:fs";
import { zipSync } from "fflate";
import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { nodes, sources } from "@/db/schema";
import { createApiToken } from "@/lib/admin/api-tokens";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { POST } from "@/app/api/v1/imports/route";
import { AnswerBundle } from "../bundle";
import { FIXTURE_PATH } from "./testing/fake-github";
import { OCTO_NODES } from "./testing/octo-counts";

/* The offline format `github-rest` through the real imports route: GitHub's REST answers as JSON or as a zip. */
let t: TestDatabase;
let token: string;
const noParams = { params: Promise.resolve({}) } as never;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  const analyst = await actorByEmail(t, "ana@example.com");
  token = (await createApiToken(t.db, admin, { name: "a", userId: analyst.id, roles: ["analyst"] })).token;
});
afterAll(() => t.cleanup());

const post = (body: BodyInit, type: string, query: string) =>
  POST(
    new Request(`http://attest.test/api/v1/imports${query}`, { method: "POST", body, headers: { authorization: `Bearer ${token}`, "content-type": type } }),
    noParams,
  );

async function nodesByKind(source: string) {
  const rows = await t.db
    .select({ kind: nodes.kind, n: sql<number>`count(*)::int` })
    .from(nodes)
    .innerJoin(sources, eq(sources.id, nodes.sourceId))
    .where(and(eq(sources.name, source), isNull(nodes.validTo)))
    .groupBy(nodes.kind);
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}

describe("POST /api/v1/imports?format=github-rest", () => {
  it("imports GitHub's REST answers as JSON", async () => {
    const r = await post(readFileSync(FIXTURE_PATH), "application/json", "?format=github-rest&source=gh-offline-json&mode=full");
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(201);
    expect(await nodesByKind("gh-offline-json")).toEqual(OCTO_NODES);
    expect(body.warnings.some((w: string) => w.includes("selected repositories"))).toBe(true);
  });

  it("imports the same answers as a zip (one entry per page) into the same graph", async () => {
    const doc = JSON.parse(readFileSync(FIXTURE_PATH, "utf8")) as { calls: Record<string, unknown[]> };
    const files: Record<string, Uint8Array> = {};
    for (const [call, pages] of Object.entries(doc.calls))
      pages.forEach((p, i) => (files[`${AnswerBundle.key(call)}${i ? `~${i + 1}` : ""}.json`] = new TextEncoder().encode(JSON.stringify(p))));
    const r = await post(zipSync(files), "application/zip", "?format=github-rest&source=gh-offline-zip&mode=full");
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(201);
    expect(await nodesByKind("gh-offline-zip")).toEqual(OCTO_NODES);
  });

  it("refuses a malformed answer with a located error naming no value", async () => {
    const doc = JSON.parse(readFileSync(FIXTURE_PATH, "utf8")) as { calls: Record<string, unknown[]> };
    doc.calls["GET /orgs/octo-org/teams"] = [{ teams: "Justice League" }];
    const r = await post(JSON.stringify(doc), "application/json", "?format=github-rest&source=gh-offline-bad");
    const body = await r.json();
    expect(r.status).toBe(400);
    expect(JSON.stringify(body)).toContain("orgs/{org}/teams page 1");
    expect(JSON.stringify(body)).not.toMatch(/Justice League|octo-org/);
    expect(await nodesByKind("gh-offline-bad")).toEqual({});
  });
});
