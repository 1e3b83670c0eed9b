import { edgeKindMismatch, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { SOURCE_NAME_RE, type GraphDocument, type GraphEdgeRecord, type GraphNodeRecord } from "@/lib/ingest/graph-document";
import { checkDocument, type ConversionResult, ErrorList, isRecord, own, plural, WarningList } from "@/lib/ingest/convert-util";
import type { AnswerBundle } from "../bundle";
import type { ConvertOptions } from "../types";
import type { GithubSettings } from "./settings";

/**
 * GitHub REST answers (an AnswerBundle keyed by call, README "Offline formats"
 * and docs/connectors/github.md) → Attest graph document. Pure and
 * deterministic: no clock, no network; problems are located by the call's
 * template, its position, the page and a JSON path, never by a value.
 *
 * Keys (org `acme`, team `platform`, repository `acme/api`):
 *   orgs/acme                                  the organization (base permission)
 *   orgs/acme/members                          every member (role=all)
 *   orgs/acme/members/role=admin               owners (`?role=admin`; the query kept as a segment)
 *   orgs/acme/outside_collaborators
 *   orgs/acme/repos
 *   orgs/acme/teams
 *   orgs/acme/teams/platform/members           (role=all)
 *   orgs/acme/teams/platform/members/role=maintainer
 *   orgs/acme/teams/platform/repos
 *   repos/acme/api/collaborators               (affiliation=direct)
 *   orgs/acme/installations
 *   orgs/acme/personal-access-tokens
 *   orgs/acme/personal-access-tokens/{pat_id}/repositories
 *   orgs/acme/actions/secrets
 *   orgs/acme/actions/secrets/{name}/repositories
 *   repos/acme/api/actions/secrets
 */

interface Node {
  /** Position among the nodes: edges are keyed by it (short keys for a million edges). */
  idx: number;
  kind: NodeKind;
  externalId: string;
  name: string;
  attrs: Record<string, unknown>;
}
interface Edge {
  kind: EdgeKind;
  from: Node;
  to: Node;
  attrs?: Record<string, unknown>;
}

/** Repository roles, strongest first, with the `permissions` flag each stands for. */
const ROLE_ORDER: [role: string, flag: string][] = [
  ["admin", "admin"],
  ["maintain", "maintain"],
  ["write", "push"],
  ["triage", "triage"],
  ["read", "pull"],
];
const BASE_PERMISSION_ROLE: Record<string, string> = { read: "read", write: "write", admin: "admin" };

/** The strongest role a `permissions` object gives, or the answer's `role_name` (custom roles keep their name). */
export function repoRole(item: Record<string, unknown>): string | undefined {
  const named = own(item, "role_name");
  if (typeof named === "string" && named.trim()) {
    const n = named.trim().toLowerCase();
    // GitHub answers the built-in roles under their API names in some places ("push", "pull").
    return n === "push" ? "write" : n === "pull" ? "read" : n;
  }
  const perms = own(item, "permissions");
  if (isRecord(perms)) for (const [role, flag] of ROLE_ORDER) if (own(perms, flag) === true) return role;
  return undefined;
}

const idText = (v: unknown): string | undefined =>
  typeof v === "number" && Number.isSafeInteger(v) ? String(v) : typeof v === "string" && /^\d{1,20}$/.test(v) ? v : undefined;
const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v : undefined);
const dateText = (v: unknown): string | undefined =>
  typeof v === "string" && !Number.isNaN(Date.parse(v)) ? new Date(Date.parse(v)).toISOString() : undefined;

class Builder {
  readonly errors = new ErrorList();
  readonly warnings = new WarningList();
  readonly nodes = new Map<string, Node>();
  readonly edges = new Map<string, Edge>();
  merged = { nodes: 0, edges: 0 };
  skipped = 0;

  constructor(
    readonly bundle: AnswerBundle,
    readonly org: string,
  ) {}

