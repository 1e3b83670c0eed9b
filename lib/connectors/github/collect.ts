import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { ConnectorError } from "../errors";
import type { CollectContext } from "../types";
import type { GithubCredential, GithubSettings } from "./settings";

type Ctx = CollectContext<GithubSettings, GithubCredential>;

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The official client, every request (the App's token exchange included: auth-app is handed
 * `octokit.request`, which carries this fetch) going through the run's polite outbound fetch. No retry or
 * throttling plugin: politeFetch is the one retry policy.
 */
export function githubClient(ctx: Ctx): Octokit {
  const base = {
    baseUrl: ctx.settings.baseUrl.replace(/\/+$/, ""),
    userAgent: "attest-connector",
    log: quiet,
    request: { fetch: withResponseUrl(ctx.fetch), signal: ctx.signal },
  };
  const cred = ctx.credential;
  if ("token" in cred) return new Octokit({ ...base, auth: cred.token });
  return new Octokit({
    ...base,
    authStrategy: createAppAuth,
    auth: { appId: cred.appId, privateKey: cred.privateKey, installationId: cred.installationId, log: quiet },
  });
}

/**
 * The outbound client answers with a Response built from a stream, whose `url` is empty; octokit's paginate
 * parses `response.url` after every wrapped list (`{"total_count": n, ...}`), so the URL asked is set on it.
 */
function withResponseUrl(fetch: Ctx["fetch"]): Ctx["fetch"] {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (!res.url) Object.defineProperty(res, "url", { value: String(input), configurable: true });
    return res;
  };
}

function requireOrg(ctx: Ctx): string {
  if (!ctx.settings.org) throw new ConnectorError("internal", { detail: "no organization is set: enter the organization's login in the settings" });
  return ctx.settings.org;
}

/** The HTTP status of an SDK error, when it is one. */
const statusOf = (e: unknown): number | undefined =>
  typeof e === "object" && e !== null && typeof (e as { status?: unknown }).status === "number" ? (e as { status: number }).status : undefined;

export async function testGithub(ctx: Ctx): Promise<string> {
  const org = requireOrg(ctx);
  const { data } = await githubClient(ctx).rest.orgs.get({ org });
  const how = "token" in ctx.credential ? "a personal access token" : "a GitHub App installation";
  const repos = (data.public_repos ?? 0) + (data.total_private_repos ?? 0);
  return `organization ${org} reached with ${how}: ${repos.toLocaleString("en-US")} repositories visible`;
}

export async function collectGithub(ctx: Ctx): Promise<void> {
  const org = requireOrg(ctx);
  const octokit = githubClient(ctx);
  let items = 0;

  /** Every page of a list call, recorded under `key`; the items, for the calls that follow. */
  async function list(route: string, params: Record<string, unknown>, key: string, what: string): Promise<Record<string, unknown>[]> {
    const all: Record<string, unknown>[] = [];
    for await (const res of octokit.paginate.iterator(route, { ...params, per_page: 100 })) {
      // paginate has already unwrapped `{"total_count": n, "installations": [...]}` answers into their list.
      const page = res.data as unknown;
      ctx.bundle.add(key, page);
      if (Array.isArray(page)) all.push(...(page as Record<string, unknown>[]));
      items += Array.isArray(page) ? page.length : 0;
      ctx.progress(`reading ${what}: ${all.length.toLocaleString("en-US")}`);
    }
    return all;
  }

  /** A call the plan or the credential's permissions may not allow: a 403/404 leaves it out (the converter warns). */
  async function optional<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (e) {
      const s = statusOf(e);
      if (s === 403 || s === 404) return undefined;
      throw e;
    }
  }

  /** A team or repository listed a moment ago may be gone (deleted, renamed) by the time its own lists are read. */
  async function unlessGone<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  const orgAnswer = await octokit.request("GET /orgs/{org}", { org });
  ctx.bundle.add(`orgs/${org}`, orgAnswer.data);
  await list("GET /orgs/{org}/members", { org, role: "all" }, `orgs/${org}/members`, "members");
  await list("GET /orgs/{org}/members", { org, role: "admin" }, `orgs/${org}/members/role=admin`, "owners");
  await optional(() => list("GET /orgs/{org}/outside_collaborators", { org }, `orgs/${org}/outside_collaborators`, "outside collaborators"));
  const repos = await list("GET /orgs/{org}/repos", { org, type: "all" }, `orgs/${org}/repos`, "repositories");
  const teams = await list("GET /orgs/{org}/teams", { org }, `orgs/${org}/teams`, "teams");
  for (const [i, team] of teams.entries()) {
    const slug = String(team.slug);
    const base = `orgs/${org}/teams/${slug}`;
    const what = `teams ${i + 1} of ${teams.length}`;
    await unlessGone(async () => {
      await list("GET /orgs/{org}/teams/{team_slug}/members", { org, team_slug: slug, role: "all" }, `${base}/members`, what);
      await list("GET /orgs/{org}/teams/{team_slug}/members", { org, team_slug: slug, role: "maintainer" }, `${base}/members/role=maintainer`, what);
      await list("GET /orgs/{org}/teams/{team_slug}/repos", { org, team_slug: slug }, `${base}/repos`, what);
    });
  }
  for (const [i, repo] of repos.entries()) {
    const [owner, name] = String(repo.full_name).split("/") as [string, string];
    const what = `repositories ${i + 1} of ${repos.length}`;
    if (ctx.settings.readCollaborators)
      await optional(() =>
        list("GET /repos/{owner}/{repo}/collaborators", { owner, repo: name, affiliation: "direct" }, `repos/${owner}/${name}/collaborators`, what),
      );
    if (ctx.settings.readSecrets)
      await optional(() => list("GET /repos/{owner}/{repo}/actions/secrets", { owner, repo: name }, `repos/${owner}/${name}/actions/secrets`, what));
  }
  await optional(() => list("GET /orgs/{org}/installations", { org }, `orgs/${org}/installations`, "GitHub App installations"));
  const pats = await optional(() => list("GET /orgs/{org}/personal-access-tokens", { org }, `orgs/${org}/personal-access-tokens`, "personal access tokens"));
  for (const pat of pats ?? []) {
    if (pat.repository_selection !== "subset") continue;
    const id = String(pat.id);
    await optional(() =>
      list(
        "GET /orgs/{org}/personal-access-tokens/{pat_id}/repositories",
        { org, pat_id: id },
        `orgs/${org}/personal-access-tokens/${id}/repositories`,
        "personal access tokens' repositories",
      ),
    );
  }
  if (ctx.settings.readSecrets) {
    const secrets = await optional(() => list("GET /orgs/{org}/actions/secrets", { org }, `orgs/${org}/actions/secrets`, "organization secrets"));
    for (const s of secrets ?? []) {
      if (s.visibility !== "selected") continue;
      const secret = String(s.name);
      await optional(() =>
        list(
          "GET /orgs/{org}/actions/secrets/{secret_name}/repositories",
          { org, secret_name: secret },
          `orgs/${org}/actions/secrets/${secret}/repositories`,
          "organization secrets' repositories",
        ),
      );
    }
  }
  ctx.progress(`read ${items.toLocaleString("en-US")} items`);
}
