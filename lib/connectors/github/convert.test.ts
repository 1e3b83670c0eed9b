import { readFileSync } from "node:fs";
import path from "node:path";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { AnswerBundle } from "../bundle";
import { convertGithub } from "./convert";
import { githubDriver } from "./driver";
import { DEFAULT_GITHUB_SETTINGS } from "./settings";
import { OCTO_EDGES, OCTO_NODES } from "./testing/octo-counts";
import { syntheticGithubBundle } from "./testing/synthetic";

const FIXTURE = path.join(import.meta.dirname, "fixtures", "octo-org.json");
const fixtureBytes = () => new Uint8Array(readFileSync(FIXTURE));
const fixture = () => JSON.parse(readFileSync(FIXTURE, "utf8")) as { format: string; calls: Record<string, unknown[]> };

function bundleOf(calls: Record<string, unknown[]>): AnswerBundle {
  const b = new AnswerBundle();
  for (const [k, pages] of Object.entries(calls)) for (const p of pages) b.add(k, p);
  return b;
}

const convert = (b: AnswerBundle, settings = DEFAULT_GITHUB_SETTINGS) => convertGithub(b, { source: "github-octo", mode: "full", settings });

function counts<T extends { kind: string }>(items: T[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i.kind] = (out[i.kind] ?? 0) + 1;
  return out;
}

