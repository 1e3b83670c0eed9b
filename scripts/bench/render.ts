/**
 * Explorer render benchmark: how long the graph explorer takes, in headless
 * Chromium, to draw a who-can-reach answer of 500, 2,000 and 5,000 principals
 * and to answer a tap on a node, over the real code path: the built app
 * (`node scripts/start.mjs`, which builds first if the sources changed) on a
 * fresh PGlite data directory, the answers imported through the import API,
 * the page loaded as a signed-in analyst.
 *
 *   npm run bench:render [-- --runs 5 --sizes 500,2000,5000 --port 3240]
 *
 * For each size and each picture (`auto`: what a user gets, groups by kind and
 * source when more than 60 nodes would be drawn, as for every size here; `paths`:
 * the page's 100 paths drawn left to right by dagre, `view=paths`)
 * one warm-up load, then `--runs` timed loads. Per load, from the navigation start:
 *   ttfb        the server's answer (access query, page render) starts arriving
 *   drawn       the canvas mark "attest:graph-drawn" (layout run and a frame rendered)
 *   interactive the canvas mark "attest:graph-tap": a click on the focus node, sent
 *               as soon as "drawn" is seen, has been handled
 *   longest     the longest main-thread task (PerformanceObserver "longtask")
 * Medians are printed as a table and everything is written to
 * bench-results/render-<timestamp>.json (git-ignored).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { decodePng, findColour } from "../../e2e/png";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const RUNS = Number(opt("runs", "5"));
const SIZES = opt("sizes", "500,2000,5000").split(",").map(Number);
const PORT = Number(opt("port", "3240"));
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = "bench-render-bootstrap-token-0123456789";
const RESOURCE_COLOUR = "#475467"; // lib/graph/kind-style.ts: the focus (a resource) is the only node of this colour
const PRINCIPAL_SPLIT = [
  { source: "bench-hr", kind: "human", share: 0.6 },
  { source: "bench-cloud", kind: "service_account", share: 0.25 },
  { source: "bench-agents", kind: "agent", share: 0.15 },
] as const;
const GROUPS_PER_ANSWER = 10;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${BASE}${url}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

/** Per size: a resource, an entitlement granting it, 10 groups holding the entitlement, and `size` principals in those groups. */
async function importAnswers() {
  await api("POST", "/api/v1/imports", {
    source: "bench-core",
    mode: "incremental",
    nodes: SIZES.flatMap((n) => [
      { kind: "resource", externalId: `target-${n}`, name: `Bench target (${n} principals)` },
      { kind: "entitlement", externalId: `ent-${n}`, name: `Bench entitlement ${n}` },
      ...Array.from({ length: GROUPS_PER_ANSWER }, (_, g) => ({ kind: "group", externalId: `g-${n}-${g}`, name: `Bench group ${n}/${g}` })),
    ]),
    edges: SIZES.flatMap((n) => [
      { kind: "grants", from: { kind: "entitlement", externalId: `ent-${n}` }, to: { kind: "resource", externalId: `target-${n}` } },
      ...Array.from({ length: GROUPS_PER_ANSWER }, (_, g) => ({
        kind: "has_entitlement",
        from: { kind: "group", externalId: `g-${n}-${g}` },
        to: { kind: "entitlement", externalId: `ent-${n}` },
      })),
    ]),
  });
  for (const p of PRINCIPAL_SPLIT) {
    const nodes: object[] = [];
    const edges: object[] = [];
    for (const n of SIZES) {
      const count = p === PRINCIPAL_SPLIT[0] ? n - PRINCIPAL_SPLIT.slice(1).reduce((a, q) => a + Math.round(n * q.share), 0) : Math.round(n * p.share);
      for (let i = 0; i < count; i++) {
        const externalId = `${n}-${i}`;
        nodes.push({ kind: p.kind, externalId, name: `${p.kind} ${n}-${i}` });
        edges.push({
          kind: "member_of",
          from: { kind: p.kind, externalId },
          to: { kind: "group", externalId: `g-${n}-${i % GROUPS_PER_ANSWER}`, source: "bench-core" },
        });
      }
    }
    await api("POST", "/api/v1/imports", { source: p.source, mode: "incremental", nodes, edges });
  }
  const targets: Record<number, string> = {};
  for (const n of SIZES) {
    const node = await api("GET", `/api/v1/nodes/${encodeURIComponent(`bench-core:resource:target-${n}`)}`);
    const who = await api("GET", `/api/v1/access/who-can-reach?target=${node.id}&limit=1`);
    if (who.total !== n) throw new Error(`the answer for target-${n} has ${who.total} principals, not ${n}`);
    targets[n] = node.id as string;
  }
  return targets;
}

async function waitForHealth(server: ChildProcess) {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the app exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${BASE}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the app did not become healthy within 5 minutes");
}

interface Load {
  ttfb: number;
  drawn: number;
  interactive: number;
  longest: number;
  nodesDrawn: number;
}