  node(kind: NodeKind, externalId: string, name: string, attrs: Record<string, unknown>): Node {
    const key = `${kind}\u0000${externalId}`;
    const found = this.nodes.get(key);
    if (found) {
      // A person listed by several calls (members, a PAT's owner) keeps the first record; later ones add what it lacks.
      for (const [k, v] of Object.entries(attrs)) if (found.attrs[k] === undefined && v !== undefined) found.attrs[k] = v;
      return found;
    }
    const n: Node = { idx: this.nodes.size, kind, externalId, name: name.slice(0, 1000), attrs };
    this.nodes.set(key, n);
    return n;
  }

  edge(kind: EdgeKind, from: Node, to: Node, attrs?: Record<string, unknown>): void {
    const misfit = edgeKindMismatch(kind, from.kind, to.kind);
    if (misfit) throw new Error(`github converter built a ${kind} edge between ${from.kind} and ${to.kind}`);
    if (from === to) return void (this.skipped += 1);
    const key = `${kind}:${from.idx}:${to.idx}`;
    const found = this.edges.get(key);
    if (!found) return void this.edges.set(key, { kind, from, to, attrs });
    this.merged.edges += 1;
  }

  /**
   * The items of a call: its pages flattened. A page is the answer as GitHub sends it: an array, or for the
   * calls that wrap their lists an object with the list under `listField` (`{"total_count": 2, "secrets": [...]}`).
   * undefined when the bundle does not hold the call.
   */
  items(key: string, template: string, listField?: string): Record<string, unknown>[] | undefined {
    const pages = this.bundle.pages(key);
    if (!pages) return undefined;
    const out: Record<string, unknown>[] = [];
    pages.forEach((page, p) => {
      const where = `${template} page ${p + 1}`;
      let list: unknown = page;
      if (!Array.isArray(page)) {
        list = listField && isRecord(page) ? own(page, listField) : undefined;
        if (!Array.isArray(list))
          return this.errors.add(
            where,
            listField ? `must be an array or an object with a "${listField}" array` : "must be an array (GitHub answers this call with a list)",
          );
      }
      (list as unknown[]).forEach((item, i) => {
        if (isRecord(item)) out.push(item);
        else this.errors.add(`${where}${listField && !Array.isArray(page) ? `.${listField}` : ""}[${i}]`, "must be an object");
      });
    });
    return out;
  }

  /** A required field's id; records a located error when it is missing. */
  id(item: Record<string, unknown>, field: string, where: string): string | undefined {
    const v = idText(own(item, field));
    if (v === undefined) this.errors.add(`${where}.${field}`, "must be a numeric id");
    return v;
  }

  str(item: Record<string, unknown>, field: string, where: string): string | undefined {
    const v = text(own(item, field));
    if (v === undefined) this.errors.add(`${where}.${field}`, "must be a non-empty string");
    return v;
  }

  missing(template: string, why: string): void {
    this.warnings.add(`missing:${template}`, () => `${template} is not in the answers: ${why}`);
  }
}

interface Ctx {
  b: Builder;
  settings: GithubSettings;
  org: string;
  orgNode: Node;
  repos: Map<string, Node>;
  /** Repositories by lower-case full name (keys name repositories; answers give ids). */
  reposByName: Map<string, Node>;
  humans: Map<string, Node>;
  roleEntitlements: Map<string, Node>;
}

/** The entitlement "role on a repository" (`acme/api: admin`), made once per repository and role. */
function roleEntitlement(c: Ctx, repo: Node, role: string): Node {
  const key = `${repo.externalId}:${role}`;
  let e = c.roleEntitlements.get(key);
  if (!e) {
    e = c.b.node("entitlement", `repo:${key}`, `${repo.name}: ${role}`, { system: "github", repository: repo.name, role });
    c.roleEntitlements.set(key, e);
    c.b.edge("grants", e, repo, { role });
  }
  return e;
}

