import fc from "fast-check";
import { eq, isNull, ne, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edges, findings, findingSettings, nodes, sources } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { systemActor } from "@/lib/authz/actor";
import { EDGE_RULES, EDGE_KINDS, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { newId } from "@/lib/ids";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { fingerprintOf, runEvaluation, runRules } from "./evaluate";
import { evaluateIncremental } from "./evaluate-incremental";
import { loadSettings } from "./settings";
import { loadSnapshot } from "./snapshot";
import { baseGraph, certify, DAY } from "./test-graphs";

/**
 * Incremental == full: random small graphs, random sequences of changes written
 * the way the graph writers leave them (rows opened and end-dated, attributes
 * and statuses overwritten, the graph version bumped), and after each change an
 * incremental evaluation of exactly what it touched. The stored open and
 * accepted findings must then be what a full evaluation of the same graph finds:
 * same (rule, key), same severity, same fingerprint (title and evidence). The
 * blast-radius variant is left out: it is refreshed nightly only (NIGHTLY_ONLY).
 */
let t: TestDatabase;
const NOW = new Date();
let certCount = 0;
const actor = systemActor("test");

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, baseGraph());
  // Thresholds small graphs can cross, so every rule has something to say.
  await t.db.insert(findingSettings).values({
    id: 1,
    overrides: { overBroadHighRiskTools: 1, overBroadResources: 2, dualPathPrincipalKinds: ["agent", "service_account", "human"], blastRadiusMin: 1 },
  });
});
afterAll(() => t.cleanup());

const KINDS: NodeKind[] = [
  "human",
  "human",
  "human",
  "group",
  "group",
  "agent",
  "agent",
  "service_account",
  "mcp_server",
  "tool",
  "tool",
  "resource",
  "resource",
  "credential",
  "credential",
  "entitlement",
];
const iso = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();

const nodeAttrs = (kind: NodeKind, v: number): Record<string, unknown> => {
  if (kind === "credential")
    return [
      { storage: "hard_coded" },
      { storage: "vault", expiresAt: iso(30), lastRotatedAt: iso(-10) },
      { storage: "vault", expiresAt: iso(-1) },
      { storage: "config_file", expiresAt: iso(100), issuedAt: iso(-400) },
    ][v % 4]!;
  if (kind === "tool")
    return [
      { risk: "critical", definitionHash: "h1" },
      { risk: "low", definitionHash: "h2" },
      { annotations: { readOnlyHint: true } },
      { risk: "high", definitionHash: "h3" },
    ][v % 4]!;
  if (kind === "mcp_server")
    return [{ url: "http://mcp.example.com", transport: "http" }, { url: "https://mcp.example.com" }, { pinned: false, package: "pkg" }, { pinned: true }][
      v % 4
    ]!;
  return {};
};
const STATUSES = ["active", "inactive", "terminated", "leave", null] as const;

type Op =
  | { op: "addEdge"; kind: number; from: number; to: number }
  | { op: "endEdge"; pick: number }
  | { op: "addNode"; kind: number; v: number; owner: number }
  | { op: "endNode"; pick: number; withEdges: boolean }
  | { op: "status"; pick: number; s: number }
  | { op: "attrs"; pick: number; v: number }
  | { op: "rename"; pick: number }
  | { op: "certify"; subject: number; target: number; old: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("addEdge" as const), kind: fc.nat(), from: fc.nat(), to: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("endEdge" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("addNode" as const), kind: fc.nat(), v: fc.nat(), owner: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("endNode" as const), pick: fc.nat(), withEdges: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("status" as const), pick: fc.nat(), s: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("attrs" as const), pick: fc.nat(), v: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("rename" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("certify" as const), subject: fc.nat(), target: fc.nat(), old: fc.boolean() }) },
);

const bump = () => t.db.execute(sql`update graph_state set version = version + 1, updated_at = now() where id = 1`);

/** What the graph holds now, for picking (current nodes and edges of this run's source). */
async function current(sourceId: string) {
  const ns = await t.db
    .select({ id: nodes.id, kind: nodes.kind })
    .from(nodes)
    .where(sql`${nodes.sourceId} = ${sourceId} and ${nodes.validTo} is null`)
    .orderBy(nodes.id);
  const es = await t.db
    .select({ id: edges.id, from: edges.fromId, to: edges.toId, kind: edges.kind })
    .from(edges)
    .where(sql`${edges.sourceId} = ${sourceId} and ${edges.validTo} is null`)
    .orderBy(edges.id);
  return { ns, es };
}

