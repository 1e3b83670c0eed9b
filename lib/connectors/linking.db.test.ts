import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { rows } from "@/db/rows";
import { auditEvents, edges, sources } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { whoCanReachFor, whoCanReachQuerySchema } from "@/lib/graph/access-api";
import type { GraphDocument } from "@/lib/ingest/graph-document";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport, type ImportFormat } from "@/lib/ingest/run-import";
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { deleteLinkOverride, setLinkOverride } from "./link-overrides";
import { LINKS_SOURCE, MAX_ACCOUNTS_PER_KEY, linksOfNode, refreshIdentityLinks } from "./linking";

/*
 * Three systems as their connectors write them (source types from the formats): Entra ID (people, the AWS
 * enterprise application's app role), GitHub (the same people by verified e-mail, a team, a repository, an App
 * installation) and AWS IAM (a role, its policy, an S3 bucket). Linking must make who-can-reach cross them.
 */
let t: TestDatabase;
let admin: Actor;
let analyst: Actor;

const ROLE_ARN = "arn:aws:iam::123456789012:role/DataEngineer";
const BUCKET = "arn:aws:s3:::acme-data/*";
const person = (id: string, name: string, attributes: Record<string, unknown>) => ({ kind: "human" as const, externalId: id, name, attributes });

const entra: GraphDocument = {
  source: "entra-acme",
  mode: "full",
  nodes: [
    person("e-ada", "Ada Lovelace", { upn: "ada@acme.example", email: "ada@acme.example" }),
    person("e-bob", "Bob Stone", { upn: "bob@acme.example", email: "BOB@acme.example" }),
    person("e-cy", "Cy Twin", { upn: "cy@acme.example" }),
    { kind: "entitlement", externalId: "sp-aws/appRole/r1", name: "AWS SSO: DataEngineer", attributes: { awsRoleArns: [ROLE_ARN] } },
    { kind: "resource", externalId: "sp-aws", name: "AWS (enterprise application)" },
  ],
  edges: [
    { kind: "has_entitlement", from: { kind: "human", externalId: "e-ada" }, to: { kind: "entitlement", externalId: "sp-aws/appRole/r1" } },
    { kind: "grants", from: { kind: "entitlement", externalId: "sp-aws/appRole/r1" }, to: { kind: "resource", externalId: "sp-aws" } },
  ],
};
const github: GraphDocument = {
  source: "github-acme",
  mode: "full",
  nodes: [
    person("gh-1", "adal", { login: "adal", email: "ada@acme.example" }),
    person("gh-2", "bobstone", { login: "bobstone", email: "bob@acme.example" }),
    person("gh-3", "cy-gh", { login: "cy-gh" }),
    { kind: "group", externalId: "team-platform", name: "platform" },
    { kind: "entitlement", externalId: "acme/api:push", name: "acme/api: push" },
    { kind: "resource", externalId: "acme/api", name: "acme/api" },
    { kind: "service_account", externalId: "install-9", name: "App: renovate" },
  ],
  edges: [
    { kind: "member_of", from: { kind: "human", externalId: "gh-1" }, to: { kind: "group", externalId: "team-platform" } },
    { kind: "has_entitlement", from: { kind: "group", externalId: "team-platform" }, to: { kind: "entitlement", externalId: "acme/api:push" } },
    { kind: "has_entitlement", from: { kind: "service_account", externalId: "install-9" }, to: { kind: "entitlement", externalId: "acme/api:push" } },
    { kind: "grants", from: { kind: "entitlement", externalId: "acme/api:push" }, to: { kind: "resource", externalId: "acme/api" } },
  ],
};
const aws: GraphDocument = {
  source: "aws-prod",
  mode: "full",
  nodes: [
    { kind: "service_account", externalId: ROLE_ARN, name: "DataEngineer" },
    { kind: "entitlement", externalId: "arn:aws:iam::123456789012:policy/DataRW", name: "DataRW" },
    { kind: "resource", externalId: BUCKET, name: BUCKET },
  ],
  edges: [
    {
      kind: "has_entitlement",
      from: { kind: "service_account", externalId: ROLE_ARN },
      to: { kind: "entitlement", externalId: "arn:aws:iam::123456789012:policy/DataRW" },
    },
    { kind: "grants", from: { kind: "entitlement", externalId: "arn:aws:iam::123456789012:policy/DataRW" }, to: { kind: "resource", externalId: BUCKET } },
  ],
};

async function load(doc: GraphDocument, format: ImportFormat) {
  const r = await runImport(t.db, admin, decodeConverted(doc), { format });
  expect(r.status, JSON.stringify(r.errors)).toBe("succeeded");
}

const who = async (target: string) => {
  clearAccessCache();
  const r = await whoCanReachFor(t.db, analyst, whoCanReachQuerySchema.parse({ target, limit: "100" }));
  return r.items;
};
const linkEdges = () =>
  t.db
    .select({ id: edges.id, kind: edges.kind })
    .from(edges)
    .innerJoin(sources, eq(sources.id, edges.sourceId))
    .where(and(eq(sources.name, LINKS_SOURCE), isNull(edges.validTo)));

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  admin = await actorByEmail(t, "admin@example.com");
  analyst = await actorByEmail(t, "ana@example.com");
  await load(entra, "entra-graph");
  await load(github, "github-rest");
  await load(aws, "aws-iam");
});
afterAll(() => t.cleanup());