function human(c: Ctx, item: Record<string, unknown>, where: string, attrs: Record<string, unknown> = {}): Node | undefined {
  const id = c.b.id(item, "id", where);
  const login = c.b.str(item, "login", where);
  if (!id || !login) return undefined;
  const type = text(own(item, "type"));
  const a: Record<string, unknown> = { system: "github", login, ...attrs };
  if (type && type !== "User") a.accountType = type;
  if (own(item, "site_admin") === true) a.siteAdmin = true;
  const email = text(own(item, "email"));
  if (email) {
    a.publicEmail = email.trim().toLowerCase();
    if (c.settings.trustPublicEmail) a.email = a.publicEmail;
  }
  const name = text(own(item, "name"));
  const n = c.b.node("human", id, name ? `${name} (${login})` : login, a);
  c.humans.set(id, n);
  return n;
}

function readOrg(c: Ctx): { basePermission?: string } {
  const pages = c.b.bundle.pages(`orgs/${c.org}`);
  if (!pages) {
    c.b.missing("orgs/{org}", "the organization's base repository permission is not known, so none is granted to all members");
    return {};
  }
  const org = pages[0];
  if (!isRecord(org)) {
    c.b.errors.add("orgs/{org} page 1", "must be an object (the organization)");
    return {};
  }
  for (const [k, attr] of [
    ["id", "githubId"],
    ["default_repository_permission", "defaultRepositoryPermission"],
    ["two_factor_requirement_enabled", "twoFactorRequired"],
    ["members_can_create_repositories", "membersCanCreateRepositories"],
  ] as const) {
    const v = own(org, k);
    if (v !== undefined && v !== null) c.orgNode.attrs[attr] = typeof v === "number" ? String(v) : v;
  }
  const plan = own(org, "plan");
  if (isRecord(plan) && text(own(plan, "name"))) c.orgNode.attrs.plan = own(plan, "name");
  const base = own(org, "default_repository_permission");
  if (base === undefined || base === null)
    c.b.warnings.add("base:unknown", () => "orgs/{org}: default_repository_permission is not in the answer (only owners see it); no base permission granted");
  return { basePermission: typeof base === "string" ? base : undefined };
}

function readRepos(c: Ctx): void {
  const list = c.b.items(`orgs/${c.org}/repos`, "orgs/{org}/repos");
  if (!list) return c.b.missing("orgs/{org}/repos", "no repositories are known; team, collaborator and token grants are skipped");
  list.forEach((r, i) => {
    const where = `orgs/{org}/repos [${i}]`;
    const id = c.b.id(r, "id", where);
    const fullName = c.b.str(r, "full_name", where);
    if (!id || !fullName) return;
    const attrs: Record<string, unknown> = { system: "github", type: "repository", fullName };
    const priv = own(r, "private");
    if (typeof priv === "boolean") attrs.private = priv;
    const vis = text(own(r, "visibility"));
    attrs.visibility = vis ?? (priv === true ? "private" : priv === false ? "public" : undefined);
    if (attrs.visibility === undefined) delete attrs.visibility;
    for (const [k, attr] of [
      ["archived", "archived"],
      ["fork", "fork"],
      ["disabled", "disabled"],
    ] as const)
      if (typeof own(r, k) === "boolean") attrs[attr] = own(r, k);
    const pushed = dateText(own(r, "pushed_at"));
    if (pushed) attrs.pushedAt = pushed;
    const node = c.b.node("resource", id, fullName, attrs);
    c.repos.set(id, node);
    c.reposByName.set(fullName.toLowerCase(), node);
  });
}

/** A repository named in another call's answer (a team's, a token's): the org's own when known. */
function knownRepo(c: Ctx, item: Record<string, unknown>, where: string, what: string): Node | undefined {
  const id = c.b.id(item, "id", where);
  if (!id) return undefined;
  const repo = c.repos.get(id);
  if (!repo)
    c.b.warnings.add(
      `unknown-repo:${what}`,
      (n) => `${plural(n, "repository", "repositories")} in ${what} (first: ${where}) are not in orgs/{org}/repos; skipped`,
    );
  return repo;
}

