import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

// Vendor fakes that must speak TLS (lib/testing/fake-vendor.ts) use a certificate of this test-only CA; Node reads
// NODE_EXTRA_CA_CERTS when a process starts, so it is set here, before the test processes are forked. A machine that
// already names a file there keeps it: both go into one file (Node takes one).
const testCa = path.resolve(import.meta.dirname, "lib/testing/tls/ca.pem");
const extra = process.env.NODE_EXTRA_CA_CERTS;
if (!extra) process.env.NODE_EXTRA_CA_CERTS = testCa;
else if (extra !== testCa && !extra.includes("attest-test-ca")) {
  const text = `${existsSync(extra) ? readFileSync(extra, "utf8") : ""}\n${readFileSync(testCa, "utf8")}`;
  const combined = path.join(os.tmpdir(), `attest-test-ca-${createHash("sha256").update(text).digest("hex").slice(0, 12)}.pem`);
  writeFileSync(combined, text);
  process.env.NODE_EXTRA_CA_CERTS = combined;
}

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["{lib,db,app,components,scripts}/**/*.test.ts"],
    environment: "node",
    // next-auth imports "next/server" without an extension; inlining lets Vite resolve it.
    server: { deps: { inline: ["next-auth"] } },
    // Each file opens its own database; two cores run two files at a time.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
