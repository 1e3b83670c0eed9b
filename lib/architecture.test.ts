import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/*
 * Layering (issue 14): areas import downward only. An area is a folder under
 * lib/ (lib/ids.ts counts as one) or db/ (its seed is a tool on top, like app/).
 * The order, lowest first; an area may import its own layer's areas only when
 * that makes no cycle, and any area below it:
 */
export const LAYERS: string[][] = [
  // pep: the reference enforcement point for MCP servers (issue #20) speaks AuthZEN over HTTP and imports no area.
  ["errors", "ids", "net", "format", "pep"],
  ["db"],
  ["api", "authz"],
  ["audit"],
  ["auth"],
  ["graph"],
  // The job engine knows no area: areas register their handlers with it (lib/<area>/jobs.ts).
  ["instance", "jobs"],
  // usage: the decision log and who last called which tool (issue #20), read by reviews and findings.
  ["ownership", "admin", "usage"],
  ["ingest", "scim", "campaigns"],
  ["evidence", "findings", "reports", "inventory", "connectors", "notifications", "requests"],
  // pdp: the runtime decision point (AuthZEN) over the index, campaign revocations, policy and access requests.
  ["pdp"],
  ["pipeline", "bench", "nav", "hub"],
  // The browser's door to the API; imports view types from any area below, nothing imports it but components.
  ["client"],
];

/**
 * Vocabulary: modules of constants and pure functions that import nothing but
 * each other, so the schema (db) and every layer may name kinds, roles and rules
 * without depending on the area that owns them.
 */
export const VOCABULARY = new Set(["lib/graph/model.ts", "lib/graph/tool-risk.ts", "lib/authz/roles.ts", "lib/findings/rules.ts", "lib/campaigns/model.ts"]);

/**
 * Known wrong-way imports left for later, each with why; the test fails when one
 * is gone (so the list only shrinks) or a new one appears.
 */
export const KNOWN: Record<string, string> = {
  // The session bridge: next-auth's configuration (lib/auth, which signs people in and audits it) and the actor
  // (lib/authz) meet here. Moving it renames an import in every route handler; left for a change of its own.
  "lib/authz/session.ts -> lib/auth/auth.ts": "session bridge",
};

const ROOT = process.cwd();
const layerOf = new Map(LAYERS.flatMap((areas, i) => areas.map((a) => [a, i] as const)));

function areaOf(rel: string): string | null {
  const parts = rel.split("/");
  if (parts[0] === "db") return parts[1] === "seed" ? null : "db";
  if (parts[0] !== "lib") return null;
  if (parts.length === 2) return parts[1]!.replace(/\.tsx?$/, "");
  return parts[1]!;
}

/** Test code and its helpers integrate across layers by design; only what runs in the app is checked. */
const isTestSupport = (rel: string) => /(^|\/)testing\//.test(rel) || /test/.test(path.basename(rel));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.tsx?$/.test(e.name) && !isTestSupport(rel)) out.push(rel);
  }
  return out;
}

/** Value imports of a file (type-only imports are erased when compiled: they couple no behaviour), resolved to repository paths. */
function importsOf(rel: string): string[] {
  const src = readFileSync(path.join(ROOT, rel), "utf8");
  const found: string[] = [];
  const re = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/gm;
  for (const m of src.matchAll(re)) {
    if (m[1]) continue;
    const spec = m[2]!;
    const target = spec.startsWith("@/") ? spec.slice(2) : spec.startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec)) : null;
    if (target) found.push(resolve(target));
  }
  return found;
}

function resolve(target: string): string {
  for (const candidate of [target, `${target}.ts`, `${target}.tsx`, `${target}/index.ts`]) {
    try {
      if (readFileSync(path.join(ROOT, candidate)) && /\.tsx?$/.test(candidate)) return candidate;
    } catch {
      // not this one
    }
  }
  return target;
}

export function areaImports(): { from: string; to: string; file: string; target: string }[] {
  const out: { from: string; to: string; file: string; target: string }[] = [];
  for (const file of [...sourceFiles("lib"), ...sourceFiles("db")]) {
    const from = areaOf(file);
    if (!from) continue;
    for (const target of importsOf(file)) {
      const to = areaOf(target);
      if (!to || to === from) continue;
      out.push({ from, to, file, target });
    }
  }
  return out;
}

function findCycle(edges: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, "open");
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === "open") return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, "done");
    return null;
  };
  for (const n of edges.keys()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return null;
}

describe("architecture: lib areas import downward only", () => {
  const imports = areaImports().filter((i) => !VOCABULARY.has(i.target));

  it("every area is placed in the declared order", () => {
    const areas = new Set([...sourceFiles("lib"), ...sourceFiles("db")].map(areaOf).filter((a): a is string => !!a));
    expect([...areas].filter((a) => !layerOf.has(a))).toEqual([]);
  });

  it("no import goes up the order (vocabulary aside)", () => {
    const up = imports.filter((i) => layerOf.get(i.to)! > layerOf.get(i.from)!).map((i) => `${i.file} -> ${i.target}`);
    expect(up.filter((u) => !(u in KNOWN))).toEqual([]);
    expect(Object.keys(KNOWN).filter((k) => !up.includes(k))).toEqual([]);
  });

  it("no cycle between areas", () => {
    const edges = new Map<string, Set<string>>();
    for (const i of imports) {
      if (`${i.file} -> ${i.target}` in KNOWN) continue;
      edges.set(i.from, (edges.get(i.from) ?? new Set()).add(i.to));
    }
    expect(findCycle(edges)).toBeNull();
  });

  it("vocabulary modules import only vocabulary", () => {
    const bad = [...VOCABULARY].flatMap((f) =>
      importsOf(f)
        .filter((t) => !VOCABULARY.has(t))
        .map((t) => `${f} -> ${t}`),
    );
    expect(bad).toEqual([]);
  });

  it("the follow-up work of other areas is the pipeline's: no writer imports findings' evaluation, offboarding, remediation checks or the old bumpGraphVersion", () => {
    const writers = ["ingest", "scim", "ownership", "campaigns"];
    const forbidden = ["lib/findings/evaluate.ts", "lib/ownership/offboarding.ts", "lib/campaigns/remediation.ts"];
    const bad = areaImports().filter((i) => writers.includes(i.from) && forbidden.includes(i.target) && areaOf(i.target) !== i.from);
    expect(bad.map((i) => `${i.file} -> ${i.target}`)).toEqual([]);
    expect(readFileSync(path.join(ROOT, "lib/ingest/graph-writer.ts"), "utf8")).not.toMatch(/export async function bumpGraphVersion/);
  });
});