function readMembers(c: Ctx, owner: Node, member: Node): void {
  const admins = new Set<string>();
  const adminList = c.b.items(`orgs/${c.org}/members/role=admin`, "orgs/{org}/members/role=admin");
  if (!adminList) c.b.missing("orgs/{org}/members/role=admin", "owners cannot be told from members; every member is read as a member");
  else
    adminList.forEach((m, i) => {
      const id = c.b.id(m, "id", `orgs/{org}/members/role=admin [${i}]`);
      if (id) admins.add(id);
    });
  const list = c.b.items(`orgs/${c.org}/members`, "orgs/{org}/members");
  if (!list) return void c.b.errors.add("orgs/{org}/members", "is required: the organization's members (GET /orgs/{org}/members)");
  list.forEach((m, i) => {
    const where = `orgs/{org}/members [${i}]`;
    const id = idText(own(m, "id"));
    const role = id && admins.has(id) ? "admin" : "member";
    const h = human(c, m, where, { orgRole: role });
    if (h) c.b.edge("has_entitlement", h, role === "admin" ? owner : member);
  });
  for (const id of admins)
    if (!c.humans.has(id))
      c.b.warnings.add("admin-not-member", (n) => `${plural(n, "owner")} listed by orgs/{org}/members/role=admin but not by orgs/{org}/members; skipped`);
}

function readOutside(c: Ctx): void {
  const list = c.b.items(`orgs/${c.org}/outside_collaborators`, "orgs/{org}/outside_collaborators");
  if (!list) return c.b.missing("orgs/{org}/outside_collaborators", "outside collaborators are known only through repositories' collaborators");
  list.forEach((m, i) => human(c, m, `orgs/{org}/outside_collaborators [${i}]`, { orgRole: "outside_collaborator" }));
}

function readTeams(c: Ctx): void {
  const list = c.b.items(`orgs/${c.org}/teams`, "orgs/{org}/teams");
  if (!list) return c.b.missing("orgs/{org}/teams", "no team memberships or team repository access are known");
  const teams = new Map<string, { node: Node; slug: string; parentId?: string }>();
  list.forEach((t, i) => {
    const where = `orgs/{org}/teams [${i}]`;
    const id = c.b.id(t, "id", where);
    const slug = c.b.str(t, "slug", where);
    if (!id || !slug) return;
    const parent = own(t, "parent");
    let parentId: string | undefined;
    if (parent !== undefined && parent !== null) {
      if (!isRecord(parent)) return void c.b.errors.add(`${where}.parent`, "must be null or a team object");
      parentId = c.b.id(parent, "id", `${where}.parent`);
    }
    const attrs: Record<string, unknown> = { system: "github", type: "team", slug, org: c.org };
    const privacy = text(own(t, "privacy"));
    if (privacy) attrs.privacy = privacy;
    const node = c.b.node("group", `team:${id}`, text(own(t, "name")) ?? slug, attrs);
    teams.set(id, { node, slug, parentId });
  });
  for (const t of teams.values()) {
    // A child team's members are members of its parent: they inherit the parent's repository access.
    if (!t.parentId) continue;
    const parent = teams.get(t.parentId);
    if (parent) c.b.edge("member_of", t.node, parent.node, { nested: true });
    else c.b.warnings.add("parent-missing", (n) => `${plural(n, "team")} name a parent team that orgs/{org}/teams does not list; nesting skipped`);
  }
  for (const t of teams.values()) {
    const base = `orgs/${c.org}/teams/${t.slug}`;
    const maint = new Set<string>();
    const maintList = c.b.items(`${base}/members/role=maintainer`, "orgs/{org}/teams/{team}/members/role=maintainer");
    if (!maintList) c.b.missing("orgs/{org}/teams/{team}/members/role=maintainer", "maintainers cannot be told from members; read as members");
    maintList?.forEach((m, i) => {
      const id = c.b.id(m, "id", `orgs/{org}/teams/{team}/members/role=maintainer [${i}]`);
      if (id) maint.add(id);
    });
    const members = c.b.items(`${base}/members`, "orgs/{org}/teams/{team}/members");
    if (!members) c.b.missing("orgs/{org}/teams/{team}/members", "some teams' members are not known");
    members?.forEach((m, i) => {
      const where = `orgs/{org}/teams/{team}/members [${i}]`;
      const id = idText(own(m, "id"));
      const h = (id && c.humans.get(id)) || human(c, m, where);
      if (h) c.b.edge("member_of", h, t.node, { role: id && maint.has(id) ? "maintainer" : "member" });
    });
    const repos = c.b.items(`${base}/repos`, "orgs/{org}/teams/{team}/repos");
    if (!repos) c.b.missing("orgs/{org}/teams/{team}/repos", "some teams' repository access is not known");
    repos?.forEach((r, i) => {
      const where = `orgs/{org}/teams/{team}/repos [${i}]`;
      const repo = knownRepo(c, r, where, "orgs/{org}/teams/{team}/repos");
      if (!repo) return;
      const role = repoRole(r);
      if (!role) return void c.b.errors.add(`${where}.permissions`, "must give the team's role (role_name or permissions)");
      c.b.edge("has_entitlement", t.node, roleEntitlement(c, repo, role));
    });
  }
}

