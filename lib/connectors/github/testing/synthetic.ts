import { AnswerBundle } from "../../bundle";

/**
 * A GitHub organization's REST answers in GitHub's shapes, generated from a list of people: for size tests and
 * the connectors benchmark (scripts/bench/connector-bundles.ts can wrap it). Deterministic. Each person is a
 * member (the first in 200 an owner) with their e-mail as public profile e-mail and a login from its local part;
 * each is in `teamsPerPerson` teams; each team holds 4 repositories; every tenth team is nested in another.
 */
export interface SyntheticGithubOptions {
  org?: string;
  teams?: number;
  repos?: number;
  teamsPerPerson?: number;
  /** Items per page (GitHub's largest is 100). */
  pageSize?: number;
}

export function syntheticGithubBundle(people: { email: string; name: string }[], opts: SyntheticGithubOptions = {}): AnswerBundle {
  const org = opts.org ?? "bench-org";
  const teams = Math.max(1, opts.teams ?? Math.ceil(people.length / 20));
  const repoCount = Math.max(4, opts.repos ?? Math.ceil(people.length / 10));
  const perPerson = Math.min(teams, opts.teamsPerPerson ?? 3);
  const pageSize = opts.pageSize ?? 100;
  const b = new AnswerBundle();
  const paged = (key: string, items: unknown[]) => {
    if (items.length === 0) return b.add(key, []);
    for (let i = 0; i < items.length; i += pageSize) b.add(key, items.slice(i, i + pageSize));
  };
  const users = people.map((p, i) => ({
    login: `${p.email.split("@")[0]!.replace(/[^A-Za-z0-9-]/g, "-")}-${i}`,
    id: 1_000_000 + i,
    type: "User",
    site_admin: false,
    email: p.email,
    name: p.name,
  }));
  const owner = { login: org, id: 1, type: "Organization", site_admin: false };
  const repos = Array.from({ length: repoCount }, (_, i) => ({
    id: 50_000_000 + i,
    name: `repo-${i}`,
    full_name: `${org}/repo-${i}`,
    owner,
    private: i % 3 !== 0,
    visibility: i % 3 === 0 ? "public" : i % 3 === 1 ? "private" : "internal",
    archived: false,
    fork: false,
  }));
  const teamList = Array.from({ length: teams }, (_, i) => ({
    id: 7_000_000 + i,
    slug: `team-${i}`,
    name: `Team ${i}`,
    privacy: "closed",
    parent: i % 10 && i >= 10 ? { id: 7_000_000 + (i - (i % 10)), slug: `team-${i - (i % 10)}` } : null,
  }));
  b.add(`orgs/${org}`, { login: org, id: 1, default_repository_permission: "read", two_factor_requirement_enabled: true });
  paged(`orgs/${org}/members`, users);
  paged(
    `orgs/${org}/members/role=admin`,
    users.filter((_, i) => i % 200 === 0),
  );
  paged(`orgs/${org}/outside_collaborators`, []);
  paged(`orgs/${org}/repos`, repos);
  paged(`orgs/${org}/teams`, teamList);
  const members: (typeof users)[] = teamList.map(() => []);
  users.forEach((u, i) => {
    for (let k = 0; k < perPerson; k++) members[(i * 7 + k * 13) % teams]!.push(u);
  });
  teamList.forEach((t, i) => {
    paged(`orgs/${org}/teams/${t.slug}/members`, members[i]!);
    paged(`orgs/${org}/teams/${t.slug}/members/role=maintainer`, members[i]!.slice(0, 1));
    const roles = ["read", "triage", "write", "maintain"];
    paged(
      `orgs/${org}/teams/${t.slug}/repos`,
      Array.from({ length: 4 }, (_, k) => ({ ...repos[(i * 4 + k) % repoCount]!, role_name: roles[k] })),
    );
  });
  for (const r of repos) {
    paged(`repos/${r.full_name}/collaborators`, []);
    b.add(`repos/${r.full_name}/actions/secrets`, {
      total_count: 1,
      secrets: [{ name: "DEPLOY_KEY_NAME", created_at: "2024-01-01T00:00:00Z", updated_at: "2025-01-01T00:00:00Z" }],
    });
  }
  b.add(`orgs/${org}/installations`, {
    total_count: 1,
    installations: [{ id: 1, app_id: 1, app_slug: "ci-app", repository_selection: "all", permissions: { contents: "write", metadata: "read" } }],
  });
  const pats = users
    .filter((_, i) => i % 50 === 0)
    .map((u, i) => ({
      id: 90_000 + i,
      owner: u,
      repository_selection: "subset",
      permissions: { repository: { metadata: "read", contents: "read" } },
      token_id: 80_000 + i,
      token_name: `token ${i}`,
      token_expired: false,
      token_expires_at: "2026-12-31T00:00:00Z",
      token_last_used_at: null,
      access_granted_at: "2025-01-01T00:00:00Z",
    }));
  paged(`orgs/${org}/personal-access-tokens`, pats);
  pats.forEach((p, i) => paged(`orgs/${org}/personal-access-tokens/${p.id}/repositories`, [repos[i % repoCount], repos[(i + 1) % repoCount]]));
  b.add(`orgs/${org}/actions/secrets`, {
    total_count: 1,
    secrets: [{ name: "ORG_DEPLOY", created_at: "2024-01-01T00:00:00Z", updated_at: "2025-01-01T00:00:00Z", visibility: "private" }],
  });
  return b;
}
