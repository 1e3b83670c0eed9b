import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, inArray } from "drizzle-orm";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { auditEvents, campaigns, reviewItems, ssfEvents } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { nodeId, userId } from "../test-helpers";
import { createTriggerRule } from "../triggers/rules";
import { runTriggers } from "../triggers/run";
import sessionRevoked from "./fixtures/session-revoked.json";
import credentialCompromise from "./fixtures/credential-compromise.json";
import accountDisabled from "./fixtures/account-disabled.json";
import { handleSetPush } from "./http";
import { receiveSet } from "./receive";
import { createTransmitter, listSsfEvents, updateTransmitter } from "./transmitters";

/**
 * The Shared Signals receiver end to end on the demo organisation: SETs with
 * the claim shapes of the CAEP and RISC specifications' examples (fixtures/),
 * signed with keys made here, from an inline key set and from one a real local
 * HTTP server publishes.
 */

let t: TestDatabase;
let samir: Actor; // admin
let chloe: Actor; // analyst
let keys: Awaited<ReturnType<typeof generateKeyPair>>;
let other: Awaited<ReturnType<typeof generateKeyPair>>;
let remoteKeys: Awaited<ReturnType<typeof generateKeyPair>>;
let jwksServer: Server;
let jwksHits = 0;

const ISSUER = "https://idp.example.com/123456789/";
const REMOTE_ISSUER = "https://idp.example.com/3456790/";
const AUDIENCE = "https://attest.northwind.example/ssf";
const KID = "caep-test-1";
const now = () => Math.floor(Date.now() / 1000);
let seq = 0;

type Claims = JWTPayload & Record<string, unknown>;

/** A SET from a spec example with our issuer, audience, a new jti and a fresh iat. */
function fromExample(example: Claims, over: Partial<Claims> = {}): Claims {
  return { ...structuredClone(example), iss: ISSUER, aud: AUDIENCE, jti: `jti-${++seq}-${Date.now()}`, iat: now(), ...over };
}

function withUser(example: Claims, sub: string): Claims {
  const c = structuredClone(example);
  const s = c.sub_id as Record<string, Record<string, unknown>>;
  if (s.format === ("complex" as unknown)) s.user!.sub = sub;
  else (c.sub_id as Record<string, unknown>).sub = sub;
  return c;
}

async function sign(claims: Claims, key = keys.privateKey, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: KID, typ: "secevent+jwt", ...header }).sign(key);
}

const counts = async () => ({
  events: (await t.db.select({ id: ssfEvents.id }).from(ssfEvents)).length,
  campaigns: (await t.db.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.origin, "trigger"))).length,
});
const refusals = async () => t.db.select().from(auditEvents).where(eq(auditEvents.action, "ssf.set_refused"));

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  samir = await actorByEmail(t, "samir@northwind.example");
  chloe = await actorByEmail(t, "chloe@northwind.example");
  keys = await generateKeyPair("ES256", { extractable: true });
  other = await generateKeyPair("ES256", { extractable: true });
  remoteKeys = await generateKeyPair("RS256", { extractable: true });
  const pub = { ...(await exportJWK(keys.publicKey)), kid: KID, alg: "ES256", use: "sig" };
  await createTransmitter(t.db, samir, { name: "Test IdP", issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [pub] } });

  // A real HTTP server publishing the second transmitter's key set; the outbound client must be allowed to reach it.
  const remotePub = { ...(await exportJWK(remoteKeys.publicKey)), kid: "risc-1", alg: "RS256", use: "sig" };
  jwksServer = createServer((req, res) => {
    jwksHits++;
    if (req.url !== "/.well-known/jwks.json") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [remotePub] }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", r));
  process.env.ATTEST_OUTBOUND_ALLOW_PRIVATE = "127.0.0.1";
  const port = (jwksServer.address() as AddressInfo).port;
  await createTransmitter(t.db, samir, {
    name: "Remote IdP",
    issuer: REMOTE_ISSUER,
    audience: AUDIENCE,
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
  });

  await createTriggerRule(t.db, chloe, {
    name: "Revoked sessions and compromised credentials",
    kind: "ssf_event",
    filter: { eventTypes: ["session-revoked", "https://schemas.openid.net/secevent/risc/event-type/credential-compromise"] },
    reviewerStrategy: "target_owner",
    fallbackReviewer: "omar@northwind.example",
    durationDays: 5,
  });
});
afterAll(async () => {
  delete process.env.ATTEST_OUTBOUND_ALLOW_PRIVATE;
  await new Promise((r) => jwksServer.close(r));
  await t.cleanup();
});