function readCollaborators(c: Ctx): void {
  let missing = 0;
  for (const repo of c.repos.values()) {
    const key = `repos/${repo.name}/collaborators`;
    const list = c.b.items(key, "repos/{owner}/{repo}/collaborators");
    if (!list) {
      missing++;
      continue;
    }
    list.forEach((u, i) => {
      const where = `repos/{owner}/{repo}/collaborators [${i}]`;
      const id = idText(own(u, "id"));
      const h = (id && c.humans.get(id)) || human(c, u, where, { orgRole: "outside_collaborator" });
      if (!h) return;
      const role = repoRole(u);
      if (!role) return void c.b.errors.add(`${where}.permissions`, "must give the collaborator's role (role_name or permissions)");
      c.b.edge("has_entitlement", h, roleEntitlement(c, repo, role), { direct: true });
    });
  }
  if (missing && c.repos.size)
    c.b.warnings.add(
      "collab-missing",
      () =>
        `repos/{owner}/{repo}/collaborators is not in the answers for ${plural(missing, "repository", "repositories")}: direct collaborators there are not known`,
    );
}

/** The org's repositories a grant covers: every one, only private/internal ones, or none. */
function allRepos(c: Ctx, only?: (r: Node) => boolean): Node[] {
  return [...c.repos.values()].filter((r) => !only || only(r));
}

