import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { edgeKindMismatch, type NodeKind } from "@/lib/graph/model";
import { buildDemoOrg, DEMO_NOW } from "./demo-org";
import type { NodeRef, SeedEdge, SeedNode } from "./graph-doc";

const graph = buildDemoOrg();
const nodeKey = (source: string, kind: string, externalId: string) => `${source}|${kind}|${externalId}`;
const refKey = (e: SeedEdge, r: NodeRef) => nodeKey(r.source ?? e.source, r.kind, r.externalId);
const byKey = new Map(graph.nodes.map((n) => [nodeKey(n.source, n.kind, n.externalId), n]));
const ofKind = (kind: NodeKind) => graph.nodes.filter((n) => n.kind === kind);
const edgesOf = (kind: SeedEdge["kind"]) => graph.edges.filter((e) => e.kind === kind);
const attr = (n: SeedNode, name: string) => n.attributes?.[name];
const DAY_MS = 86_400_000;

const capturedToolCount = (file: string): number =>
  (JSON.parse(readFileSync(path.join(process.cwd(), "db/seed/mcp-tools", file), "utf8")) as { tools: unknown[] }).tools.length;

describe("buildDemoOrg", () => {
  it("is deterministic", () => {
    expect(buildDemoOrg()).toEqual(buildDemoOrg());
  });

  it("uses only declared sources", () => {
    const names = new Set(graph.sources.map((s) => s.name));
    expect(names.size).toBe(graph.sources.length);
    for (const n of graph.nodes) expect(names.has(n.source), n.source).toBe(true);
    for (const e of graph.edges) {
      expect(names.has(e.source)).toBe(true);
      if (e.from.source) expect(names.has(e.from.source)).toBe(true);
      if (e.to.source) expect(names.has(e.to.source)).toBe(true);
    }
  });

  it("has unique nodes and unique edges", () => {
    expect(byKey.size).toBe(graph.nodes.length);
    const edgeKeys = new Set(graph.edges.map((e) => [e.source, e.kind, refKey(e, e.from), refKey(e, e.to)].join("→")));
    expect(edgeKeys.size).toBe(graph.edges.length);
  });

  it("joins existing nodes with edges of allowed kinds", () => {
    for (const e of graph.edges) {
      const from = byKey.get(refKey(e, e.from));
      const to = byKey.get(refKey(e, e.to));
      expect(from, `${e.kind} from ${refKey(e, e.from)}`).toBeDefined();
      expect(to, `${e.kind} to ${refKey(e, e.to)}`).toBeDefined();
      expect(from!.kind).toBe(e.from.kind);
      expect(to!.kind).toBe(e.to.kind);
      expect(edgeKindMismatch(e.kind, e.from.kind, e.to.kind)).toBeNull();
    }
  });

  it("has a believable workforce with one leaver and one person on leave", () => {
    const humans = ofKind("human");
    expect(humans.length).toBeGreaterThanOrEqual(48);
    expect(new Set(humans.map((h) => attr(h, "department"))).size).toBeGreaterThanOrEqual(6);
    expect(humans.filter((h) => attr(h, "status") === "terminated")).toHaveLength(1);
    expect(humans.filter((h) => attr(h, "status") === "leave")).toHaveLength(1);
    expect(humans.every((h) => ["active", "leave", "terminated"].includes(attr(h, "status") as string))).toBe(true);
    expect(new Set(humans.map((h) => attr(h, "email"))).size).toBe(humans.length);
    for (const h of humans) {
      expect(h.externalId).toMatch(/^00u[0-9A-Za-z]{17}$/);
      for (const a of ["email", "department", "title", "employeeNumber", "startDate"]) expect(attr(h, a), `${h.name}.${a}`).toBeTruthy();
    }
  });

  it("has a management tree rooted at the CEO", () => {
    const humans = ofKind("human");
    const roots = humans.filter((h) => attr(h, "managerExternalId") === undefined);
    expect(roots).toHaveLength(1);
    const manages = edgesOf("manages");
    expect(manages).toHaveLength(humans.length - 1);
    const managerOf = new Map(manages.map((e) => [e.to.externalId, e.from.externalId]));
    for (const h of humans) {
      if (h === roots[0]) continue;
      expect(managerOf.get(h.externalId)).toBe(attr(h, "managerExternalId"));
      // walking up reaches the CEO without a cycle
      let cur: string | undefined = h.externalId;
      for (let steps = 0; cur !== roots[0]!.externalId; steps++) {
        expect(steps).toBeLessThan(humans.length);
        cur = managerOf.get(cur!);
      }
    }
  });

  it("has groups with memberships and nesting", () => {
    expect(ofKind("group").length).toBeGreaterThanOrEqual(12);
    const memberOf = edgesOf("member_of");
    expect(memberOf.some((e) => e.from.kind === "human")).toBe(true);
    expect(memberOf.some((e) => e.from.kind === "group")).toBe(true);
  });

  it("has service accounts, agents and MCP servers", () => {
    const sas = ofKind("service_account");
    expect(sas.length).toBeGreaterThanOrEqual(12);
    expect(sas.some((s) => attr(s, "status") === "inactive")).toBe(true);
    expect(ofKind("agent").length).toBeGreaterThanOrEqual(7);
    expect(ofKind("mcp_server").length).toBeGreaterThanOrEqual(5);
    expect(ofKind("entitlement").length).toBeGreaterThanOrEqual(10);
    expect(ofKind("resource").length).toBeGreaterThanOrEqual(8);
  });

  it("exposes exactly the captured tools on each server", () => {
    const expected: Record<string, number> = {
      "github-mcp": capturedToolCount("github.tools-list.json"),
      "filesystem-eng": capturedToolCount("filesystem.tools-list.json"),
      "filesystem-finance": capturedToolCount("filesystem.tools-list.json"),
      "memory-mcp": capturedToolCount("memory.tools-list.json"),
      "everything-sandbox": capturedToolCount("everything.tools-list.json"),
    };
    for (const server of ofKind("mcp_server")) {
      const tools = ofKind("tool").filter((t) => attr(t, "server") === server.externalId);
      const exposes = edgesOf("exposes").filter((e) => e.from.externalId === server.externalId);
      expect(tools.length, server.externalId).toBe(expected[server.externalId] ?? 0);
      expect(exposes.length).toBe(tools.length);
    }
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(ofKind("tool")).toHaveLength(total);
    const githubTools = ofKind("tool").filter((t) => attr(t, "server") === "github-mcp");
    expect(githubTools.every((t) => attr(t, "annotations") === undefined && attr(t, "risk") === "high")).toBe(true);
  });

  it("has credentials with the findings the demo needs", () => {
    const creds = ofKind("credential");
    expect(creds.length).toBeGreaterThanOrEqual(10);
    const hardCoded = creds.filter((c) => attr(c, "storage") === "hard_coded" && c.source === "mcp-configs");
    expect(hardCoded.length).toBeGreaterThanOrEqual(2);
    const now = DEMO_NOW.getTime();
    const stale = creds.filter((c) => now - Date.parse(attr(c, "lastRotatedAt") as string) > 90 * DAY_MS);
    expect(stale.length).toBeGreaterThanOrEqual(2);
    const expired = creds.filter((c) => typeof attr(c, "expiresAt") === "string" && Date.parse(attr(c, "expiresAt") as string) < now);
    expect(expired.length).toBeGreaterThanOrEqual(1);
    expect(creds.some((c) => attr(c, "expiresAt") === null)).toBe(true);
    for (const c of creds) expect(attr(c, "fingerprint")).toMatch(/^sha256:[0-9a-f]{64}$/);

    const users = new Map<string, Set<string>>();
    for (const e of edgesOf("uses_credential")) {
      const k = refKey(e, e.to);
      users.set(k, (users.get(k) ?? new Set()).add(refKey(e, e.from)));
    }
    expect([...users.values()].filter((s) => s.size >= 2)).toHaveLength(1);
    expect([...users.values()].filter((s) => s.size >= 2)[0]!.size).toBe(2);
  });

  it("has owners on most non-human nodes, and some orphans", () => {
    const owned = new Set(edgesOf("owns").map((e) => refKey(e, e.to)));
    for (const e of edgesOf("owns")) expect(["business", "technical", "security"]).toContain(e.attributes?.role);
    const governed: NodeKind[] = ["service_account", "agent", "mcp_server", "credential"];
    const orphans = graph.nodes.filter((n) => governed.includes(n.kind) && !owned.has(nodeKey(n.source, n.kind, n.externalId)));
    expect(orphans.length).toBeGreaterThanOrEqual(5);
    for (const kind of governed)
      expect(
        orphans.some((o) => o.kind === kind),
        kind,
      ).toBe(true);
    const ownedCount = graph.nodes.filter((n) => governed.includes(n.kind)).length - orphans.length;
    expect(ownedCount).toBeGreaterThan(orphans.length);

    const terminated = ofKind("human").find((h) => attr(h, "status") === "terminated")!;
    const ownersOf = new Map<string, string[]>();
    for (const e of edgesOf("owns")) ownersOf.set(refKey(e, e.to), [...(ownersOf.get(refKey(e, e.to)) ?? []), e.from.externalId]);
    expect([...ownersOf.values()].some((o) => o.length > 0 && o.every((x) => x === terminated.externalId))).toBe(true);
  });

  it("has agents acting for humans (one of them terminated) and for a service account", () => {
    const actsFor = edgesOf("acts_for");
    expect(actsFor.filter((e) => e.to.kind === "human").length).toBeGreaterThanOrEqual(3);
    expect(actsFor.some((e) => e.to.kind === "service_account")).toBe(true);
    const terminated = ofKind("human").find((h) => attr(h, "status") === "terminated")!;
    expect(actsFor.some((e) => e.to.externalId === terminated.externalId)).toBe(true);
    expect(edgesOf("connects_to").some((e) => e.from.kind === "agent")).toBe(true);
  });

  it("has demo users for every role, each a human in the graph", () => {
    const humanIds = new Set(ofKind("human").map((h) => h.externalId));
    for (const u of graph.users) {
      expect(humanIds.has(u.humanExternalId!), u.email).toBe(true);
      expect(u.email).toMatch(/^[a-z]+@northwind\.example$/);
      expect(u.password).toMatch(/^demo-[a-z]+-2026$/);
    }
    const roles = new Set(graph.users.flatMap((u) => u.roles));
    for (const r of ["admin", "analyst", "reviewer", "auditor"]) expect(roles.has(r as never), r).toBe(true);
    expect(graph.users.filter((u) => u.roles.includes("reviewer")).length).toBeGreaterThanOrEqual(2);
    expect(new Set(graph.users.map((u) => u.email)).size).toBe(graph.users.length);
  });

  it("contains nothing that looks like a secret value", () => {
    // Literal "sk-" would match the captured everything server's "task-based" description,
    // so the OpenAI-style key pattern is anchored at a word boundary.
    const secretLike = [/ghp_/, /github_pat_/, /AKIA/, /xox[abposr]-/, /\bsk-/, /-----BEGIN/];
    const walk = (v: unknown, where: string): void => {
      if (typeof v === "string") {
        for (const re of secretLike) expect(re.test(v), `${where}: ${v}`).toBe(false);
      } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${where}.${k}`);
    };
    walk(graph.nodes, "nodes");
    walk(graph.edges, "edges");
  });
});
