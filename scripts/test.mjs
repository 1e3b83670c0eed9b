#!/usr/bin/env node
// `npm test`: every check, in the order that fails fastest.
//   1. type-check   2. lint (and npm audit of production dependencies)   3. Vitest on in-memory PGlite
//   4. the database suites again on real PostgreSQL when TEST_DATABASE_URL is set
//   5. Playwright e2e in Debian's Chromium against the built app on a fresh PGlite folder
// Ends with one line "tests: N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { auditVerdict } from "./audit-verdict.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const work = mkdtempSync(path.join(os.tmpdir(), "attest-test-"));
let passed = 0;
let failed = 0;

function run(title, cmd, args, env = {}) {
  console.log(`\n━━ ${title} ━━`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return r.status === 0;
}

function finish(code) {
  console.log(`\ntests: ${passed} passed, ${failed} failed`);
  rmSync(work, { recursive: true, force: true });
  process.exit(code);
}

function stop(message) {
  console.error(`\n✗ ${message}`);
  failed = Math.max(failed, 1);
  finish(1);
}

function countVitest(file) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}

if (!run("type-check", bin("tsc"), ["--noEmit"])) stop("type-check failed");
if (!run("lint", bin("eslint"), [".", "--max-warnings=0"])) stop("lint failed");
if (!run("formatting (Prettier)", bin("prettier"), ["--check", ".", "--log-level", "warn"])) stop("formatting: run `npm run format` and commit the result");
checkAdvisories();

/**
 * `npm audit` of the production dependencies: a high or critical advisory fails the run unless
 * scripts/audit-allow.json explains it (advisory id or URL → reason). Where the registry offers no advisory
 * endpoint (this project's machines answer 405), it says so and goes on: there is nothing to check against.
 */
function checkAdvisories() {
  console.log("\n━━ npm audit (production dependencies) ━━");
  const r = spawnSync("npm", ["audit", "--omit=dev", "--json"], { encoding: "utf8", env: process.env });
  const allowed = JSON.parse(readFileSync(path.join(root, "scripts", "audit-allow.json"), "utf8"));
  const verdict = auditVerdict(r.stdout, r.stderr, allowed);
  if (verdict.serious.length)
    stop(`npm audit: high or critical advisories in production dependencies, not explained in scripts/audit-allow.json:\n  ${verdict.serious.join("\n  ")}`);
  console.log(verdict.message);
}

// Debian packages the suites need: Chromium for the browser tests, poppler-utils to render and read back PDFs.
const chromium = process.env.ATTEST_CHROMIUM ?? "/usr/bin/chromium";
const needed = [];
if (!existsSync(chromium)) needed.push("chromium");
if (spawnSync("sh", ["-c", "command -v pdftoppm && command -v pdftotext"], { stdio: "ignore" }).status !== 0) needed.push("poppler-utils");
if (needed.length) {
  if (process.getuid?.() === 0) {
    if (
      !run(`installing ${needed.join(" and ")} from Debian`, "bash", [
        "-c",
        `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${needed.join(" ")}`,
      ])
    )
      stop(`could not install them; run: apt-get install -y ${needed.join(" ")}`);
  } else {
    stop(`the tests need ${needed.join(" and ")}. Install with:  sudo apt-get install -y ${needed.join(" ")}`);
  }
}

const unitJson = path.join(work, "vitest-pglite.json");
const unitOk = run("unit and integration tests (PGlite)", bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${unitJson}`], {
  ATTEST_TEST_DB: "pglite",
});
countVitest(unitJson);
if (!unitOk) stop("Vitest (PGlite) failed");

if (process.env.TEST_DATABASE_URL) {
  const pgJson = path.join(work, "vitest-postgres.json");
  const pgOk = run(
    "integration tests (PostgreSQL)",
    bin("vitest"),
    ["run", ".db.test.", "--reporter=default", "--reporter=json", `--outputFile.json=${pgJson}`],
    {
      ATTEST_TEST_DB: "postgres",
    },
  );
  countVitest(pgJson);
  if (!pgOk) stop("Vitest (PostgreSQL) failed");
} else {
  console.log("\n(TEST_DATABASE_URL is not set: the PostgreSQL run of the integration suite is skipped; .ci/run sets it.)");
}

const e2eJson = path.join(work, "playwright.json");
const e2eOk = run("browser tests (Playwright, Chromium)", bin("playwright"), ["test", "--reporter=list,json"], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson,
  ATTEST_E2E_DATA_DIR: path.join(work, "e2e-data"),
  ATTEST_CHROMIUM: chromium,
});
if (existsSync(e2eJson)) {
  const s = JSON.parse(readFileSync(e2eJson, "utf8")).stats ?? {};
  passed += s.expected ?? 0;
  failed += (s.unexpected ?? 0) + (s.flaky ?? 0) + (s.skipped ?? 0);
}
if (!e2eOk) stop("browser tests failed");
finish(failed === 0 ? 0 : 1);