describe("accepted SETs", () => {
  it("a CAEP session-revoked SET for Mei Chen opens one micro-campaign over her access and her agents', routed to the owners; a second run opens nothing", async () => {
    const mei = await nodeId(t.db, "Mei Chen");
    const agent = await nodeId(t.db, "Mei's Cursor agent");
    const set = await sign(fromExample(withUser(sessionRevoked as Claims, "mei@northwind.example")));
    const r = await receiveSet(t.db, set);
    expect(r).toMatchObject({ status: 202, outcome: "matched" });
    const [ev] = await t.db
      .select()
      .from(ssfEvents)
      .where(eq(ssfEvents.id, (r as { eventId: string }).eventId));
    expect(ev).toMatchObject({ nodeId: mei, issuer: ISSUER, eventTypes: ["https://schemas.openid.net/secevent/caep/event-type/session-revoked"] });
    expect((await t.db.select().from(auditEvents).where(eq(auditEvents.action, "ssf.event_received"))).some((a) => a.targetId === ev!.id)).toBe(true);

    const run = await runTriggers(t.db);
    expect(run.outcomes.opened).toBe(1);
    const [c] = await t.db.select().from(campaigns).where(eq(campaigns.origin, "trigger"));
    expect(c!.status).toBe("active");
    expect(c!.triggerEvent).toMatchObject({ kind: "ssf_event", nodeId: mei, issuer: ISSUER, jti: ev!.jti });
    expect(c!.triggerEvent!.summary).toBe("Session revoked (CAEP) for Mei Chen (from Test IdP)");
    expect(c!.ownerId).toBe(await userId(t.db, "chloe@northwind.example"));
    expect(c!.dueAt.getTime() - c!.launchedAt!.getTime()).toBe(5 * 86_400_000);
    const items = await t.db.select().from(reviewItems).where(eq(reviewItems.campaignId, c!.id));
    const subjects = new Set(items.map((i) => i.subjectId));
    expect(subjects.has(mei)).toBe(true);
    expect(subjects.has(agent)).toBe(true);
    expect([...subjects].every((s) => c!.scope.subjects!.includes(s))).toBe(true);
    // Her agent's connection to the GitHub MCP server goes to that server's owner, Priya.
    const github = await nodeId(t.db, "GitHub MCP server");
    const agentToGithub = items.find((i) => i.subjectId === agent && i.targetId === github);
    expect(agentToGithub!.reviewerId).toBe(await userId(t.db, "priya@northwind.example"));

    expect((await runTriggers(t.db)).outcomes.opened).toBe(0);
    expect((await counts()).campaigns).toBe(1);
  });

  it("a RISC credential-compromise SET verified with keys fetched from the transmitter's jwks_url (a real local server) is accepted and fires", async () => {
    const before = await counts();
    const claims = fromExample(withUser(credentialCompromise as Claims, "lucas@northwind.example"), { iss: REMOTE_ISSUER });
    const set = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "risc-1", typ: "secevent+jwt" }).sign(remoteKeys.privateKey);
    const r = await receiveSet(t.db, set);
    expect(r).toMatchObject({ status: 202, outcome: "matched" });
    expect(jwksHits).toBeGreaterThan(0);
    expect((await runTriggers(t.db)).outcomes.opened).toBe(1);
    expect(await counts()).toEqual({ events: before.events + 1, campaigns: before.campaigns + 1 });
  });

  it("an event type the rule does not take (RISC account-disabled) is recorded but opens nothing; an unknown person is recorded as no_match", async () => {
    const before = await counts();
    const disabled = await receiveSet(t.db, await sign(fromExample(withUser(accountDisabled as Claims, "mei@northwind.example"))));
    expect(disabled).toMatchObject({ status: 202, outcome: "matched" });
    const nobody = await receiveSet(t.db, await sign(fromExample(withUser(sessionRevoked as Claims, "jane.smith@example.com"))));
    expect(nobody).toMatchObject({ status: 202, outcome: "no_match" });
    expect((await runTriggers(t.db)).outcomes.opened).toBe(0);
    expect(await counts()).toEqual({ events: before.events + 2, campaigns: before.campaigns });
    const listed = await listSsfEvents(t.db, samir, { limit: 10 });
    expect(listed.items[0]!.outcome).toBe("no_match");
    expect(listed.items.some((e) => e.firings.some((f) => f.outcome === "opened" && f.campaignId))).toBe(true);
  });
});

