import path from "node:path";
import { defineConfig } from "vitest/config";

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