async function addNode(sourceId: string, kind: NodeKind, v: number): Promise<string> {
  const id = newId("n");
  const attributes = nodeAttrs(kind, v);
  const status = kind === "human" || kind === "agent" || kind === "service_account" ? "active" : null;
  await t.db
    .insert(nodes)
    .values({ id, kind, sourceId, externalId: id, name: `${kind} ${id.slice(-4)}`, status, attributes, validFrom: new Date(NOW.getTime() - 500 * DAY) });
  return id;
}

async function addEdge(sourceId: string, kind: EdgeKind, from: string, to: string): Promise<string | null> {
  if (from === to) return null;
  const id = newId("edg");
  const res = await t.db
    .insert(edges)
    .values({ id, kind, sourceId, externalId: id, fromId: from, toId: to, validFrom: new Date(NOW.getTime() - 500 * DAY) })
    .onConflictDoNothing()
    .returning({ id: edges.id });
  return res.length ? id : null;
}

/** Applies one change as a writer would, and returns what it touched. */
async function apply(sourceId: string, o: Op): Promise<{ nodeIds: string[]; edgeIds: string[] }> {
  const { ns, es } = await current(sourceId);
  const pickNode = (i: number) => ns[i % ns.length]!;
  const end = new Date(NOW.getTime() - DAY);
  switch (o.op) {
    case "addEdge": {
      const kind = EDGE_KINDS.filter((k) => k !== "manages")[o.kind % 10]!;
      const rule = EDGE_RULES[kind];
      const froms = ns.filter((n) => rule.from.includes(n.kind));
      const tos = ns.filter((n) => rule.to.includes(n.kind));
      if (!froms.length || !tos.length) return { nodeIds: [], edgeIds: [] };
      const id = await addEdge(sourceId, kind, froms[o.from % froms.length]!.id, tos[o.to % tos.length]!.id);
      return { nodeIds: [], edgeIds: id ? [id] : [] };
    }
    case "endEdge": {
      if (!es.length) return { nodeIds: [], edgeIds: [] };
      const e = es[o.pick % es.length]!;
      await t.db.update(edges).set({ validTo: end }).where(eq(edges.id, e.id));
      return { nodeIds: [], edgeIds: [e.id] };
    }
    case "addNode": {
      const kind = KINDS[o.kind % KINDS.length]!;
      const id = await addNode(sourceId, kind, o.v);
      const edgeIds: string[] = [];
      // A new non-human often comes with an owner, as an import or discovery brings it.
      const owners = ns.filter((n) => n.kind === "human" || n.kind === "group");
      if (kind !== "human" && owners.length && o.owner % 2 === 0) {
        const e = await addEdge(sourceId, "owns", owners[o.owner % owners.length]!.id, id);
        if (e) edgeIds.push(e);
      }
      return { nodeIds: [id], edgeIds };
    }
    case "endNode": {
      const n = pickNode(o.pick);
      await t.db.update(nodes).set({ validTo: end }).where(eq(nodes.id, n.id));
      // An import ends a node's own edges with it; another source's edges to it may stay.
      const own = o.withEdges ? es.filter((e) => e.from === n.id || e.to === n.id) : [];
      for (const e of own) await t.db.update(edges).set({ validTo: end }).where(eq(edges.id, e.id));
      return { nodeIds: [n.id], edgeIds: own.map((e) => e.id) };
    }
    case "status": {
      const n = pickNode(o.pick);
      await t.db
        .update(nodes)
        .set({ status: STATUSES[o.s % STATUSES.length]! })
        .where(eq(nodes.id, n.id));
      return { nodeIds: [n.id], edgeIds: [] };
    }
    case "attrs": {
      // Only tools, credentials and servers have attributes a rule reads.
      const withAttrs = ns.filter((x) => x.kind === "tool" || x.kind === "credential" || x.kind === "mcp_server");
      if (!withAttrs.length) return { nodeIds: [], edgeIds: [] };
      const n = withAttrs[o.pick % withAttrs.length]!;
      await t.db
        .update(nodes)
        .set({ attributes: nodeAttrs(n.kind, o.v) })
        .where(eq(nodes.id, n.id));
      return { nodeIds: [n.id], edgeIds: [] };
    }
    case "rename": {
      const n = pickNode(o.pick);
      await t.db
        .update(nodes)
        .set({ name: `renamed ${newId("x").slice(-5)}` })
        .where(eq(nodes.id, n.id));
      return { nodeIds: [n.id], edgeIds: [] };
    }
    case "certify": {
      const agents = ns.filter((n) => n.kind === "agent");
      if (!agents.length) return { nodeIds: [], edgeIds: [] };
      const subject = agents[o.subject % agents.length]!;
      const target = pickNode(o.target);
      // A distinct close time per certification: which one is "latest" must not depend on row order.
      const closedAt = new Date(NOW.getTime() - (o.old ? 400 : 10) * DAY + ++certCount * 1000);
      await certify(t.db, { subjectId: subject.id, targetId: target.id, edgeKind: "connects_to", closedAt });
      return { nodeIds: [subject.id, target.id], edgeIds: [] };
    }
  }
}