async function load(page: Page, url: string, tapAt: { x: number; y: number } | null): Promise<Load & { tapAt: { x: number; y: number } }> {
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('[data-testid="graph-canvas"]')?.getAttribute("data-layout") === "done", null, {
    polling: "raf",
    timeout: 120_000,
  });
  let at = tapAt;
  if (!at) {
    // Warm-up load: find the focus node on screen (layouts are deterministic, so it is there on every load).
    const png = await page.getByTestId("graph-canvas").screenshot();
    const f = findColour(decodePng(png), RESOURCE_COLOUR, 3);
    if (f.count < 3) {
      writeFileSync("bench-results/render-failed.png", png);
      throw new Error(`could not find the focus node on the canvas (${url}); see bench-results/render-failed.png`);
    }
    at = { x: f.x, y: f.y };
  }
  await page.getByTestId("graph-canvas").click({ position: at });
  await page.waitForFunction(() => performance.getEntriesByName("attest:graph-tap").length > 0, null, { polling: "raf", timeout: 30_000 });
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    return {
      ttfb: nav.responseStart,
      drawn: performance.getEntriesByName("attest:graph-drawn").at(-1)!.startTime,
      interactive: performance.getEntriesByName("attest:graph-tap").at(-1)!.startTime,
      longest: (window as unknown as { __longestTask?: number }).__longestTask ?? 0,
      nodesDrawn: Number(document.querySelector('[data-testid="graph-canvas"]')!.getAttribute("data-nodes")),
    };
  });
  return { ...t, tapAt: at };
}

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "attest-bench-render-"));
  const root = path.resolve(import.meta.dirname, "../..");
  console.error(`[bench:render] starting the app on port ${PORT} (data in ${dataDir}; builds first if the sources changed)`);
  const server = spawn(process.execPath, [path.join(root, "scripts/start.mjs")], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(PORT),
      ATTEST_DATA_DIR: dataDir,
      DATABASE_URL: "",
      ATTEST_BOOTSTRAP_TOKEN: TOKEN,
      AUTH_SECRET: "bench-render-secret-not-for-production-0123456789",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const stop = () => {
    if (server.exitCode === null) server.kill("SIGTERM");
  };
  process.on("SIGINT", () => {
    stop();
    process.exit(130);
  });
  const browser = await chromium.launch({
    executablePath: process.env.ATTEST_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    await waitForHealth(server);
    console.error("[bench:render] importing the answers through the API");
    const targets = await importAnswers();
    mkdirSync(path.join(root, "bench-results"), { recursive: true });

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript(() => {
      const w = window as unknown as { __longestTask?: number };
      w.__longestTask = 0;
      try {
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.__longestTask = Math.max(w.__longestTask ?? 0, e.duration);
        }).observe({ type: "longtask", buffered: true });
      } catch {
        // longtask timing is not available: the column stays 0
      }
    });
    const analyst = buildDemoOrg().users.find((u) => u.roles.length === 1 && u.roles[0] === "analyst")!;
    await page.goto(`${BASE}/sign-in`);
    await page.getByRole("button", { name: `Sign in as ${analyst.name} (analyst)` }).click();
    await page.getByTestId("current-user").waitFor();

    const results: { size: number; picture: string; runs: Load[]; median: Load }[] = [];
    for (const size of SIZES) {
      for (const picture of ["auto", "paths"] as const) {
        const url = `${BASE}/graph?node=${targets[size]}&mode=who${picture === "paths" ? "&view=paths" : ""}`;
        const warm = await load(page, url, null);
        const runs: Load[] = [];
        for (let i = 0; i < RUNS; i++) {
          const { tapAt: _, ...r } = await load(page, url, warm.tapAt);
          runs.push(r);
        }
        const med = (k: keyof Load) => median(runs.map((r) => r[k]));
        const m: Load = { ttfb: med("ttfb"), drawn: med("drawn"), interactive: med("interactive"), longest: med("longest"), nodesDrawn: med("nodesDrawn") };
        results.push({ size, picture, runs, median: m });
        console.error(`[bench:render] ${size} ${picture}: drawn ${m.drawn.toFixed(0)} ms, interactive ${m.interactive.toFixed(0)} ms`);
      }
    }

    const ms = (x: number) => `${x.toFixed(0)} ms`.padStart(9);
    console.log(
      `\nExplorer render, headless Chromium, median of ${RUNS} loads (load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}, ${os.cpus().length} CPUs)\n`,
    );
    console.log("| answer | picture | nodes drawn | server (TTFB) | drawn | interactive | longest task |");
    console.log("|---:|---|---:|---:|---:|---:|---:|");
    for (const r of results) {
      console.log(
        `| ${r.size.toLocaleString("en")} | ${r.picture === "auto" ? "groups (default)" : "100 paths (view=paths)"} | ${r.median.nodesDrawn} | ${ms(r.median.ttfb)} | ${ms(r.median.drawn)} | ${ms(r.median.interactive)} | ${ms(r.median.longest)} |`,
      );
    }
    mkdirSync(path.join(root, "bench-results"), { recursive: true });
    const file = path.join(root, "bench-results", `render-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          runs: RUNS,
          sizes: SIZES,
          loadavg: os.loadavg(),
          cpus: os.cpus().length,
          chromium: browser.version(),
          node: process.version,
          results,
        },
        null,
        2,
      ),
    );
    console.log(`\nwritten to ${path.relative(root, file)}`);
  } finally {
    await browser.close();
    stop();
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
