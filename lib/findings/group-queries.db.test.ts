import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findings, nodes } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { isAppError } from "@/lib/errors";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { describeCause, getFindingGroup, listFindingGroups, listGroupsQuerySchema, queueTotals } from "./group-queries";
import { refreshGroups } from "./groups";
import { findingsSummary, listFindings, listFindingsQuerySchema } from "./queries";

/*
 * The work queue's and the priority list's queries on fixture rows: findings written with causes and scores as an
 * evaluation would leave them, and finding_groups recounted from them by refreshGroups (the engine's own function).
 */

let t: TestDatabase;
const now = new Date("2026-06-01T00:00:00Z");
const analyst: Actor = { type: "system", id: "system:test", name: "test", roles: ["analyst"], humanNodeId: null };
const reviewer: Actor = { type: "system", id: "system:rev", name: "rev", roles: ["reviewer"], humanNodeId: null };

const CAUSES = {
  grp_eng: { kind: "group", name: "Engineering 100% admins" },
  cred_ci: { kind: "credential", name: "CI deploy token" },
  tool_push: { kind: "tool", name: "push_files" },
  mcp_fs: { kind: "mcp_server", name: "Filesystem" },
  grp_ops: { kind: "group", name: "Ops" },
} as const;
type CauseId = keyof typeof CAUSES;

/** [id, rule, severity, cause, score, status, firstSeen day]: grp_ops and mcp_fs tie on score (10) to test the cause-id tiebreak. */
const ROWS: [string, string, string, CauseId, number, string, number][] = [
  ["fnd_01", "over_broad_reach", "medium", "grp_eng", 40, "open", 1],
  ["fnd_02", "over_broad_reach", "medium", "grp_eng", 30, "open", 2],
  ["fnd_03", "dual_access_path", "high", "grp_eng", 30, "open", 3],
  ["fnd_04", "over_broad_reach", "medium", "grp_eng", 5, "resolved", 4],
  ["fnd_05", "hardcoded_secret", "critical", "cred_ci", 64, "open", 5],
  ["fnd_06", "shared_credential", "medium", "cred_ci", 8, "open", 6],
  ["fnd_07", "tool_definition_changed", "high", "tool_push", 90, "open", 7],
  ["fnd_08", "insecure_mcp_server", "high", "mcp_fs", 10, "open", 8],
  ["fnd_09", "no_active_owner", "low", "grp_ops", 10, "open", 9],
  ["fnd_10", "no_active_owner", "low", "grp_ops", 2, "accepted", 10],
];

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.execute(sql`insert into sources (id, name, type) values ('src', 'test', 'file')`);
  await t.db
    .insert(nodes)
    .values(
      Object.entries(CAUSES).map(([id, c]) => ({ id, kind: c.kind, name: c.name, sourceId: "src", externalId: id, attributes: {}, validFrom: now })) as never,
    );
  await t.db.insert(findings).values(
    ROWS.map(([id, rule, severity, cause, score, status, day]) => ({
      id,
      rule,
      key: `${rule}:${id}`,
      subjectId: cause,
      subjectKind: CAUSES[cause].kind,
      subjectName: CAUSES[cause].name,
      severity,
      title: `${id} about ${CAUSES[cause].name}`,
      evidence: { nodes: [cause], edges: [], attributes: [], facts: {} },
      fingerprint: id,
      status,
      acceptedReason: status === "accepted" ? "known" : null,
      acceptedUntil: status === "accepted" ? new Date("2099-01-01T00:00:00Z") : null,
      firstSeenAt: new Date(now.getTime() + day * 3_600_000),
      lastSeenAt: now,
      createdAt: now,
      updatedAt: now,
      causeId: cause,
      causeKind: CAUSES[cause].kind,
      causeName: CAUSES[cause].name,
      causeResolves: id !== "fnd_03",
      score,
    })) as never,
  );
  await refreshGroups(t.db, "all", now);
}, 60_000);
afterAll(() => t.cleanup());

const groups = (q: Record<string, string> = {}) => listFindingGroups(t.db, analyst, listGroupsQuerySchema.parse(q));
const list = (q: Record<string, string> = {}) => listFindings(t.db, analyst, listFindingsQuerySchema.parse(q), now);
const ids = (page: { items: { id: string }[] }) => page.items.map((i) => i.id);

