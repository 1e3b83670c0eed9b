#!/usr/bin/env node
// `npm start`: everything a new user needs, with nothing to configure.
// - persists an AUTH_SECRET under the data folder the first time (unless one is set), and on the embedded
//   database an ATTEST_SECRET_KEY for connector credentials,
// - builds the app when there is no build or the sources are newer than it,
// - starts Next on PORT (default 3000). Migrations and the demo seed run inside
//   the server process (instrumentation.ts), so PGlite is opened by one process only.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);
const dev = process.argv.includes("--dev");
const dataDir = path.resolve(process.env.ATTEST_DATA_DIR ?? ".data");
mkdirSync(dataDir, { recursive: true });

if (!process.env.AUTH_SECRET) {
  const file = path.join(dataDir, "auth-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  process.env.AUTH_SECRET = readFileSync(file, "utf8").trim();
}
process.env.AUTH_TRUST_HOST ??= "true";

// Connector credentials are sealed under ATTEST_SECRET_KEY. On the embedded database (a laptop, a trial) one is made
// and kept beside the data, like AUTH_SECRET, so connectors work out of the box; with DATABASE_URL (production) the
// operator sets it (from a secret manager, never beside the database), and without it credentials are refused.
if (!process.env.ATTEST_SECRET_KEY && !process.env.DATABASE_URL) {
  const file = path.join(dataDir, "secret-key");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  process.env.ATTEST_SECRET_KEY = readFileSync(file, "utf8").trim();
}

const next = path.join(root, "node_modules", ".bin", "next");
const port = process.env.PORT ?? "3000";

function newestSourceMtime() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ["app", "components", "lib", "db", "public"]) if (existsSync(d)) walk(d);
  for (const f of ["next.config.ts", "package.json", "instrumentation.ts", "proxy.ts"]) if (existsSync(f)) newest = Math.max(newest, statSync(f).mtimeMs);
  return newest;
}

if (!dev) {
  const buildId = path.join(root, ".next", "BUILD_ID");
  const stale = !existsSync(buildId) || statSync(buildId).mtimeMs < newestSourceMtime();
  if (stale || process.env.ATTEST_FORCE_BUILD === "1") {
    console.log("[attest] building the app (first start or sources changed)…");
    const r = spawnSync(next, ["build"], { stdio: "inherit", env: process.env });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

const child = spawn(next, [dev ? "dev" : "start", "-p", port], { stdio: "inherit", env: process.env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