describe("refused SETs: 400 with RFC 8935 error codes, audited, nothing recorded", () => {
  const cases: [string, () => Promise<string>, string][] = [
    [
      "forged: signed with another key under the transmitter's kid",
      async () => sign(fromExample(sessionRevoked as Claims), other.privateKey),
      "authentication_failed",
    ],
    [
      "signed with a key the transmitter does not have (unknown kid)",
      async () => sign(fromExample(sessionRevoked as Claims), other.privateKey, { kid: "nope" }),
      "invalid_key",
    ],
    ["issued too long ago", async () => sign(fromExample(sessionRevoked as Claims, { iat: now() - 2 * 86_400 })), "invalid_request"],
    ["issued in the future", async () => sign(fromExample(sessionRevoked as Claims, { iat: now() + 3600 })), "invalid_request"],
    ["for another audience", async () => sign(fromExample(sessionRevoked as Claims, { aud: "https://sp.example.com/caep" })), "invalid_audience"],
    ["from an unknown issuer", async () => sign(fromExample(sessionRevoked as Claims, { iss: "https://evil.example/" })), "invalid_issuer"],
    ["without a jti", async () => sign(fromExample(sessionRevoked as Claims, { jti: undefined })), "invalid_request"],
    ["typed as a plain JWT", async () => sign(fromExample(sessionRevoked as Claims), keys.privateKey, { typ: "JWT" }), "invalid_request"],
    [
      "unsigned (alg none)",
      async () => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
        return `${enc({ alg: "none", typ: "secevent+jwt" })}.${enc(fromExample(sessionRevoked as Claims))}.x`;
      },
      "authentication_failed",
    ],
    [
      "signed with a shared secret (HS256)",
      async () => new SignJWT(fromExample(sessionRevoked as Claims)).setProtectedHeader({ alg: "HS256", typ: "secevent+jwt" }).sign(new Uint8Array(32).fill(7)),
      "invalid_key",
    ],
    ["not a JWS at all", async () => "hello", "invalid_request"],
  ];
  for (const [name, make, err] of cases) {
    it(`${name}: ${err}`, async () => {
      const before = await counts();
      const audited = (await refusals()).length;
      const set = await make();
      const r = await receiveSet(t.db, set);
      expect(r).toMatchObject({ status: 400, err });
      expect(await counts()).toEqual(before);
      const all = await refusals();
      expect(all.length).toBe(audited + 1);
      const last = all.at(-1)!;
      expect(last.after).toMatchObject({ err });
      // Nothing of the token is quoted, not even its jti or claimed issuer.
      const text = JSON.stringify(last);
      expect(text).not.toContain(set.slice(0, 20));
      expect(text).not.toContain("jti-");
      expect(text).not.toContain("evil.example");
    });
  }

  it("a replayed SET (same issuer and jti) is refused the second time, and opens nothing more", async () => {
    const set = await sign(fromExample(withUser(sessionRevoked as Claims, "lucas@northwind.example")));
    expect(await receiveSet(t.db, set)).toMatchObject({ status: 202 });
    await runTriggers(t.db);
    const before = await counts();
    const again = await receiveSet(t.db, set);
    expect(again).toMatchObject({ status: 400, err: "invalid_request" });
    expect((again as { description: string }).description).toMatch(/replay/);
    await runTriggers(t.db);
    expect(await counts()).toEqual(before);
    expect((await refusals()).at(-1)!.after).toMatchObject({ err: "invalid_request", issuer: ISSUER });
  });

  it("a disabled transmitter's SETs are refused with access_denied", async () => {
    const [tr] = (await t.db.select({ id: ssfEvents.transmitterId }).from(ssfEvents).where(eq(ssfEvents.issuer, ISSUER)).limit(1))!;
    await updateTransmitter(t.db, samir, tr!.id, { enabled: false });
    try {
      const before = await counts();
      expect(await receiveSet(t.db, await sign(fromExample(sessionRevoked as Claims)))).toMatchObject({ status: 400, err: "access_denied" });
      expect(await counts()).toEqual(before);
    } finally {
      await updateTransmitter(t.db, samir, tr!.id, { enabled: true });
    }
  });
});

