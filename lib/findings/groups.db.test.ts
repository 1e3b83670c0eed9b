import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingGroups, findings, nodes } from "@/db/schema";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { refreshGroups } from "./groups";
import { groupScore, memberWeight } from "./priority";

let t: TestDatabase;
const now = new Date("2026-06-01T00:00:00Z");

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.execute(sql`insert into sources (id, name, type) values ('src', 'test', 'file')`);
  const node = (id: string, kind: string) => ({ id, kind, name: id.toUpperCase(), sourceId: "src", externalId: id, attributes: {}, validFrom: now });
  await t.db.insert(nodes).values([node("g1", "group"), node("c1", "credential"), node("a1", "agent"), node("a2", "agent"), node("a3", "agent")] as never);
  const f = (id: string, rule: string, subjectId: string, cause: string, score: number, status = "open", resolves = true, severity = "medium") => ({
    id,
    rule,
    key: `${rule}:${id}`,
    subjectId,
    subjectKind: "agent",
    subjectName: subjectId,
    severity,
    title: id,
    evidence: { nodes: [subjectId], edges: [], attributes: [], facts: {} },
    fingerprint: id,
    status,
    firstSeenAt: now,
    lastSeenAt: now,
    createdAt: now,
    updatedAt: now,
    causeId: cause,
    causeKind: cause === "g1" ? "group" : "credential",
    causeName: cause.toUpperCase(),
    causeResolves: resolves,
    score,
    acceptedReason: status === "accepted" ? "r" : null,
    acceptedUntil: status === "accepted" ? now : null,
  });
  await t.db
    .insert(findings)
    .values([
      f("f1", "over_broad_reach", "a1", "g1", 10),
      f("f2", "over_broad_reach", "a2", "g1", 30, "open", false),
      f("f3", "dual_access_path", "a3", "g1", 20, "open", true, "high"),
      f("f4", "shared_credential", "c1", "c1", 5),
      f("f5", "over_broad_reach", "a3", "g1", 99, "resolved"),
      f("f6", "over_broad_reach", "a2", "c1", 99, "accepted"),
    ] as never);
}, 60_000);
afterAll(() => t.cleanup());

describe("refreshGroups", () => {
  it("builds one row per cause from its open findings only: counts add up, diminishing-returns score, main rule", async () => {
    await refreshGroups(t.db, "all", now);
    const rows = await t.db.select().from(findingGroups).orderBy(findingGroups.causeId);
    expect(rows.map((r) => [r.causeId, r.count, r.resolves, r.rule, r.topFindingId])).toEqual([
      ["c1", 1, 1, "shared_credential", "f4"],
      ["g1", 3, 2, "over_broad_reach", "f2"],
    ]);
    const g1 = rows.find((r) => r.causeId === "g1")!;
    // f2 (30) is not resolved by the cause alone: it counts half (15), after f3 (20).
    expect(g1.score).toBeCloseTo(groupScore([20, memberWeight(30, false), 10]), 2);
    expect(g1.scoreParts).toMatchObject({
      top: 30,
      impact: 60,
      count: 3,
      resolves: 2,
      bySeverity: { medium: 2, high: 1 },
      byRule: { over_broad_reach: 2, dual_access_path: 1 },
    });
    const open = await t.db.select().from(findings).where(eq(findings.status, "open"));
    expect(rows.reduce((s, r) => s + r.count, 0)).toBe(open.length);
  });

  it("refreshes only the causes named, and drops a group whose last member closed", async () => {
    await t.db.update(findings).set({ status: "resolved" }).where(eq(findings.id, "f4"));
    await t.db.update(findings).set({ score: 1 }).where(eq(findings.id, "f1"));
    await refreshGroups(t.db, ["c1"], now);
    const rows = await t.db.select().from(findingGroups);
    expect(rows.map((r) => r.causeId)).toEqual(["g1"]);
    // g1 was not named: its row is as before, although a member's score changed.
    expect(rows[0]!.score).toBeCloseTo(groupScore([20, 15, 10]), 2);
    await refreshGroups(t.db, ["g1"], now);
    const [g1] = await t.db.select().from(findingGroups);
    expect(g1!.score).toBeCloseTo(groupScore([20, 15, 1]), 2);
  });
});
