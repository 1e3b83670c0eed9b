import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { whoCanReachFor, whoCanReachQuerySchema } from "@/lib/graph/access-api";
import type { GraphDocument } from "@/lib/ingest/graph-document";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { refreshIdentityLinks } from "../linking";
import { entraDriver } from "./driver";
import { FIXTURE } from "./testing/fake-entra";

/*
 * The Entra tenant of the fixtures, converted as a live run would, next to an AWS account holding the IAM roles
 * its AWS enterprise application names: identity linking turns the app roles' awsRoleArns into `assumes` edges,
 * so who-can-reach an IAM role answers with the Entra people (and the agent) behind it, through nested groups.
 */
let t: TestDatabase;
let analyst: Actor;
const ADMIN_ROLE = "arn:aws:iam::123456789012:role/Admin";
const READONLY_ROLE = "arn:aws:iam::123456789012:role/ReadOnly";

const aws: GraphDocument = {
  source: "aws-prod",
  mode: "full",
  nodes: [
    { kind: "service_account", externalId: ADMIN_ROLE, name: "Admin" },
    { kind: "service_account", externalId: READONLY_ROLE, name: "ReadOnly" },
  ],
  edges: [],
};

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  const admin = await actorByEmail(t, "admin@example.com");
  analyst = await actorByEmail(t, "ana@example.com");
  const read = entraDriver.readOffline(new Uint8Array(readFileSync(FIXTURE)), 64 * 1024 * 1024);
  if (!read.ok) throw new Error("fixture unreadable");
  const converted = entraDriver.convert(read.bundle, { source: "entra-contoso", mode: "full", settings: entraDriver.defaultSettings });
  if (!converted.ok) throw new Error("fixture does not convert");
  for (const [doc, format] of [
    [converted.document, "entra-graph"],
    [aws, "aws-iam"],
  ] as const) {
    const r = await runImport(t.db, admin, decodeConverted(doc), { format });
    expect(r.status, JSON.stringify(r.errors)).toBe("succeeded");
  }
  const links = await refreshIdentityLinks(t.db);
  expect(links.plan.roleLinks).toBe(2);
});
afterAll(() => t?.cleanup());

const who = async (target: string) => {
  clearAccessCache();
  const r = await whoCanReachFor(t.db, analyst, whoCanReachQuerySchema.parse({ target, limit: "100" }));
  return r.items.map((i: { name: string; kind: string; source: string }) => `${i.kind}:${i.name}`).sort();
};

describe("Entra app role assignments reach AWS roles", () => {
  it("who can reach the Admin role: AWS Admins' members, nested Platform Engineers' too (the agent among them)", async () => {
    expect(await who(`aws-prod:service_account:${ADMIN_ROLE}`)).toEqual(["agent:My Agent Identity", "human:MOD Administrator", "human:Megan Bowen"]);
  });

  it("who can reach the ReadOnly role: the guest assigned to it directly", async () => {
    expect(await who(`aws-prod:service_account:${READONLY_ROLE}`)).toEqual(["human:John Smith"]);
  });
});
