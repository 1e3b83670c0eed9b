import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutboundFetch } from "@/lib/net/outbound";
import { AnswerBundle } from "../bundle";
import { ConnectorError } from "../errors";
import { politeFetch } from "../http";
import type { CollectContext } from "../types";
import { collectEntra, nextPath, testEntra, type EntraCredential, type EntraSettings } from "./collect";
import { convertEntra } from "./convert";
import { entraDriver } from "./driver";
import { FAKE_CLIENT_ID, FAKE_SECRET, FAKE_TENANT, fixtureData, startFakeEntra, type FakeEntra } from "./testing/fake-entra";

// The SDK against the fake through the app's outbound client and politeFetch, without a database (the
// database-backed runs are connector.db.test.ts).
let fake: FakeEntra;
beforeAll(async () => {
  fake = await startFakeEntra();
});
afterAll(() => fake.close());

function ctx(secret = FAKE_SECRET): { c: CollectContext<EntraSettings, EntraCredential>; polite: ReturnType<typeof politeFetch>; progress: string[] } {
  const outbound = createOutboundFetch({ policy: { allowHosts: ["127.0.0.1"], allowPrivateRanges: ["127.0.0.1"] } });
  const polite = politeFetch(outbound, { maxRetries: 2, baseDelayMs: 10 });
  const progress: string[] = [];
  const settings = entraDriver.settingsSchema.parse({ tenantId: FAKE_TENANT, clientId: FAKE_CLIENT_ID, graphBaseUrl: `${fake.url}/`, authorityHost: fake.url });
  return {
    c: {
      settings,
      credential: { clientSecret: secret },
      fetch: polite.fetch,
      bundle: new AnswerBundle(),
      signal: new AbortController().signal,
      progress: (m) => progress.push(m),
    },
    polite,
    progress,
  };
}

describe("Entra collection through the Graph SDK", () => {
  it("pages through every call with the SDK and records each page under its canonical key", async () => {
    fake.state.data = fixtureData();
    const { c, progress } = ctx();
    await collectEntra(c);
    const users = c.bundle.pages("users")!;
    // Six users, two a page: Graph's own paging (absolute @odata.nextLink with $skiptoken) followed by the SDK.
    expect(users).toHaveLength(3);
    expect(users.flatMap((p) => (p as { value: unknown[] }).value)).toHaveLength(6);
    expect(c.bundle.keys()).toEqual(expect.arrayContaining(["groups", "servicePrincipals/microsoft.graph.agentIdentity", "oauth2PermissionGrants"]));
    expect(fake.state.tokensIssued).toBeGreaterThan(0);
    expect(progress[0]).toBe("signing in");
    expect(progress).toContain("reading users: 2");
    const converted = convertEntra(c.bundle, { source: "entra", mode: "full" });
    expect(converted.ok).toBe(true);
  });

  it("refuses a wrong secret as auth_failed, quoting nothing Entra said", async () => {
    const { c } = ctx("wrong-secret");
    const err = await collectEntra(c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).failure).toBe("auth_failed");
    expect((err as Error).message).not.toMatch(/AADSTS|wrong-secret|84841066/);
  });

  it("names a domain-form tenant nowhere when the secret is refused", async () => {
    const polite = politeFetch(createOutboundFetch({ policy: { allowHosts: ["127.0.0.1"], allowPrivateRanges: ["127.0.0.1"] } }), { maxRetries: 0 });
    const settings = entraDriver.settingsSchema.parse({
      tenantId: "contoso.onmicrosoft.com",
      clientId: FAKE_CLIENT_ID,
      graphBaseUrl: `${fake.url}/`,
      authorityHost: fake.url,
    });
    const c = {
      settings,
      credential: { clientSecret: FAKE_SECRET },
      fetch: polite.fetch,
      bundle: new AnswerBundle(),
      signal: new AbortController().signal,
      progress: () => {},
    };
    const err = (await collectEntra(c).catch((e: unknown) => e)) as ConnectorError;
    expect(err.failure).toBe("auth_failed");
    expect(err.message).toContain("POST {tenant}/oauth2/v2.0/token");
    expect(err.message).not.toContain("contoso");
  });

  it("test connection answers in words", async () => {
    const { c } = ctx();
    expect(await testEntra(c)).toMatch(/users can be read/);
  });

  it("follows a nextLink only on the configured Graph origin", () => {
    expect(nextPath("https://graph.microsoft.com/v1.0/users?$skiptoken=X1", "https://graph.microsoft.com", "GET users")).toEqual({
      version: "v1.0",
      path: "/users?$skiptoken=X1",
    });
    const elsewhere = (() => {
      try {
        return nextPath("https://attacker.example/v1.0/users?$skiptoken=X1", "https://graph.microsoft.com", "GET users");
      } catch (e) {
        return e;
      }
    })();
    expect(elsewhere).toBeInstanceOf(ConnectorError);
    expect((elsewhere as ConnectorError).failure).toBe("malformed");
    expect((elsewhere as Error).message).not.toContain("attacker");
  });
});