describe("GitHub REST answers → graph", () => {
  it("converts the documented examples: counts by node and edge kind", () => {
    const r = convert(bundleOf(fixture().calls));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(counts(r.document.nodes)).toEqual(OCTO_NODES);
    expect(counts(r.document.edges)).toEqual(OCTO_EDGES);
    // The selected-repositories installation is the one gap the API leaves; it is said, once.
    expect(r.warnings.some((w) => w.includes("selected repositories"))).toBe(true);
  });

  it("maps people, teams, roles, apps, tokens and secrets as documented", () => {
    const r = convert(bundleOf(fixture().calls));
    if (!r.ok) throw new Error("not ok");
    const node = (kind: string, id: string) => r.document.nodes.find((n) => n.kind === kind && n.externalId === id);
    const edges = (kind: string, from?: string, to?: string) =>
      r.document.edges.filter((e) => e.kind === kind && (!from || e.from.externalId === from) && (!to || e.to.externalId === to));
    expect(node("human", "1")?.attributes).toMatchObject({ login: "octocat", orgRole: "admin", publicEmail: "octocat@github.com" });
    expect(node("human", "1")?.attributes?.email).toBeUndefined();
    expect(node("human", "2")?.attributes).toMatchObject({ login: "monalisa", orgRole: "member" });
    expect(node("human", "2")?.attributes?.email).toBeUndefined();
    expect(node("human", "100")?.attributes).toMatchObject({ orgRole: "outside_collaborator" });
    // Nested team: Platform is a member of Justice League, so its members inherit Justice League's repositories.
    expect(edges("member_of", "team:2", "team:1")).toHaveLength(1);
    expect(edges("member_of", "1", "team:1")[0]?.attributes).toEqual({ role: "maintainer" });
    expect(edges("member_of", "2", "team:1")[0]?.attributes).toEqual({ role: "member" });
    // Team → repository role entitlement → repository.
    expect(edges("has_entitlement", "team:2", "repo:1296270:write")).toHaveLength(1);
    expect(edges("grants", "repo:1296270:write", "1296270")).toHaveLength(1);
    expect(edges("has_entitlement", "team:2", "repo:1296271:admin")).toHaveLength(1);
    expect(node("entitlement", "repo:1296270:write")?.name).toBe("octo-org/api: write");
    // Owners administer every repository; members get the base permission (read) on each.
    expect(edges("grants", "org:octo-org:owner")).toHaveLength(4);
    expect(edges("grants", "org:octo-org:member").filter((e) => e.attributes?.basePermission)).toHaveLength(3);
    // The App installed on all repositories reaches each of them.
    expect(node("service_account", "installation:1")?.attributes).toMatchObject({ appSlug: "github-actions", repositorySelection: "all" });
    expect(edges("has_entitlement", "installation:1", "installation:1")).toHaveLength(1);
    expect(
      edges("grants", "installation:1")
        .map((e) => e.to.externalId)
        .sort(),
    ).toEqual(["1296269", "1296270", "1296271", "org:octo-org"]);
    expect(edges("grants", "installation:2").map((e) => e.to.externalId)).toEqual(["org:octo-org"]);
    // Fine-grained PATs: owner uses the credential, which is for its repositories, with expiry and last use.
    expect(node("credential", "pat:25382")?.attributes).toMatchObject({
      type: "github_fine_grained_pat",
      tokenName: "deploy-bot",
      expiresAt: "2026-02-01T10:00:00.000Z",
      lastUsedAt: "2025-11-30T09:12:00.000Z",
    });
    expect(edges("uses_credential", "4", "pat:25382")).toHaveLength(1);
    expect(
      edges("credential_for", "pat:25382")
        .map((e) => e.to.externalId)
        .sort(),
    ).toEqual(["1296270", "org:octo-org"]);
    // Actions secrets: names only; private visibility covers private and internal repositories.
    expect(
      edges("credential_for", "secret:org:GIST_ID")
        .map((e) => e.to.externalId)
        .sort(),
    ).toEqual(["1296270", "1296271"]);
    expect(node("credential", "secret:org:GH_TOKEN")?.attributes).toMatchObject({
      type: "actions_secret",
      storage: "vault",
      lastRotatedAt: "2020-01-10T14:59:22.000Z",
    });
    expect(JSON.stringify(r.document)).not.toMatch(/"value"/);
  });

  it("is deterministic", () => {
    const a = convert(bundleOf(fixture().calls));
    const b = convert(bundleOf(fixture().calls));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("reads the JSON and the zip layouts into the same graph", () => {
    const json = githubDriver.readOffline(fixtureBytes(), 10_000_000);
    if (!json.ok) throw new Error(JSON.stringify(json.errors));
    const files: Record<string, Uint8Array> = {};
    for (const [k, pages] of Object.entries(fixture().calls))
      pages.forEach((p, i) => (files[`${AnswerBundle.key(k)}${i ? `~${i + 1}` : ""}.json`] = new TextEncoder().encode(JSON.stringify(p))));
    // A second page of members, as a paged export would have it.
    const members = fixture().calls["GET /orgs/octo-org/members"]![0] as unknown[];
    files["orgs/octo-org/members.json"] = new TextEncoder().encode(JSON.stringify(members.slice(0, 4)));
    files["orgs/octo-org/members~2.json"] = new TextEncoder().encode(JSON.stringify(members.slice(4)));
    const zip = githubDriver.readOffline(zipSync(files), 10_000_000);
    if (!zip.ok) throw new Error(JSON.stringify(zip.errors));
    const a = convert(json.bundle);
    const b = convert(zip.bundle);
    if (!a.ok || !b.ok) throw new Error("not ok");
    const sorted = (r: typeof a & { ok: true }) => ({
      nodes: r.document.nodes.map((n) => JSON.stringify(n)).sort(),
      edges: r.document.edges.map((e) => JSON.stringify(e)).sort(),
    });
    expect(sorted(b)).toEqual(sorted(a));
    expect(counts(b.document.nodes)).toEqual(OCTO_NODES);
  });

  it("reads an offline bundle with only the required call, warning about each missing one", () => {
    const r = convert(bundleOf({ "orgs/octo-org/members": [[{ id: 1, login: "octocat" }]] }));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(counts(r.document.nodes)).toEqual({ resource: 1, entitlement: 2, human: 1 });
    expect(r.warnings.some((w) => w.startsWith("orgs/{org}/personal-access-tokens is not in the answers"))).toBe(true);
    expect(r.warnings.some((w) => w.startsWith("orgs/{org}/teams is not in the answers"))).toBe(true);
  });

  it("locates malformed answers without quoting their values", () => {
    const calls = fixture().calls;
    const members = structuredClone(calls["GET /orgs/octo-org/members"]![0]) as Record<string, unknown>[];
    members[2]!.id = "not-an-id-SECRETVALUE";
    delete members[3]!.login;
    calls["GET /orgs/octo-org/members"] = [members];
    calls["GET /orgs/octo-org/teams/platform/repos"] = [{ oops: "SECRETVALUE" }];
    calls["GET /orgs/octo-org/installations"] = [
      { total_count: 1, installations: [{ id: 9, app_slug: "x", repository_selection: "all", permissions: "SECRETVALUE" }] },
    ];
    const r = convert(bundleOf(calls));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual([
      "orgs/{org}/members [2].id",
      "orgs/{org}/members [3].login",
      "orgs/{org}/teams/{team}/repos page 1",
      "orgs/{org}/installations [0].permissions",
    ]);
    expect(JSON.stringify(r.errors)).not.toMatch(/SECRETVALUE|octo-org|platform/);
  });

  it("refuses answers without the members call, and several organizations at once", () => {
    const none = convert(bundleOf({ "orgs/octo-org/repos": [[]] }));
    expect(none.ok).toBe(false);
    const two = convert(bundleOf({ "orgs/a/members": [[]], "orgs/b/members": [[]] }));
    expect(two.ok).toBe(false);
    if (!two.ok) expect(two.errors[0]!.message).toMatch(/2 organizations/);
  });

  it("puts the public e-mail into `email` (for identity linking) only when told to trust it", () => {
    const r = convert(bundleOf(fixture().calls), { ...DEFAULT_GITHUB_SETTINGS, trustPublicEmail: true });
    if (!r.ok) throw new Error("not ok");
    const octocat = r.document.nodes.find((n) => n.kind === "human" && n.externalId === "1");
    expect(octocat?.attributes).toMatchObject({ publicEmail: "octocat@github.com", email: "octocat@github.com" });
  });

  it("converts an enterprise-sized organization in bounded time and memory", () => {
    // GITHUB_SIZE_USERS=100000: 100,000 members in 10 of 500 teams each (1,000,000 team memberships), 2,000 repositories.
    const N = Number(process.env.GITHUB_SIZE_USERS ?? 20_000);
    const people = Array.from({ length: N }, (_, i) => ({ email: `person${i}@bench.example`, name: `Person ${i}` }));
    const b = syntheticGithubBundle(people, { teams: 500, repos: 2_000, teamsPerPerson: 10 });
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const r = convertGithub(b, { source: "big", mode: "full", settings: DEFAULT_GITHUB_SETTINGS });
    const ms = performance.now() - t0;
    if (!r.ok) throw new Error(JSON.stringify(r.errors.slice(0, 3)));
    expect(r.document.nodes.filter((n) => n.kind === "human")).toHaveLength(N);
    expect(r.document.edges.filter((e) => e.kind === "member_of").length).toBeGreaterThanOrEqual(N * 10);
    const mb = Math.round((process.memoryUsage().heapUsed - heap0) / 1e6);
    console.info(`[github] converted ${N} members, ${r.document.edges.length} edges in ${Math.round(ms)} ms (heap +${mb} MB)`);
  });
});
