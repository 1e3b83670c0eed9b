import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PERMISSIONS, ROLE_PERMISSIONS, type Permission } from "@/lib/authz/permissions";
import type { Role } from "@/lib/authz/roles";

/**
 * Every page of the app, read from the route files under app/ (so a new page is visited without anyone listing it),
 * with who may open it: what the e2e accessibility check (e2e/a11y.spec.ts) and the page benchmark
 * (`npm run bench:pages`) both walk.
 */

/** Who a page is opened as: a demo user of a role, nobody signed in, or a signed-in person without any role. */
/** Pages are for people: the `pdp` role (a gateway's token) never signs in to a page. */
export type Visitor = Exclude<Role, "pdp"> | "anonymous" | "roleless";

export interface PageRoute {
  /** The route file, relative to the repository root. */
  file: string;
  /** The URL pattern: "/campaigns/[id]" (route groups dropped). */
  route: string;
  /** Its dynamic segments, in order: ["id"]. */
  params: string[];
  /** The permissions the page requires (any one of them); [] when any role will do; null when it needs no sign-in. */
  anyOf: Permission[] | null;
  visitors: Visitor[];
}

/**
 * Pages whose visitor cannot be read from the code: /no-role serves only people signed in without a role (everyone
 * else is sent on), which the page decides itself rather than through requirePage*.
 */
const VISITOR_EXCEPTIONS: Record<string, Visitor[]> = { "/no-role": ["roleless"] };

/** app/(app)/campaigns/[id]/page.tsx → /campaigns/[id]. */
export function routeOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] !== "app" || parts.at(-1) !== "page.tsx") throw new Error(`not a page file: ${file}`);
  const segments = parts.slice(1, -1).filter((s) => !/^\(.*\)$/.test(s) && !s.startsWith("@"));
  return `/${segments.join("/")}`;
}

export function paramsOf(route: string): string[] {
  return [...route.matchAll(/\[(?:\.\.\.)?([^\]]+)\]/g)].map((m) => m[1]!);
}

/**
 * The permissions a page's source asks for: the arguments of requirePagePermission(...), [] for requirePageActor()
 * (any role), null when it calls neither (a public page).
 */
export function accessOf(source: string): Permission[] | null {
  const m = /requirePagePermission\(([^)]*)\)/.exec(source);
  if (m) {
    const perms = [...m[1]!.matchAll(/["']([^"']+)["']/g)].map((x) => x[1]!);
    for (const p of perms) if (!(PERMISSIONS as readonly string[]).includes(p)) throw new Error(`unknown permission ${p}`);
    if (perms.length === 0) throw new Error("requirePagePermission without literal permissions: cannot tell who may open the page");
    return perms as Permission[];
  }
  return /requirePageActor\(\)/.test(source) ? [] : null;
}

/**
 * Who opens the page: an admin (who holds every permission, so sees the most) when the page admits one, and a
 * reviewer too when it admits reviewers (their pages differ: their home, their inbox, what they own). Public pages
 * are opened signed out.
 */
export function visitorsFor(anyOf: Permission[] | null): Visitor[] {
  if (anyOf === null) return ["anonymous"];
  const admits = (r: Role) => anyOf.length === 0 || anyOf.some((p) => ROLE_PERMISSIONS[r].includes(p));
  const out: Visitor[] = (["admin", "analyst", "auditor"] as const).filter(admits).slice(0, 1);
  if (admits("reviewer")) out.push("reviewer");
  return out;
}

function pageFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    // API routes and private folders (_x) hold no pages.
    if (e.isDirectory() && !(dir === "app" && e.name === "api") && !e.name.startsWith("_")) out.push(...pageFiles(root, rel));
    else if (e.isFile() && e.name === "page.tsx") out.push(rel);
  }
  return out;
}

/** Every page under `root`/app, sorted by route. */
export function listPages(root: string): PageRoute[] {
  return pageFiles(root, "app")
    .map((file) => {
      const route = routeOf(file);
      const anyOf = accessOf(readFileSync(path.join(root, file), "utf8"));
      return { file, route, params: paramsOf(route), anyOf, visitors: VISITOR_EXCEPTIONS[route] ?? visitorsFor(anyOf) };
    })
    .sort((a, b) => a.route.localeCompare(b.route));
}

/** A real value for a route's dynamic segments, with words saying what it is ("a big group"). */
export interface Sample {
  label: string;
  params: Record<string, string>;
}

export interface PageVisit {
  route: string;
  /** The URL path to open. */
  path: string;
  visitor: Visitor;
  /** What the sample is, for dynamic routes ("" otherwise). */
  label: string;
}

export function fillRoute(route: string, params: Record<string, string>): string {
  return route.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for [${name}] of ${route}`);
    return encodeURIComponent(v);
  });
}

export type Samples = Readonly<Record<string, readonly Sample[]>>;

/**
 * The samples a visitor opens a route on: theirs when given (a reviewer sees only what they own, so opens their own
 * node), else the route's.
 */
export function samplesFor(route: string, visitor: Visitor, samples: Samples, byVisitor: Partial<Record<Visitor, Samples>> = {}): readonly Sample[] {
  return byVisitor[visitor]?.[route] ?? samples[route] ?? [];
}

/**
 * The visits: each page as each of its visitors, a dynamic page once per sample. A dynamic page without samples is an
 * error naming it, so a new dynamic page cannot be skipped silently: give it samples where the walk is set up.
 */
export function pageVisits(pages: readonly PageRoute[], samples: Samples, byVisitor: Partial<Record<Visitor, Samples>> = {}): PageVisit[] {
  const out: PageVisit[] = [];
  for (const p of pages) {
    for (const visitor of p.visitors) {
      const list: readonly Sample[] = p.params.length === 0 ? [{ label: "", params: {} }] : samplesFor(p.route, visitor, samples, byVisitor);
      if (list.length === 0) throw new Error(`no sample ids for ${p.route} (${p.file}) as ${visitor}: add some where the pages are walked`);
      for (const s of list) out.push({ route: p.route, path: fillRoute(p.route, s.params), visitor, label: s.label });
    }
  }
  return out;
}