/** The stored open and accepted findings, and what a full evaluation finds now: rule + key → severity and fingerprint. */
async function compare() {
  const stored = await t.db
    .select({ rule: findings.rule, key: findings.key, severity: findings.severity, fingerprint: findings.fingerprint })
    .from(findings)
    .where(ne(findings.status, "resolved"));
  const { settings } = await loadSettings(t.db);
  const full = runRules({ snap: await loadSnapshot(t.db), settings, now: NOW });
  const nightly = (key: string) => key.startsWith("blast:");
  const asMap = (rs: { rule: string; key: string; severity: string; fingerprint: string }[]) =>
    Object.fromEntries(rs.filter((r) => !nightly(r.key)).map((r) => [`${r.rule} ${r.key}`, `${r.severity} ${r.fingerprint.slice(0, 12)}`]));
  return { stored: asMap(stored), full: asMap(full.map((f) => ({ ...f, fingerprint: fingerprintOf(f) }))) };
}

describe("incremental evaluation == full evaluation", () => {
  it("after every change of random change sequences on random graphs", { timeout: 120_000 }, async () => {
    let checked = 0;
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kind: fc.nat(), from: fc.nat(), to: fc.nat() }), { minLength: 12, maxLength: 24 }),
        fc.array(fc.nat(), { minLength: KINDS.length, maxLength: KINDS.length }),
        fc.array(opArb, { minLength: 4, maxLength: 10 }),
        async (initialEdges, variants, ops) => {
          // Each run has its own source; the previous run's graph is ended and its findings resolved first.
          await t.db
            .update(nodes)
            .set({ validTo: sql`greatest(${nodes.validFrom}, now())` })
            .where(isNull(nodes.validTo));
          await t.db
            .update(edges)
            .set({ validTo: sql`greatest(${edges.validFrom}, now())` })
            .where(isNull(edges.validTo));
          const sourceId = newId("src");
          await t.db.insert(sources).values({ id: sourceId, name: sourceId, type: "import" });
          const ids: string[] = [];
          for (let i = 0; i < KINDS.length; i++) ids.push(await addNode(sourceId, KINDS[i]!, variants[i]!));
          // Nested groups with people in them, so group owners and their active members are exercised.
          const [h0, h1, , g0, g1] = ids;
          await addEdge(sourceId, "member_of", h0!, g1!);
          await addEdge(sourceId, "member_of", g1!, g0!);
          await addEdge(sourceId, "member_of", h1!, g0!);
          for (const e of initialEdges) await apply(sourceId, { op: "addEdge", ...e });
          await bump();
          await runEvaluation(t.db, actor, { trigger: "manual", now: NOW });
          for (const o of ops) {
            const change = await apply(sourceId, o);
            await bump();
            await evaluateIncremental(t.db, { ...change, sourceIds: [sourceId], full: false }, { now: NOW });
            const { stored, full } = await compare();
            expect(stored, `after ${JSON.stringify(o)}`).toEqual(full);
            checked++;
            if (Object.keys(full).length) nonEmpty++;
          }
        },
      ),
      { numRuns: 20, seed: 1414, endOnFailure: true },
    );
    // The property is about something: most states checked had findings to agree on.
    expect(nonEmpty).toBeGreaterThan(checked / 2);
  });
});
