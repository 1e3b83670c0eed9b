/**
 * Page benchmark (issue 15): every page of the app, against a running app, checked against the targets "server
 * answer < 1 s" and "no page taller than 10 screens by default".
 *
 *   npm run bench:pages [-- --url http://127.0.0.1:3400 --runs 3 --only /mcp]
 *
 * The pages are read from the route files (lib/bench/pages.ts, the same walk as the accessibility e2e check), each
 * opened as the demo user who would use it (an admin; a reviewer too where reviewers may go; signed out for the
 * public pages), dynamic pages on real ids read through the app's API (lib/bench/page-samples.ts: at M a big group,
 * a big MCP server, the biggest campaign, a finding). Per page:
 *   ms       the server's full answer to a document request (first byte to last, redirects followed), median of
 *            --runs requests after one warm-up
 *   screens  in headless Chromium at 1280×800, once the page has settled: document scrollHeight / 800
 * Prints a table and writes bench/results/pages-<timestamp>.json. A benchmark, not a test: it always exits 0 once
 * it has measured (a page that fails to load is reported as failing).
 *
 * The default URL is the shared M server (port 3400, the generated organisation plus the demo on PostgreSQL); the
 * demo users sign in with their demo passwords through the credentials form.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "@playwright/test";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { readFlags, wholeNumber } from "@/lib/bench/cli";
import { judgePage, PAGE_TARGETS, pageSummary, pageTable, type PageMeasure } from "@/lib/bench/page-report";
import { resolvePageSamples, resolveReviewerSamples, type ApiGet } from "@/lib/bench/page-samples";
import { listPages, pageVisits, type Visitor } from "@/lib/bench/pages";

const USAGE = "usage: npm run bench:pages -- [--url http://127.0.0.1:3400] [--runs N] [--only /path-prefix]";
const VIEWPORT = { width: 1280, height: 800 };

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv: string[]) {
  const o = { url: "http://127.0.0.1:3400", runs: 3, only: null as string | null };
  readFlags(argv, (name, value, flag) => {
    if (name === "--url") o.url = (value() ?? usage("--url needs a value")).replace(/\/$/, "");
    else if (name === "--runs") o.runs = wholeNumber("--runs", value(), usage);
    else if (name === "--only") o.only = value() ?? usage("--only needs a path prefix");
    else usage(`unknown flag ${flag}`);
  });
  return o;
}

const log = (m: string) => console.error(`[bench:pages] ${m}`);

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const root = path.resolve(import.meta.dirname, "../..");
  const users = buildDemoOrg().users;
  const browser = await chromium.launch({
    executablePath: process.env.ATTEST_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const contexts = new Map<Visitor, BrowserContext>();
  async function contextFor(visitor: Visitor): Promise<BrowserContext> {
    const known = contexts.get(visitor);
    if (known) return known;
    const ctx = await browser.newContext({ baseURL: o.url, viewport: VIEWPORT });
    if (visitor !== "anonymous") {
      const u = users.find((x) => x.roles.length === 1 && x.roles[0] === visitor);
      if (!u) throw new Error(`no demo user for ${visitor}`);
      const page = await ctx.newPage();
      await page.goto("/sign-in");
      await page.getByLabel("Email").fill(u.email);
      await page.getByLabel("Password").fill(u.password);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByTestId("current-user").waitFor({ timeout: 60_000 });
      await page.close();
    }
    contexts.set(visitor, ctx);
    return ctx;
  }

  try {
    const health = await fetch(`${o.url}/api/health`).catch((e: Error) => usage(`no app answers at ${o.url}: ${e.message}`));
    if (!health.ok) usage(`${o.url}/api/health answered ${health.status}`);
    const apiOf =
      (ctx: BrowserContext): ApiGet =>
      async (p) => {
        const res = await ctx.request.get(p);
        if (res.status() === 404) return null;
        if (!res.ok()) throw new Error(`${p}: ${res.status()}`);
        return res.json();
      };
    const samples = await resolvePageSamples(apiOf(await contextFor("admin")));
    const reviewerSamples = await resolveReviewerSamples(apiOf(await contextFor("reviewer")));
    const pages = listPages(root);
    const skipped = pages.filter((p) => p.visitors.includes("roleless")).map((p) => p.route);
    const visits = pageVisits(
      pages.filter((p) => !skipped.includes(p.route)),
      samples,
      { reviewer: reviewerSamples },
    ).filter((v) => !o.only || v.path.startsWith(o.only));
    log(
      `${visits.length} page visits against ${o.url}, ${o.runs} timed requests each after a warm-up${skipped.length ? `; not measured: ${skipped.join(", ")} (needs a user without a role)` : ""}`,
    );

    const measures: PageMeasure[] = [];
    for (const visit of visits) {
      const ctx = await contextFor(visit.visitor);
      const m: PageMeasure = { visit, finalPath: visit.path, status: 0, samplesMs: [], heightPx: 0, viewportPx: VIEWPORT.height };
      try {
        for (let i = 0; i <= o.runs; i++) {
          const t0 = performance.now();
          const res = await ctx.request.get(visit.path, { timeout: 120_000 });
          await res.body();
          const ms = performance.now() - t0;
          if (i > 0) m.samplesMs.push(ms);
          m.status = res.status();
          const u = new URL(res.url());
          m.finalPath = u.pathname + u.search;
        }
        const page = await ctx.newPage();
        await page.goto(visit.path, { timeout: 120_000 });
        await page.waitForLoadState("networkidle", { timeout: 60_000 }).catch(() => log(`${visit.path}: still loading after 60 s; measured as it is`));
        m.heightPx = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.close();
      } catch (e) {
        m.error = (e as Error).message.split("\n")[0]!;
      }
      const r = judgePage(m);
      log(`${visit.path} as ${visit.visitor}: ${r.error ?? `${Math.round(r.medianMs)} ms, ${r.screens.toFixed(1)} screens`}`);
      measures.push(m);
    }

    const results = measures.map((m) => judgePage(m));
    const summary = pageSummary(results);
    console.log(
      `\nPages at ${o.url}: server answer (median of ${o.runs}) and height in ${VIEWPORT.width}×${VIEWPORT.height} screens; targets < 1000 ms, ≤ 10 screens`,
    );
    console.log(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} on ${os.cpus().length} CPUs\n`,
    );
    console.log(pageTable(results));
    console.log(`\n${summary.passed} of ${summary.pages} pass${summary.failed.length ? `; failing: ${summary.failed.join(", ")}` : ""}`);
    const at = new Date().toISOString();
    const dir = path.join(root, "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `pages-${at.replace(/[:.]/g, "-")}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          at,
          url: o.url,
          runs: o.runs,
          viewport: VIEWPORT,
          targets: PAGE_TARGETS,
          loadavg: os.loadavg(),
          cpus: os.cpus().length,
          node: process.version,
          chromium: browser.version(),
          skipped,
          summary,
          results,
        },
        null,
        2,
      ),
    );
    console.log(`wrote ${path.relative(root, file)}`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
