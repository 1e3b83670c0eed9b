import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./document";

/** Every route handler file under app/api and app/scim, as an OpenAPI path with its methods. */
function routeFiles(dir: string): { path: string; methods: string[] }[] {
  const out: { path: string; methods: string[] }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "route.ts") {
        const rel = path
          .relative("app", path.dirname(p))
          .split(path.sep)
          .map((s) => s.replace(/^\[(\w+)\]$/, "{$1}"));
        const src = readFileSync(p, "utf8");
        const methods = [...src.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!.toLowerCase());
        const destructured = /export const \{ (GET), (POST) \}/.exec(src);
        if (destructured) methods.push("get", "post");
        out.push({ path: `/${rel.join("/")}`, methods });
      }
    }
  };
  walk(dir);
  return out;
}

describe("OpenAPI document", () => {
  it("documents every API route and method (auth routes excepted)", () => {
    const doc = openApiDocument("test") as { paths: Record<string, Record<string, unknown>> };
    const routes = routeFiles(path.join("app", "api")).filter((r) => !r.path.startsWith("/api/auth"));
    expect(routes.length).toBeGreaterThan(4);
    for (const r of routes) {
      expect(doc.paths, `${r.path} is missing from the OpenAPI document`).toHaveProperty([r.path]);
      for (const m of r.methods) expect(doc.paths[r.path], `${m.toUpperCase()} ${r.path} is not documented`).toHaveProperty([m]);
    }
  });
});
