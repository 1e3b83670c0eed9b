import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, sources } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { hashToken } from "@/lib/authz/tokens";
import { AppError } from "@/lib/errors";
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { createSource, listSources, rotateScimToken } from "./sources";

let t: TestDatabase;
let admin: Actor;
let analyst: Actor;
let auditor: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  admin = await actorByEmail(t, "admin@example.com");
  analyst = await actorByEmail(t, "ana@example.com");
  auditor = await actorByEmail(t, "audit@example.com");
});
afterAll(() => t.cleanup());

async function rejects(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected an AppError");
}

describe("SCIM sources", () => {
  it("an admin creates a SCIM source; the token is returned once and stored only as its SHA-256", async () => {
    const { source, scimToken } = await createSource(t.db, admin, { name: "okta-prod", type: "scim", description: "Okta provisioning" });
    expect(source).toMatchObject({ name: "okta-prod", type: "scim", scimEnabled: true, nodeCount: 0, lastImportAt: null });
    expect(scimToken).toMatch(/^att_[A-Za-z0-9_-]{43}$/);
    const [row] = await t.db.select().from(sources).where(eq(sources.id, source.id));
    expect(row!.scimTokenHash).toBe(hashToken(scimToken));
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, source.id));
    expect(audit.map((a) => a.action)).toEqual(["source.create"]);
    expect(JSON.stringify(audit)).not.toContain(scimToken);
    expect(JSON.stringify(audit)).not.toContain(row!.scimTokenHash!);
  });

  it("only admins may create or rotate (source.manage); validation is strict", async () => {
    expect((await rejects(createSource(t.db, analyst, { name: "x", type: "scim" }))).code).toBe("forbidden");
    expect((await rejects(createSource(t.db, auditor, { name: "x", type: "scim" }))).code).toBe("forbidden");
    const bad = await rejects(createSource(t.db, admin, { name: "bad name!", type: "csv", extra: 1 }));
    expect(bad.details.map((d) => d.path).sort()).toEqual(["extra", "name", "type"]);
    expect((await rejects(createSource(t.db, admin, { name: "okta-prod", type: "scim" }))).code).toBe("conflict");
  });

  it("rotating issues a new token, replaces the hash and audits without either value", async () => {
    const { source, scimToken: first } = await createSource(t.db, admin, { name: "entra", type: "scim" });
    const { scimToken: second } = await rotateScimToken(t.db, admin, source.id);
    expect(second).not.toBe(first);
    const [row] = await t.db.select().from(sources).where(eq(sources.id, source.id));
    expect(row!.scimTokenHash).toBe(hashToken(second));
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, source.id));
    expect(audit.map((a) => a.action)).toEqual(["source.create", "source.scim_token.rotate"]);
    expect(JSON.stringify(audit)).not.toContain(second);
    expect((await rejects(rotateScimToken(t.db, analyst, source.id))).code).toBe("forbidden");
    expect((await rejects(rotateScimToken(t.db, admin, "src_nope"))).code).toBe("not_found");
    const okta = (await listSources(t.db, admin)).items.find((s) => s.name === "okta")!;
    expect((await rejects(rotateScimToken(t.db, admin, okta.id))).code).toBe("conflict");
  });

  it("lists every source with current node counts by kind, for graph readers only", async () => {
    const { items } = await listSources(t.db, auditor);
    const okta = items.find((s) => s.name === "okta")!;
    expect(okta).toMatchObject({ type: "directory", scimEnabled: false, nodeCount: 5, nodeCounts: { human: 3, group: 1, entitlement: 1 } });
    expect(items.map((s) => s.name)).toEqual([...items.map((s) => s.name)].sort());
    expect(JSON.stringify(items)).not.toMatch(/scimTokenHash|att_/);
    const reviewer = await actorByEmail(t, "ada@example.com");
    expect((await rejects(listSources(t.db, reviewer))).code).toBe("forbidden");
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });
});