async function errorOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return { code: e.code, details: e.details };
    throw e;
  }
  throw new Error("expected an error");
}

describe("GET /api/v1/findings/groups: the work queue", () => {
  it("lists one group per cause with open findings, highest score first (ties by cause id), counts adding up to the open findings", async () => {
    const page = await groups();
    // tool_push 90; cred_ci 64 + 8/2 = 68; grp_eng 40 + 30/2 + (30, not resolved by its cause alone: half)/3 = 60;
    // grp_ops and mcp_fs 10 each, by id.
    expect(page.items.map((g) => [g.id, g.score])).toEqual([
      ["tool_push", 90],
      ["cred_ci", 68],
      ["grp_eng", 60],
      ["grp_ops", 10],
      ["mcp_fs", 10],
    ]);
    expect(page.total).toBe(5);
    expect(page.nextCursor).toBeNull();
    const open = ROWS.filter((r) => r[5] === "open").length;
    expect(page.items.reduce((s, g) => s + g.count, 0)).toBe(open);
    const eng = page.items.find((g) => g.id === "grp_eng")!;
    expect(eng).toMatchObject({
      rule: "over_broad_reach",
      ruleLabel: expect.any(String),
      cause: { id: "grp_eng", kind: "group", name: "Engineering 100% admins" },
      count: 3,
      scoreParts: { top: 40, impact: 100, count: 3, resolves: 2, bySeverity: { medium: 2, high: 1 } },
      topFindingId: "fnd_01",
      action: { kind: "remove_grant", closes: 2, campaign: true, href: "/nodes/grp_eng?tab=access" },
    });
    expect(page.items[0]!.action).toMatchObject({ kind: "recertify_tool", campaign: true, href: "/findings?group=tool_push" });
  });

  it("pages with a keyset cursor across a tie, without repeats or gaps", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await groups({ limit: "2", ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(5);
      seen.push(...ids(page));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(["tool_push", "cred_ci", "grp_eng", "grp_ops", "mcp_fs"]);
  });

  it("filters by main rule, cause kind and the cause's name (wildcards are literal)", async () => {
    expect(ids(await groups({ rule: "no_active_owner" }))).toEqual(["grp_ops"]);
    expect(ids(await groups({ causeKind: "group" }))).toEqual(["grp_eng", "grp_ops"]);
    expect(ids(await groups({ q: "DEPLOY" }))).toEqual(["cred_ci"]);
    expect(ids(await groups({ q: "100%" }))).toEqual(["grp_eng"]);
    expect(ids(await groups({ q: "%" }))).toEqual(["grp_eng"]);
    expect((await groups({ causeKind: "tool", rule: "no_active_owner" })).total).toBe(0);
  });

  it("refuses bad parameters naming them, a forged cursor, and a caller without findings.read", async () => {
    for (const [q, path] of [
      [{ limit: "0" }, "limit"],
      [{ limit: "201" }, "limit"],
      [{ causeKind: "planet" }, "causeKind"],
      [{ rule: "nope" }, "rule"],
      [{ sort: "score" }, "sort"],
    ] as const) {
      const r = listGroupsQuerySchema.safeParse(q);
      expect(r.success).toBe(false);
      expect(r.error!.issues.map((i) => (i.path.length ? i.path.join(".") : (i as { keys?: string[] }).keys?.join(",")))).toEqual([path]);
    }
    expect(await errorOf(groups({ cursor: "bm9wZQ" }))).toMatchObject({ code: "validation", details: [{ path: "cursor" }] });
    expect(await errorOf(listFindingGroups(t.db, reviewer, listGroupsQuerySchema.parse({})))).toMatchObject({ code: "forbidden" });
  });

  it("answers one group by its cause id, and not found for a cause without open findings", async () => {
    expect(await getFindingGroup(t.db, analyst, "cred_ci")).toMatchObject({ id: "cred_ci", count: 2, action: { kind: "rotate_credential" } });
    expect(await errorOf(getFindingGroup(t.db, analyst, "nope"))).toMatchObject({ code: "not_found" });
    expect(await describeCause(t.db, analyst, "grp_eng")).toEqual({ id: "grp_eng", kind: "group", name: "Engineering 100% admins", open: true });
    expect(await describeCause(t.db, analyst, "nope")).toBeNull();
  });
});

describe("GET /api/v1/findings: priority order and groups", () => {
  it("orders by priority by default (score, then id) and pages by it", async () => {
    const all = await list({ status: "open" });
    expect(ids(all)).toEqual(["fnd_07", "fnd_05", "fnd_01", "fnd_02", "fnd_03", "fnd_08", "fnd_09", "fnd_06"]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list({ status: "open", limit: "3", ...(cursor ? { cursor } : {}) });
      seen.push(...ids(page));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(ids(all));
    expect(all.items[0]).toMatchObject({ score: 90, cause: { id: "tool_push", kind: "tool", name: "push_files", resolves: true } });
  });

  it("lists a group's members (every status unless asked), their count the group's", async () => {
    const members = await list({ group: "grp_eng", status: "open" });
    expect(ids(members)).toEqual(["fnd_01", "fnd_02", "fnd_03"]);
    expect(members.total).toBe((await getFindingGroup(t.db, analyst, "grp_eng")).count);
    expect(ids(await list({ group: "grp_eng" }))).toEqual(["fnd_01", "fnd_02", "fnd_03", "fnd_04"]);
    expect((await list({ group: "nope" })).total).toBe(0);
  });

  it("summarises a group's members by severity and rule (the charts of its list)", async () => {
    const s = await findingsSummary(t.db, analyst, { status: "open", group: "grp_eng" }, now);
    expect(s.bySeverity).toMatchObject({ medium: 2, high: 1, critical: 0 });
    expect(s.byRule).toMatchObject({ over_broad_reach: 2, dual_access_path: 1, hardcoded_secret: 0 });
    expect(await queueTotals(t.db, analyst)).toEqual({ groups: 5, findings: 8, uncaused: false });
  });

  it("keeps the severity order (then subject, id) and offers newest first, each paging by its own key", async () => {
    const bySeverity = await list({ status: "open", sort: "severity" });
    expect(bySeverity.items.map((i) => i.severity)).toEqual(["critical", "high", "high", "high", "medium", "medium", "medium", "low"]);
    expect(ids(bySeverity).slice(1, 4)).toEqual(["fnd_03", "fnd_08", "fnd_07"]); // Engineering…, Filesystem, push_files
    const newest = await list({ sort: "newest" });
    expect(ids(newest)).toEqual(ROWS.map((r) => r[0]).reverse());
    for (const sort of ["severity", "newest"]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await list({ sort, limit: "4", ...(cursor ? { cursor } : {}) });
        seen.push(...ids(page));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen, sort).toEqual(ids(await list({ sort })));
    }
  });

  it("refuses a cursor made for another sort, naming the cursor", async () => {
    const first = await list({ limit: "2" });
    expect(first.nextCursor).not.toBeNull();
    const e = await errorOf(list({ limit: "2", sort: "severity", cursor: first.nextCursor! }));
    expect(e).toMatchObject({ code: "validation", details: [{ path: "cursor", message: expect.stringContaining("sort=priority") }] });
    const sev = await list({ limit: "2", sort: "severity" });
    expect(await errorOf(list({ limit: "2", sort: "newest", cursor: sev.nextCursor! }))).toMatchObject({ details: [{ path: "cursor" }] });
    expect(listFindingsQuerySchema.safeParse({ sort: "score" }).error!.issues[0]!.path).toEqual(["sort"]);
  });
});

describe("the work queue's totals", () => {
  it("say when an open finding has no cause yet (written before causes were computed)", async () => {
    await t.db.insert(findings).values({
      id: "fnd_99",
      rule: "over_broad_reach",
      key: "over_broad_reach:fnd_99",
      subjectId: "grp_ops",
      subjectKind: "group",
      subjectName: "Ops",
      severity: "medium",
      title: "old row",
      evidence: { nodes: ["grp_ops"], edges: [], attributes: [], facts: {} },
      fingerprint: "fnd_99",
      firstSeenAt: now,
      lastSeenAt: now,
    });
    expect(await queueTotals(t.db, analyst)).toEqual({ groups: 5, findings: 8, uncaused: true });
  });
});