describe("the push endpoint (RFC 8935)", () => {
  const post = (body: string, type = "application/secevent+jwt") =>
    handleSetPush(new Request("http://attest.test/api/v1/ssf/events", { method: "POST", headers: { "content-type": type }, body }), t.db);

  it("answers 202 with no body on acceptance, 400 { err, description } on refusal, 413 past 64 KiB", async () => {
    const ok = await post(await sign(fromExample(withUser(sessionRevoked as Claims, "omar@northwind.example"))));
    expect(ok.status).toBe(202);
    expect(await ok.text()).toBe("");
    const wrongType = await post(await sign(fromExample(sessionRevoked as Claims)), "application/json");
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toEqual({ err: "invalid_request", description: "send the SET as application/secevent+jwt (RFC 8935)" });
    const bad = await post(await sign(fromExample(sessionRevoked as Claims, { aud: "someone-else" })));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { err: string }).err).toBe("invalid_audience");
    const huge = await post("a".repeat(65 * 1024));
    expect(huge.status).toBe(413);
  });
});

describe("transmitter administration", () => {
  it("refuses a key set with private key material, naming the member, and refuses non-admins", async () => {
    const priv = { ...(await exportJWK(other.privateKey)), kid: "leaky" };
    await expect(
      createTransmitter(t.db, samir, { name: "Leaky", issuer: "https://leaky.example/", audience: AUDIENCE, jwks: { keys: [priv] } }),
    ).rejects.toMatchObject({
      code: "validation",
      details: [expect.objectContaining({ path: "jwks.keys[0].d" })],
    });
    await expect(
      createTransmitter(t.db, samir, {
        name: "Secret",
        issuer: "https://secret.example/",
        audience: AUDIENCE,
        jwks: { keys: [{ kty: "oct", k: "c2VjcmV0" }] },
      }),
    ).rejects.toMatchObject({ code: "validation" });
    const pub = { ...(await exportJWK(other.publicKey)), kid: "ok" };
    await expect(
      createTransmitter(t.db, chloe, { name: "No", issuer: "https://no.example/", audience: AUDIENCE, jwks: { keys: [pub] } }),
    ).rejects.toMatchObject({
      code: "forbidden",
    });
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(inArray(auditEvents.action, ["ssf.transmitter_create", "ssf.transmitter_disable"]));
    expect(audit.map((a) => a.action).sort()).toEqual(["ssf.transmitter_create", "ssf.transmitter_create", "ssf.transmitter_disable"]);
  });
});