function readInstallations(c: Ctx): void {
  const list = c.b.items(`orgs/${c.org}/installations`, "orgs/{org}/installations", "installations");
  if (!list) return c.b.missing("orgs/{org}/installations", "GitHub App installations are not known (needs the organization Administration read permission)");
  list.forEach((inst, i) => {
    const where = `orgs/{org}/installations [${i}]`;
    const id = c.b.id(inst, "id", where);
    const slug = c.b.str(inst, "app_slug", where);
    const selection = c.b.str(inst, "repository_selection", where);
    const perms = own(inst, "permissions");
    if (!isRecord(perms)) c.b.errors.add(`${where}.permissions`, "must be an object of permission: level");
    if (!id || !slug || !selection || !isRecord(perms)) return;
    const permissions = Object.fromEntries(Object.entries(perms).filter(([, v]) => typeof v === "string"));
    const attrs: Record<string, unknown> = { system: "github", type: "github_app_installation", appSlug: slug, repositorySelection: selection, permissions };
    const appId = idText(own(inst, "app_id"));
    if (appId) attrs.appId = appId;
    const events = own(inst, "events");
    if (Array.isArray(events)) attrs.events = events.filter((e) => typeof e === "string");
    for (const [k, attr] of [
      ["created_at", "createdAt"],
      ["updated_at", "updatedAt"],
      ["suspended_at", "suspendedAt"],
    ] as const) {
      const d = dateText(own(inst, k));
      if (d) attrs[attr] = d;
    }
    if (attrs.suspendedAt) attrs.accountEnabled = false;
    const sa = c.b.node("service_account", `installation:${id}`, `${slug} (GitHub App)`, attrs);
    // The installation's permissions are one grant over the repositories it covers (App permissions are not repository roles).
    const ent = c.b.node("entitlement", `installation:${id}`, `${slug} app permissions`, {
      system: "github",
      appSlug: slug,
      permissions,
      repositorySelection: selection,
    });
    c.b.edge("has_entitlement", sa, ent);
    c.b.edge("grants", ent, c.orgNode, { permissions: orgLevel(permissions) });
    if (selection === "all") for (const repo of allRepos(c)) c.b.edge("grants", ent, repo);
    else
      c.b.warnings.add(
        "inst-selected",
        (n) =>
          `${plural(n, "GitHub App installation")} cover selected repositories (first: ${where}); which ones only the App itself can read, so they are shown granting the organization only`,
      );
  });
}

/** The organization-level part of App/token permissions (`organization_*` and `members`), for the grant on the org. */
function orgLevel(perms: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(perms).filter(([k]) => k.startsWith("organization_") || k === "members"));
}

function readPats(c: Ctx): void {
  const list = c.b.items(`orgs/${c.org}/personal-access-tokens`, "orgs/{org}/personal-access-tokens");
  if (!list)
    return c.b.missing(
      "orgs/{org}/personal-access-tokens",
      "fine-grained personal access tokens are not known (needs a GitHub App with Personal access tokens read; tokens cannot read it)",
    );
  list.forEach((g, i) => {
    const where = `orgs/{org}/personal-access-tokens [${i}]`;
    const id = c.b.id(g, "id", where);
    const selection = c.b.str(g, "repository_selection", where);
    const ownerRaw = own(g, "owner");
    if (!isRecord(ownerRaw)) c.b.errors.add(`${where}.owner`, "must be the token owner (a user object)");
    if (!id || !selection || !isRecord(ownerRaw)) return;
    const ownerId = idText(own(ownerRaw, "id"));
    const owner = (ownerId && c.humans.get(ownerId)) || human(c, ownerRaw, `${where}.owner`);
    if (!owner) return;
    const tokenName = text(own(g, "token_name"));
    const attrs: Record<string, unknown> = { system: "github", type: "github_fine_grained_pat", repositorySelection: selection, ownerLogin: owner.attrs.login };
    if (tokenName) attrs.tokenName = tokenName;
    const tokenId = idText(own(g, "token_id"));
    if (tokenId) attrs.tokenId = tokenId;
    const perms = own(g, "permissions");
    if (isRecord(perms)) attrs.permissions = perms;
    const expires = dateText(own(g, "token_expires_at"));
    if (expires) attrs.expiresAt = expires;
    const used = dateText(own(g, "token_last_used_at"));
    if (used) attrs.lastUsedAt = used;
    const granted = dateText(own(g, "access_granted_at"));
    if (granted) attrs.accessGrantedAt = granted;
    if (own(g, "token_expired") === true) {
      attrs.tokenExpired = true;
      attrs.status = "inactive";
    }
    const cred = c.b.node("credential", `pat:${id}`, `${tokenName ?? `token ${tokenId ?? id}`} (${String(owner.attrs.login)})`, attrs);
    c.b.edge("uses_credential", owner, cred);
    c.b.edge("credential_for", cred, c.orgNode);
    if (selection === "all") for (const repo of allRepos(c)) c.b.edge("credential_for", cred, repo);
    else if (selection === "subset") {
      const repos = c.b.items(`orgs/${c.org}/personal-access-tokens/${id}/repositories`, "orgs/{org}/personal-access-tokens/{pat_id}/repositories");
      if (!repos) c.b.missing("orgs/{org}/personal-access-tokens/{pat_id}/repositories", "some tokens' repositories are not known");
      repos?.forEach((r, j) => {
        const repo = knownRepo(c, r, `orgs/{org}/personal-access-tokens/{pat_id}/repositories [${j}]`, "a token's repositories");
        if (repo) c.b.edge("credential_for", cred, repo);
      });
    }
  });
}

