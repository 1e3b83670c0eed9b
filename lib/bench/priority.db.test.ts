import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "@/db/rows";
import { systemActor } from "@/lib/authz/actor";
import { runEvaluation, runRules } from "@/lib/findings/evaluate";
import { loadSettings } from "@/lib/findings/settings";
import { loadSnapshot } from "@/lib/findings/snapshot";
import { EDGE_KINDS } from "@/lib/graph/model";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { generateDataset, toGraphDocument, type BenchDataset, type SizeSpec } from "./dataset";
import { bulkLoad } from "./load";
import { findingKey, rankedGroups, simulateEndingCause, withoutNode } from "./priority";

/**
 * The findings-priority benchmark ends each top cause in memory (lib/bench/priority.ts) instead of importing and
 * evaluating twenty scratch copies of M. Here, on a small generated organisation, the same endings go through the
 * real path — a full import that leaves the cause node and its edges out, then a full evaluation — and what the
 * evaluation leaves open must be exactly what the in-memory rules find.
 */
const SMALL: SizeSpec = {
  humans: 40,
  departments: 3,
  teams: 16,
  appGroups: 3,
  superGroups: 2,
  serviceAccounts: 80,
  agents: 50,
  mcpServers: 6,
  entitlements: 50,
  resources: 40,
  credentials: 50,
  nhiEntitlements: [1, 3],
};

let t: TestDatabase;
let ds: BenchDataset;
let ids: string[];
const actor = systemActor("bench-test");
const openKeys = async () =>
  (await rows<{ rule: string; key: string }>(t.db, sql`select rule, key from findings where status = 'open'`)).map(findingKey).sort();

beforeAll(async () => {
  t = await createTestDatabase();
  ds = generateDataset(SMALL, 11);
  ids = (await bulkLoad(t.db, ds)).ids;
  await runEvaluation(t.db, actor, { trigger: "bench" });
});
afterAll(() => t.cleanup());

/** A full import of the dataset's source without these nodes and every edge touching them. */
async function importWithout(ended: ReadonlySet<number>) {
  const doc = toGraphDocument(ds, ds.source, "full");
  const gone = new Set([...ended].map((i) => `${ds.nodeKinds[i]}\u0000${ds.externalIds[i]}`));
  const key = (r: { kind: string; externalId: string }) => `${r.kind}\u0000${r.externalId}`;
  doc.nodes = doc.nodes.filter((n) => !gone.has(key(n as { kind: string; externalId: string })));
  doc.edges = doc.edges.filter((e) => {
    const x = e as { from: { kind: string; externalId: string }; to: { kind: string; externalId: string } };
    return !gone.has(key(x.from)) && !gone.has(key(x.to));
  });
  const rec = await runImport(t.db, actor, decodeConverted(doc), { format: "graph" });
  expect(rec.status, JSON.stringify(rec.errors.slice(0, 3))).toBe("succeeded");
}

/** The most-used credential: ending it changes what many identities reach. */
function busiestCredential(): number {
  const uses = new Map<number, number>();
  const kind = EDGE_KINDS.indexOf("uses_credential");
  for (let e = 0; e < ds.edgeKinds.length; e++) if (ds.edgeKinds[e] === kind) uses.set(ds.edgeTo[e]!, (uses.get(ds.edgeTo[e]!) ?? 0) + 1);
  return [...uses].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
}

describe("ending a cause in memory agrees with a real import and evaluation", () => {
  it("leaves open exactly the findings the in-memory rules still find, cause after cause (top groups, a super group, a shared credential)", async () => {
    const indexOf = new Map(ids.map((id, i) => [id, i]));
    const top = await rankedGroups(t.db, 3);
    const causes = [...new Set([...top.map((g) => indexOf.get(g.causeId)).filter((i) => i !== undefined), ds.roles.superGroups[0]!, busiestCredential()])];
    expect(causes.length).toBeGreaterThanOrEqual(2);
    const ended = new Set<number>();
    let resolvedSomewhere = 0;
    for (const cause of causes) {
      const causeId = ids[cause]!;
      const before = await openKeys();
      const snap = await loadSnapshot(t.db);
      const { settings } = await loadSettings(t.db);
      const now = new Date();
      // The group-level figure the benchmark reports, over every open finding here (all members of some cause).
      const members = before.map((k) => {
        const [rule, key] = k.split("\u0000");
        return { rule: rule as never, key: key! };
      });
      const sim = simulateEndingCause(snap, settings, now, causeId, members);
      const predicted = runRules({ snap: withoutNode(snap, causeId), settings, now })
        .map(findingKey)
        .sort();

      ended.add(cause);
      await importWithout(ended);
      await runEvaluation(t.db, actor, { trigger: "bench", now });
      const after = await openKeys();

      expect(after).toEqual([...new Set(predicted)].sort());
      expect(sim.resolved).toBe(before.filter((k) => !after.includes(k)).length);
      resolvedSomewhere += sim.resolved;
    }
    expect(resolvedSomewhere).toBeGreaterThan(0);
  });
});
