import path from "node:path";
import { defineConfig } from "vitest/config";

// Vendor fakes that must speak TLS (lib/testing/fake-vendor.ts) use a certificate of this test-only CA; Node reads
// NODE_EXTRA_CA_CERTS when a process starts, so it is set here, before the test processes are forked.
process.env.NODE_EXTRA_CA_CERTS ??= path.resolve(import.meta.dirname, "lib/testing/tls/ca.pem");

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