function secretNode(c: Ctx, s: Record<string, unknown>, where: string, scope: string, externalId: string, location: string): Node | undefined {
  const name = c.b.str(s, "name", where);
  if (!name) return undefined;
  const attrs: Record<string, unknown> = {
    system: "github",
    type: "actions_secret",
    storage: "vault",
    location: `${location} / ${name}`,
    scope,
    secretName: name,
  };
  const created = dateText(own(s, "created_at"));
  if (created) attrs.issuedAt = created;
  // A secret's value can only be replaced, never read: its last update is its last rotation.
  const updated = dateText(own(s, "updated_at"));
  if (updated) attrs.lastRotatedAt = updated;
  const vis = text(own(s, "visibility"));
  if (vis) attrs.visibility = vis;
  return c.b.node("credential", `${externalId}:${name}`, `${name} (${location})`, attrs);
}

function readSecrets(c: Ctx): void {
  const list = c.b.items(`orgs/${c.org}/actions/secrets`, "orgs/{org}/actions/secrets", "secrets");
  if (!list) c.b.missing("orgs/{org}/actions/secrets", "organization Actions secrets are not known");
  list?.forEach((s, i) => {
    const where = `orgs/{org}/actions/secrets [${i}]`;
    const cred = secretNode(c, s, where, "organization", `secret:org`, `GitHub Actions secrets of ${c.org}`);
    if (!cred) return;
    const vis = cred.attrs.visibility;
    if (vis === "all") for (const repo of allRepos(c)) c.b.edge("credential_for", cred, repo);
    else if (vis === "private") for (const repo of allRepos(c, (r) => r.attrs.visibility !== "public")) c.b.edge("credential_for", cred, repo);
    else if (vis === "selected") {
      const repos = c.b.items(
        `orgs/${c.org}/actions/secrets/${String(cred.attrs.secretName)}/repositories`,
        "orgs/{org}/actions/secrets/{name}/repositories",
        "repositories",
      );
      if (!repos) c.b.missing("orgs/{org}/actions/secrets/{name}/repositories", "the repositories of some selected-visibility secrets are not known");
      repos?.forEach((r, j) => {
        const repo = knownRepo(c, r, `orgs/{org}/actions/secrets/{name}/repositories [${j}]`, "a secret's repositories");
        if (repo) c.b.edge("credential_for", cred, repo);
      });
    } else c.b.errors.add(`${where}.visibility`, "must be all, private or selected");
  });
  let missing = 0;
  for (const repo of c.repos.values()) {
    const rl = c.b.items(`repos/${repo.name}/actions/secrets`, "repos/{owner}/{repo}/actions/secrets", "secrets");
    if (!rl) {
      missing++;
      continue;
    }
    rl.forEach((s, i) => {
      const cred = secretNode(
        c,
        s,
        `repos/{owner}/{repo}/actions/secrets [${i}]`,
        "repository",
        `secret:repo:${repo.externalId}`,
        `GitHub Actions secrets of ${repo.name}`,
      );
      if (cred) c.b.edge("credential_for", cred, repo);
    });
  }
  if (missing && c.repos.size)
    c.b.warnings.add(
      "secrets-missing",
      () => `repos/{owner}/{repo}/actions/secrets is not in the answers for ${plural(missing, "repository", "repositories")}: their secrets are not known`,
    );
}

