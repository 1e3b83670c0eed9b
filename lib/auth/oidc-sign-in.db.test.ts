import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appUsers, auditEvents, nodes } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { updateAppUser } from "@/lib/admin/app-users";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { actorForUser } from "@/lib/authz/load-user";
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { parseRoleMap } from "./oidc-config";
import { findUserIdByOidcIdentity, OIDC_GRANTOR, signInWithOidc } from "./oidc-sign-in";

const ISSUER = "https://idp.example.com";
const noMap = { issuer: ISSUER, rolesClaim: "groups", roleMap: null };
const withMap = { ...noMap, roleMap: parseRoleMap("attest-admins=admin,attest-analysts=analyst,attest-audit=auditor") };
const claims = (sub: string, extra: Record<string, unknown> = {}) => ({ iss: ISSUER, sub, email_verified: true, ...extra });

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
});
afterAll(() => t.cleanup());

const eventsFor = (userId: string) => t.db.select().from(auditEvents).where(eq(auditEvents.targetId, userId)).orderBy(auditEvents.seq);
const userRow = async (id: string) => (await t.db.select().from(appUsers).where(eq(appUsers.id, id)))[0]!;

describe("OIDC sign-in", () => {
  it("an unknown person's first sign-in creates an app user with no role, audited as the system", async () => {
    const r = await signInWithOidc(t.db, noMap, claims("sub-new-1", { email: "New.Person@Example.com", name: "New Person", groups: ["attest-admins"] }));
    expect(r).toMatchObject({ ok: true, created: true, linked: false, roles: [] });
    if (!r.ok) return;
    const row = await userRow(r.userId);
    expect(row).toMatchObject({
      email: "new.person@example.com",
      name: "New Person",
      status: "active",
      passwordHash: null,
      oidcIssuer: ISSUER,
      oidcSubject: "sub-new-1",
    });
    expect(row.lastSignInAt).not.toBeNull();
    // Signed in, but with no role: every permission check refuses (pages show the "no role yet" page).
    expect((await actorForUser(t.db, r.userId))!.roles).toEqual([]);
    const events = await eventsFor(r.userId);
    expect(events.map((e) => [e.action, e.actorType, e.actorId])).toEqual([["user.create", "system", "system:oidc"]]);
    expect(events[0]!.after).toMatchObject({ email: "new.person@example.com", roles: [], oidc: { issuer: ISSUER, subject: "sub-new-1" } });
  });

  it("a first sign-in that loses a race on the unique index (two tabs) tries once more and finds the winner's user", async () => {
    const c = claims("sub-race", { email: "race@example.com", name: "Race Twice" });
    const winner = await signInWithOidc(t.db, noMap, c);
    if (!winner.ok) throw new Error("the first sign-in failed");
    // The loser's first transaction meets the unique index as PostgreSQL reports it through drizzle; any other error is not retried.
    const racing = (code: string) => {
      let calls = 0;
      const db = new Proxy(t.db, {
        get(target, prop, receiver) {
          if (prop !== "transaction") return Reflect.get(target, prop, receiver);
          return (fn: Parameters<typeof t.db.transaction>[0]) => {
            calls++;
            if (calls === 1) return Promise.reject(Object.assign(new Error("Failed query: insert into app_users"), { cause: { code } }));
            return target.transaction(fn);
          };
        },
      });
      return { db, calls: () => calls };
    };
    const lost = racing("23505");
    await expect(signInWithOidc(lost.db, noMap, c)).resolves.toMatchObject({ ok: true, userId: winner.userId, created: false });
    expect(lost.calls()).toBe(2);
    const other = racing("40001");
    await expect(signInWithOidc(other.db, noMap, c)).rejects.toThrow("Failed query");
    expect(other.calls()).toBe(1);
    expect(await t.db.select().from(appUsers).where(eq(appUsers.oidcSubject, "sub-race"))).toHaveLength(1);
  });

  it("a newcomer whose verified email is a person's in the graph is linked to that person (never by an unverified email)", async () => {
    // smallGraph's "50% Done_Person" (pct@example.com) has no app user.
    const r = await signInWithOidc(t.db, noMap, claims("sub-pct", { email: "PCT@example.com" }));
    if (!r.ok) throw new Error("expected a sign-in");
    const [person] = await t.db.select().from(nodes).where(eq(nodes.name, "50% Done_Person"));
    expect((await userRow(r.userId)).humanNodeId).toBe(person!.id);
    const unverified = await signInWithOidc(t.db, noMap, claims("sub-grace", { email: "grace@example.com", email_verified: false }));
    if (!unverified.ok) throw new Error("expected a sign-in");
    expect((await userRow(unverified.userId)).humanNodeId).toBeNull();
  });

  it("the next sign-in finds the same user by issuer and sub, even after the email changed at the IdP", async () => {
    const first = await signInWithOidc(t.db, noMap, claims("sub-stable", { email: "stable@example.com" }));
    const again = await signInWithOidc(t.db, noMap, claims("sub-stable", { email: "renamed@example.com" }));
    expect(first.ok && again.ok && again.userId === first.userId && !again.created).toBe(true);
    expect(await findUserIdByOidcIdentity(t.db, ISSUER, "sub-stable")).toBe(first.ok ? first.userId : "?");
    // The same sub from another issuer is another person.
    const other = await signInWithOidc(t.db, noMap, { ...claims("sub-stable", { email: "other-issuer@example.com" }), iss: "https://other.example.com" });
    expect(other.ok && first.ok && other.userId !== first.userId).toBe(true);
  });

  it("links an existing app user by a verified email the first time, keeping their roles", async () => {
    const ana = await actorByEmail(t, "ana@example.com");
    const r = await signInWithOidc(t.db, noMap, claims("sub-ana", { email: "ANA@example.com" }));
    expect(r).toEqual({ ok: true, userId: ana.id, created: false, linked: true, roles: ["analyst"] });
    expect(await userRow(ana.id)).toMatchObject({ oidcIssuer: ISSUER, oidcSubject: "sub-ana" });
    const events = await eventsFor(ana.id);
    expect(events.map((e) => e.action)).toEqual(["user.link_oidc"]);
    expect(events[0]!.after).toEqual({ oidc: { issuer: ISSUER, subject: "sub-ana" }, matchedBy: "verified email" });
  });

  it("does not link by an email the IdP does not vouch for, nor a user already bound to another identity", async () => {
    expect(await signInWithOidc(t.db, noMap, claims("sub-mallory", { email: "audit@example.com", email_verified: false }))).toEqual({
      ok: false,
      reason: "cannot_link",
    });
    expect(await signInWithOidc(t.db, noMap, { iss: ISSUER, sub: "sub-mallory", email: "audit@example.com" })).toEqual({ ok: false, reason: "cannot_link" });
    expect(await signInWithOidc(t.db, noMap, claims("sub-ana-2", { email: "ana@example.com" }))).toEqual({ ok: false, reason: "cannot_link" });
    const audit = await actorByEmail(t, "audit@example.com");
    expect((await userRow(audit.id)).oidcSubject).toBeNull();
    expect(await findUserIdByOidcIdentity(t.db, ISSUER, "sub-mallory")).toBeNull();
  });

  it("never links a service user (an address under .invalid, as a gateway's) even when the IdP vouches for the email", async () => {
    await t.db.insert(appUsers).values({ id: "usr_gatewayoidctest0000000000", email: "gateway-x@gateways.attest.invalid", name: "Gateway: x" });
    expect(await signInWithOidc(t.db, noMap, claims("sub-gw", { email: "gateway-x@gateways.attest.invalid" }))).toEqual({ ok: false, reason: "cannot_link" });
    expect((await userRow("usr_gatewayoidctest0000000000")).oidcSubject).toBeNull();
  });

  it("refuses a disabled user, linked or found by email, and a token without sub or (for a newcomer) email", async () => {
    const admin = await actorByEmail(t, "admin@example.com");
    const first = await signInWithOidc(t.db, noMap, claims("sub-to-disable", { email: "to-disable@example.com" }));
    if (!first.ok) throw new Error("expected a sign-in");
    await updateAppUser(t.db, admin, first.userId, { status: "disabled" });
    expect(await signInWithOidc(t.db, noMap, claims("sub-to-disable", { email: "to-disable@example.com" }))).toEqual({ ok: false, reason: "disabled" });

    const ada = await actorByEmail(t, "ada@example.com");
    await updateAppUser(t.db, admin, ada.id, { status: "disabled" });
    expect(await signInWithOidc(t.db, noMap, claims("sub-ada", { email: "ada@example.com" }))).toEqual({ ok: false, reason: "disabled" });
    expect((await userRow(ada.id)).oidcSubject).toBeNull();
    await updateAppUser(t.db, admin, ada.id, { status: "active" });

    expect(await signInWithOidc(t.db, noMap, { iss: ISSUER, email: "x@example.com" })).toEqual({ ok: false, reason: "invalid" });
    expect(await signInWithOidc(t.db, noMap, { iss: ISSUER, sub: "sub-no-email" })).toEqual({ ok: false, reason: "no_email" });
  });
});

