import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "@/db/rows";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { pathsFor, pathsQuerySchema, whoCanReachFor, whoCanReachQuerySchema } from "@/lib/graph/access-api";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport, type ImportFormat } from "@/lib/ingest/run-import";
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import type { AnswerBundle } from "./bundle";
import { DRIVERS } from "./drivers";
import { refreshIdentityLinks } from "./linking";
import type { AnyDriver } from "./types";

/*
 * Issue 17's "who-can-reach crosses systems", with the three real converters on the vendors' published examples
 * (each connector's fixtures), joined the way a customer's systems are: one person — the Entra tenant's MOD
 * Administrator — also has a GitHub account (hubot, a member of the platform team) with the same verified address,
 * and the AWS account holds the IAM role that the tenant's AWS enterprise application names. After the identity
 * linking job, who-can-reach answers across all three.
 */
let t: TestDatabase;
let analyst: Actor;
const SHARED = "mod.admin@contoso.example";
const ADMIN_ROLE = "arn:aws:iam::123456789012:role/Admin";
const fixture = (kind: string, file: string) => new Uint8Array(readFileSync(path.resolve(import.meta.dirname, kind, "fixtures", file)));

function read(driver: AnyDriver, bytes: Uint8Array): AnswerBundle {
  const r = driver.readOffline(bytes, 64 * 1024 * 1024);
  if (!r.ok) throw new Error(`${driver.kind} fixture unreadable: ${JSON.stringify(r.errors.slice(0, 2))}`);
  return r.bundle;
}
const objects = (pages: unknown[] | undefined): Record<string, unknown>[] =>
  (pages ?? []).flatMap((p) => (Array.isArray(p) ? p : Array.isArray((p as { value?: unknown[] }).value) ? (p as { value: unknown[] }).value : [])) as Record<
    string,
    unknown
  >[];

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  const admin = await actorByEmail(t, "admin@example.com");
  analyst = await actorByEmail(t, "ana@example.com");

  const entra = DRIVERS.entra!;
  const entraBundle = read(entra, fixture("entra", "contoso-tenant.json"));
  const mod = objects(entraBundle.pages("users")).find((u) => u.displayName === "MOD Administrator")!;
  mod.mail = SHARED;

  const github = DRIVERS.github!;
  const githubBundle = read(github, fixture("github", "octo-org.json"));
  const hubot = objects(githubBundle.pages("orgs/octo-org/members")).find((m) => m.login === "hubot")!;
  hubot.email = SHARED;

  // The AWS account of the fixtures, with the role the tenant's AWS application names (a copy of its DeployRole).
  const awsJson = JSON.parse(new TextDecoder().decode(fixture("aws-iam", "fake-account.json"))) as { RoleDetailList: Record<string, unknown>[] };
  const deploy = awsJson.RoleDetailList.find((r) => String(r.Arn).endsWith(":role/DeployRole"))!;
  awsJson.RoleDetailList.push({ ...deploy, RoleName: "Admin", RoleId: "AROAADMINROLE0000001", Arn: ADMIN_ROLE });
  const aws = DRIVERS["aws-iam"]!;
  const awsBundle = read(aws, new TextEncoder().encode(JSON.stringify(awsJson)));

  const loads: [AnyDriver, AnswerBundle, string, Record<string, unknown>][] = [
    [entra, entraBundle, "entra-contoso", {}],
    // GitHub does not verify a member's public address for the organisation: this customer chose to trust it.
    [github, githubBundle, "github-octo", { org: "octo-org", trustPublicEmail: true }],
    [aws, awsBundle, "aws-prod", {}],
  ];
  for (const [driver, bundle, source, settings] of loads) {
    const converted = driver.convert(bundle, { source, mode: "full", settings: { ...driver.defaultSettings, ...settings } });
    if (!converted.ok) throw new Error(`${driver.kind} does not convert: ${JSON.stringify(converted.errors.slice(0, 2))}`);
    const r = await runImport(t.db, admin, decodeConverted(converted.document), { format: driver.format as ImportFormat });
    expect(r.status, JSON.stringify(r.errors.slice(0, 3))).toBe("succeeded");
  }
  const links = await refreshIdentityLinks(t.db);
  expect(links.import?.status).toBe("succeeded");
});
afterAll(() => t?.cleanup());

const who = async (target: string) => {
  clearAccessCache();
  return (await whoCanReachFor(t.db, analyst, whoCanReachQuerySchema.parse({ target, limit: "200" }))).items;
};
const idOf = async (source: string, kind: string, where: string) =>
  (
    await rows<{ id: string }>(
      t.db,
      sql`select n.id from nodes n join sources s on s.id = n.source_id where s.name = ${source} and n.kind = ${kind} and n.valid_to is null and (n.external_id = ${where} or n.name = ${where}) limit 1`,
    )
  )[0]?.id;

describe("who-can-reach across Entra ID, GitHub and AWS", () => {
  it("joins the Entra person and the GitHub account by their verified address", async () => {
    const mod = await idOf("entra-contoso", "human", "MOD Administrator");
    const links = await rows<{ rule: string; to: string }>(
      t.db,
      sql`select e.attributes->>'rule' as rule, t.name as to from edges e join nodes t on t.id = e.to_id where e.kind = 'same_as' and e.valid_to is null and e.from_id = ${mod}`,
    );
    expect(links).toEqual([{ rule: "email", to: "hubot" }]);
  });

  it("the Entra person reaches a GitHub repository through their GitHub account's team", async () => {
    const repo = await idOf("github-octo", "resource", "octo-org/api");
    expect(repo).toBeTruthy();
    const items = await who(repo!);
    const mod = items.find((i) => i.source === "entra-contoso" && i.name === "MOD Administrator");
    // The shortest way is the organisation's base permission; the team's is among the ways the paths API lists.
    expect(mod?.path.edges[0]).toBe("same_as");
    const paths = await pathsFor(t.db, analyst, pathsQuerySchema.parse({ from: mod!.id, to: repo!, k: "10" }));
    const throughTeam = paths.items.find((p) => p.edges.includes("member_of"));
    expect(throughTeam?.edges.slice(0, 2)).toEqual(["same_as", "member_of"]);
    expect(throughTeam?.nodes.map((n) => paths.nodes[n]?.name)).toEqual(["MOD Administrator", "hubot", "Platform", "octo-org/api: write", "octo-org/api"]);
    // A GitHub App installation reaches the repositories it was installed on.
    expect(items.some((i) => i.source === "github-octo" && i.kind === "service_account")).toBe(true);
  });

  it("the same person reaches the AWS role through their Entra app-role assignment, and what the role's policies grant", async () => {
    const role = await idOf("aws-prod", "service_account", ADMIN_ROLE);
    const items = await who(role!);
    const mod = items.find((i) => i.source === "entra-contoso" && i.name === "MOD Administrator");
    expect(mod?.path.edges.at(-1)).toBe("assumes");
    // Whatever the role's policies allow, the Entra person reaches too.
    const reached = await rows<{ id: string }>(
      t.db,
      sql`select g.to_id as id from edges h join edges g on g.from_id = h.to_id and g.kind = 'grants' and g.valid_to is null
          where h.from_id = ${role} and h.kind = 'has_entitlement' and h.valid_to is null limit 1`,
    );
    expect(reached.length).toBe(1);
    expect((await who(reached[0]!.id)).some((i) => i.source === "entra-contoso" && i.name === "MOD Administrator")).toBe(true);
  });
});