/** The organization a bundle's answers are about: the setting, else the one org its keys name. */
export function bundleOrg(bundle: AnswerBundle, configured: string): { org?: string; problem?: string } {
  if (configured) return { org: configured };
  const orgs = new Set<string>();
  for (const k of bundle.keys()) {
    const m = /^orgs\/([^/]+)\/members$/.exec(k);
    if (m) orgs.add(m[1]!);
  }
  if (orgs.size === 1) return { org: [...orgs][0] };
  if (orgs.size === 0) return { problem: "no orgs/{org}/members answer: the organization's members are required" };
  return { problem: `the answers hold ${orgs.size} organizations; import one organization at a time` };
}

export function convertGithub(bundle: AnswerBundle, opts: ConvertOptions<GithubSettings>): ConversionResult {
  const errors = new ErrorList();
  if (typeof opts.source !== "string" || !SOURCE_NAME_RE.test(opts.source))
    errors.add("source", "source must be 1-100 letters, digits, dot, dash or underscore");
  const { org, problem } = bundleOrg(bundle, opts.settings.org);
  if (!org) errors.add("calls", problem!);
  if (errors.count || !org) return { ok: false, errors: errors.items };
  const b = new Builder(bundle, org);
  const orgNode = b.node("resource", `org:${org.toLowerCase()}`, org, { system: "github", type: "organization", login: org });
  const c: Ctx = { b, settings: opts.settings, org, orgNode, repos: new Map(), reposByName: new Map(), humans: new Map(), roleEntitlements: new Map() };
  const { basePermission } = readOrg(c);
  readRepos(c);
  // Owners administer the organization and every repository in it; members reach the organization and, through
  // its base permission, every repository at that role.
  const owner = b.node("entitlement", `org:${org.toLowerCase()}:owner`, `${org}: organization owner`, { system: "github", role: "owner" });
  const member = b.node("entitlement", `org:${org.toLowerCase()}:member`, `${org}: organization member`, { system: "github", role: "member" });
  b.edge("grants", owner, orgNode, { role: "owner" });
  b.edge("grants", member, orgNode, { role: "member" });
  for (const repo of c.repos.values()) b.edge("grants", owner, repo, { role: "admin" });
  const baseRole = basePermission ? BASE_PERMISSION_ROLE[basePermission] : undefined;
  if (baseRole) {
    member.attrs.basePermission = baseRole;
    for (const repo of c.repos.values()) b.edge("grants", member, repo, { role: baseRole, basePermission: true });
  }
  readMembers(c, owner, member);
  readOutside(c);
  readTeams(c);
  if (opts.settings.readCollaborators) readCollaborators(c);
  readInstallations(c);
  readPats(c);
  if (opts.settings.readSecrets) readSecrets(c);
  if (b.errors.count) return { ok: false, errors: b.errors.items };
  const toNode = (n: Node): GraphNodeRecord => ({ kind: n.kind, externalId: n.externalId, name: n.name, attributes: n.attrs });
  const ref = (n: Node) => ({ kind: n.kind, externalId: n.externalId });
  const toEdge = (e: Edge): GraphEdgeRecord => ({ kind: e.kind, from: ref(e.from), to: ref(e.to), ...(e.attrs ? { attributes: e.attrs } : {}) });
  const document: GraphDocument = { source: opts.source, mode: opts.mode, nodes: [...b.nodes.values()].map(toNode), edges: [...b.edges.values()].map(toEdge) };
  const invalid = checkDocument(document);
  if (invalid.length) return { ok: false, errors: invalid.slice(0, 100) };
  return { ok: true, document, warnings: b.warnings.list(), skipped: { nodes: 0, edges: b.skipped }, merged: b.merged };
}