describe("OIDC role mapping", () => {
  it("grants the mapped roles at first sign-in, ignoring unknown groups, and audits the grant", async () => {
    const r = await signInWithOidc(t.db, withMap, claims("sub-olivia", { email: "olivia@example.com", groups: ["attest-analysts", "Everyone"] }));
    expect(r).toMatchObject({ ok: true, created: true, roles: ["analyst"] });
    if (!r.ok) return;
    expect((await actorForUser(t.db, r.userId))!.roles).toEqual(["analyst"]);
    const events = await eventsFor(r.userId);
    expect(events.map((e) => e.action)).toEqual(["user.create", "user.update"]);
    expect(events[1]).toMatchObject({ actorId: "system:oidc", before: { status: "active", roles: [] }, after: { status: "active", roles: ["analyst"] } });
  });

  it("a sign-in follows the IdP's groups for the roles the map granted, and never touches roles an admin granted", async () => {
    const admin = await actorByEmail(t, "admin@example.com");
    const sub = "sub-mapped";
    const signIn = (groups: string[]) => signInWithOidc(t.db, withMap, claims(sub, { email: "mapped@example.com", groups }));
    const r = await signIn(["attest-analysts", "attest-audit"]);
    if (!r.ok) throw new Error("expected a sign-in");
    // An admin grants reviewer and keeps analyst: analyst stays the map's, reviewer is the admin's.
    await updateAppUser(t.db, admin, r.userId, { roles: ["analyst", "auditor", "reviewer"] });
    expect(await signIn(["attest-analysts"])).toMatchObject({ ok: true, roles: ["analyst", "reviewer"] });
    expect(await signIn([])).toMatchObject({ ok: true, roles: ["reviewer"] });
    // Nothing changed: no event.
    const before = (await eventsFor(r.userId)).length;
    expect(await signIn([])).toMatchObject({ ok: true, roles: ["reviewer"] });
    expect(await eventsFor(r.userId)).toHaveLength(before);
    expect((await actorForUser(t.db, r.userId))!.roles).toEqual(["reviewer"]);
  });

  it("without a map, sign-in leaves roles to admins", async () => {
    const admin = await actorByEmail(t, "admin@example.com");
    const r = await signInWithOidc(t.db, noMap, claims("sub-nomap", { email: "nomap@example.com", groups: ["attest-admins"] }));
    if (!r.ok) throw new Error("expected a sign-in");
    expect(r.roles).toEqual([]);
    await updateAppUser(t.db, admin, r.userId, { roles: ["auditor"] });
    expect(await signInWithOidc(t.db, noMap, claims("sub-nomap", { email: "nomap@example.com", groups: [] }))).toMatchObject({ ok: true, roles: ["auditor"] });
    // Admin grants carry the admin as grantor, so a map configured later does not take them back.
    expect(await signInWithOidc(t.db, withMap, claims("sub-nomap", { email: "nomap@example.com", groups: [] }))).toMatchObject({
      ok: true,
      roles: ["auditor"],
    });
    expect(OIDC_GRANTOR).toBe("system:oidc");
  });

  it("the audit chain still verifies after all of it", async () => {
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });
});