describe("identity linking", () => {
  it("links each person's accounts by verified e-mail or UPN, the IdP account standing for the person", async () => {
    const { plan, import: record } = await refreshIdentityLinks(t.db);
    expect(record?.status).toBe("succeeded");
    const sameAs = plan.edges.filter((e) => e.kind === "same_as");
    expect(sameAs.map((e) => `${e.from.source}:${e.from.externalId}->${e.to.source}:${e.to.externalId}:${String(e.attributes?.rule)}`).sort()).toEqual([
      "entra-acme:e-ada->github-acme:gh-1:email",
      "entra-acme:e-bob->github-acme:gh-2:email",
    ]);
    // Cy has no address on GitHub: not linked by a guess on the name.
    expect(plan.persons).toBe(2);
  });

  it("lets who-can-reach cross systems: an Entra person reaches a GitHub repository through their team", async () => {
    const items = await who("github-acme:resource:acme/api");
    const ada = items.find((i) => i.source === "entra-acme" && i.externalId === "e-ada");
    expect(ada?.path.edges).toEqual(["same_as", "member_of", "has_entitlement", "grants"]);
    // A GitHub App installation reaches the repositories it was granted.
    expect(items.some((i) => i.kind === "service_account" && i.externalId === "install-9")).toBe(true);
  });

  it("lets an Entra person reach AWS through the app-role assignment mapped to an IAM role", async () => {
    const items = await who(`aws-prod:resource:${BUCKET}`);
    const ada = items.find((i) => i.externalId === "e-ada");
    expect(ada?.path.edges).toEqual(["has_entitlement", "assumes", "has_entitlement", "grants"]);
  });

  it("writes nothing when nothing changed", async () => {
    const before = (await linkEdges()).map((e) => e.id).sort();
    const again = await refreshIdentityLinks(t.db);
    expect(again.import).toBeNull();
    expect((await linkEdges()).map((e) => e.id).sort()).toEqual(before);
  });

  it("follows an admin's word: 'never' parts two accounts, 'link' joins two no rule joined; both audited", async () => {
    const node = async (source: string, externalId: string) => {
      const [n] = await rows<{ id: string }>(
        t.db,
        sql`select n.id from nodes n join sources s on s.id = n.source_id where s.name = ${source} and n.external_id = ${externalId} and n.valid_to is null`,
      );
      return n!.id;
    };
    const bobE = await node("entra-acme", "e-bob");
    const bobG = await node("github-acme", "gh-2");
    const cyE = await node("entra-acme", "e-cy");
    const cyG = await node("github-acme", "gh-3");
    const never = await setLinkOverride(t.db, admin, { personNodeId: bobE, accountNodeId: bobG, decision: "never", reason: "shared test account" });
    await setLinkOverride(t.db, admin, { personNodeId: cyE, accountNodeId: cyG, decision: "link" });
    const { plan } = await refreshIdentityLinks(t.db);
    const pairs = plan.edges.filter((e) => e.kind === "same_as").map((e) => `${e.from.externalId}->${e.to.externalId}:${String(e.attributes?.rule)}`);
    expect(pairs.sort()).toEqual(["e-ada->gh-1:email", "e-cy->gh-3:admin"]);
    const cyLinks = await linksOfNode(t.db, cyG);
    expect(cyLinks).toEqual([expect.objectContaining({ direction: "in", otherId: cyE, rule: "admin" })]);
    // Undoing 'never' brings Bob's link back.
    await deleteLinkOverride(t.db, admin, never.id);
    const after = await refreshIdentityLinks(t.db);
    expect(after.plan.edges.some((e) => e.from.externalId === "e-bob" && e.to.externalId === "gh-2")).toBe(true);
    const actions = (await t.db.select({ action: auditEvents.action }).from(auditEvents)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["identity_link.override.set", "identity_link.override.delete"]));
  });

  it("refuses overrides on what is not a person's account, naming the field only", async () => {
    await expect(setLinkOverride(t.db, admin, { personNodeId: "nope", accountNodeId: "nope2", decision: "link" })).rejects.toThrow(
      /personNodeId is not a current node/,
    );
    await expect(setLinkOverride(t.db, analyst, { personNodeId: "a", accountNodeId: "b", decision: "link" })).rejects.toThrow(/permission/);
  });

  it("links nothing through an address shared by more accounts than a person has (a shared mailbox)", async () => {
    const many = Array.from({ length: MAX_ACCOUNTS_PER_KEY + 1 }, (_, i) => person(`svc-${i}`, `Ops ${i}`, { email: "ops@acme.example" }));
    await load({ source: "okta-acme", mode: "full", nodes: many, edges: [] }, "okta-api");
    await load({ source: "scim-x", mode: "full", nodes: [person("x1", "Ops", { email: "ops@acme.example" })], edges: [] }, "graph");
    const { plan } = await refreshIdentityLinks(t.db);
    expect(plan.crowdedKeys).toBe(1);
    expect(plan.edges.some((e) => String(e.to.externalId).startsWith("svc-") || e.to.externalId === "x1")).toBe(false);
  });

  it("ends a link when an account disappears from its system", async () => {
    await load(
      { ...github, nodes: github.nodes.filter((n) => n.externalId !== "gh-1"), edges: github.edges.filter((e) => e.from.externalId !== "gh-1") },
      "github-rest",
    );
    const { plan } = await refreshIdentityLinks(t.db);
    expect(plan.edges.some((e) => e.to.externalId === "gh-1")).toBe(false);
    const items = await who("github-acme:resource:acme/api");
    expect(items.some((i) => i.externalId === "e-ada")).toBe(false);
  });
});
