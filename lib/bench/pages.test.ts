import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { accessOf, fillRoute, listPages, pageVisits, routeOf, visitorsFor } from "./pages";

describe("the page walk read from the route files", () => {
  it("turns a route file into its URL pattern, dropping route groups", () => {
    expect(routeOf("app/(app)/campaigns/[id]/page.tsx")).toBe("/campaigns/[id]");
    expect(routeOf("app/(app)/page.tsx")).toBe("/");
    expect(routeOf("app/sign-in/page.tsx")).toBe("/sign-in");
    expect(() => routeOf("app/(app)/layout.tsx")).toThrow(/not a page/);
  });

  it("reads who may open a page from its requirePage* call", () => {
    expect(accessOf(`const actor = await requirePagePermission("campaign.read", "review.decide");`)).toEqual(["campaign.read", "review.decide"]);
    expect(accessOf("const actor = await requirePageActor();")).toEqual([]);
    expect(accessOf("export default function SignIn() {}")).toBeNull();
    expect(() => accessOf(`requirePagePermission("campaign.fly")`)).toThrow(/unknown permission campaign\.fly/);
    expect(() => accessOf("requirePagePermission(...perms)")).toThrow(/literal/);
  });

  it("opens a page as an admin, and as a reviewer too when reviewers may open it", () => {
    expect(visitorsFor(["graph.read"])).toEqual(["admin"]);
    expect(visitorsFor(["owner.read", "review.decide"])).toEqual(["admin", "reviewer"]);
    expect(visitorsFor([])).toEqual(["admin", "reviewer"]);
    expect(visitorsFor(null)).toEqual(["anonymous"]);
  });

  it("finds every page of this app, with its access", () => {
    const pages = listPages(process.cwd());
    const byRoute = new Map(pages.map((p) => [p.route, p]));
    expect(byRoute.get("/sign-in")?.visitors).toEqual(["anonymous"]);
    expect(byRoute.get("/forbidden")?.visitors).toEqual(["anonymous"]);
    expect(byRoute.get("/no-role")?.visitors).toEqual(["roleless"]);
    expect(byRoute.get("/")?.visitors).toEqual(["admin", "reviewer"]);
    expect(byRoute.get("/campaigns/inbox")?.anyOf).toEqual(["review.decide"]);
    expect(byRoute.get("/admin/jobs")?.visitors).toEqual(["admin"]);
    expect(byRoute.get("/nodes/[id]")).toMatchObject({ file: "app/(app)/nodes/[id]/page.tsx", params: ["id"], anyOf: ["graph.read"] });
    // Every signed-in page names who may open it: a page without a requirePage* call would be walked signed out.
    for (const p of pages) if (p.file.startsWith("app/(app)/")) expect(p.anyOf, p.file).not.toBeNull();
  });

  it("picks up a new page without anyone listing it, and skips API routes", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "attest-pages-"));
    const put = (rel: string, src: string) => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), src);
    };
    put("app/(app)/reports/[id]/page.tsx", `await requirePagePermission("audit.read");`);
    put("app/(app)/reports/[id]/layout.tsx", "");
    put("app/api/v1/page.tsx", "");
    put("app/_parts/page.tsx", "");
    expect(listPages(root)).toEqual([
      { file: "app/(app)/reports/[id]/page.tsx", route: "/reports/[id]", params: ["id"], anyOf: ["audit.read"], visitors: ["admin"] },
    ]);
  });

  it("fills dynamic segments with samples, and refuses a dynamic page without any", () => {
    const pages = [
      { file: "a", route: "/x", params: [], anyOf: [], visitors: ["admin", "reviewer"] as const },
      { file: "b", route: "/nodes/[id]", params: ["id"], anyOf: ["graph.read" as const], visitors: ["admin"] as const },
    ].map((p) => ({ ...p, visitors: [...p.visitors] }));
    const samples = {
      "/nodes/[id]": [
        { label: "a group", params: { id: "grp_1" } },
        { label: "a server", params: { id: "a b/c" } },
      ],
    };
    expect(pageVisits(pages, samples)).toEqual([
      { route: "/x", path: "/x", visitor: "admin", label: "" },
      { route: "/x", path: "/x", visitor: "reviewer", label: "" },
      { route: "/nodes/[id]", path: "/nodes/grp_1", visitor: "admin", label: "a group" },
      { route: "/nodes/[id]", path: "/nodes/a%20b%2Fc", visitor: "admin", label: "a server" },
    ]);
    expect(() => pageVisits(pages, {})).toThrow("no sample ids for /nodes/[id] (b) as admin");
    // A visitor's own samples replace the route's for them only.
    const own = { admin: { "/nodes/[id]": [{ label: "own agent", params: { id: "agt_9" } }] } };
    expect(pageVisits(pages, samples, own).filter((v) => v.route === "/nodes/[id]")).toEqual([
      { route: "/nodes/[id]", path: "/nodes/agt_9", visitor: "admin", label: "own agent" },
    ]);
    expect(() => fillRoute("/a/[x]/[y]", { x: "1" })).toThrow("no value for [y] of /a/[x]/[y]");
  });
});
