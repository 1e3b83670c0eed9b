import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutboundFetch } from "@/lib/net/outbound";
import { AnswerBundle } from "../bundle";
import { ConnectorError } from "../errors";
import { politeFetch } from "../http";
import type { CollectContext } from "../types";
import { CALL, collectIam, testIam } from "./collect";
import { convertIam } from "./convert";
import { awsIamDriver } from "./driver";
import { readIamOffline } from "./offline";
import { settingsSchema, type AwsIamCredential, type AwsIamSettings } from "./settings";
import { FIXTURES, loadAccount, startFakeIam, TEST_KEYS, type FakeIam } from "./testing/fake-aws-iam";

/**
 * The SDK against the local IAM, through the app's outbound client and the
 * polite retry policy (no database: the run engine is tested in connector.db.test.ts).
 */
let fake: FakeIam;
beforeAll(async () => {
  fake = await startFakeIam();
});
afterAll(() => fake.close());

function ctx(opts: { settings?: Partial<AwsIamSettings>; credential?: AwsIamCredential; maxRetries?: number } = {}) {
  const settings = settingsSchema.parse({ endpoint: fake.url, pageSize: 5, ...opts.settings });
  const outbound = createOutboundFetch({ policy: { allowHosts: awsIamDriver.hosts(settings), allowPrivateRanges: ["127.0.0.1"] } });
  const polite = politeFetch(outbound, { maxRetries: opts.maxRetries ?? 2, baseDelayMs: 1 });
  const progress: string[] = [];
  const c: CollectContext<AwsIamSettings, AwsIamCredential> = {
    settings,
    credential: opts.credential ?? TEST_KEYS,
    fetch: polite.fetch,
    bundle: new AnswerBundle(),
    signal: AbortSignal.timeout(20_000),
    progress: (m) => progress.push(m),
  };
  return { c, polite, progress };
}

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConnectorError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

describe("aws-iam collect against the local IAM", () => {
  it("pages by Marker with every filter, records the CLI's shape, and converts like the offline file", async () => {
    fake.calls.length = 0;
    const { c, polite, progress } = ctx();
    await collectIam(c);
    const account = loadAccount();
    const entities = account.UserDetailList.length + account.GroupDetailList.length + account.RoleDetailList.length + account.Policies.length;
    const pages = c.bundle.pages(CALL)!;
    expect(pages).toHaveLength(Math.ceil(entities / 5));
    expect(fake.calls).toHaveLength(pages.length);
    expect(fake.calls[0]!.getAll("Filter.member.1").concat(fake.calls[0]!.getAll("Filter.member.5"))).toEqual(["User", "AWSManagedPolicy"]);
    expect(fake.calls[0]!.get("MaxItems")).toBe("5");
    expect(fake.calls[0]!.has("Marker")).toBe(false);
    expect(fake.calls[1]!.get("Marker")).toBeTruthy();
    expect(polite.stats()).toEqual({ calls: pages.length, retries: 0 });
    expect(progress.at(-1)).toMatch(new RegExp(`${entities} \\(page ${pages.length}\\)`));
    // Dates as ISO strings, documents decoded from IAM's URL-encoding into objects, no $metadata.
    const first = pages[0] as Record<string, unknown[]>;
    expect(first).not.toHaveProperty("$metadata");
    expect(first.UserDetailList![0]).toMatchObject({ UserName: "Alice", CreateDate: "2013-10-14T18:32:24.000Z" });
    const bob = (first.UserDetailList as Record<string, unknown>[]).find((u) => u.UserName === "Bob") as { UserPolicyList: { PolicyDocument: unknown }[] };
    expect(bob.UserPolicyList[0]!.PolicyDocument).toMatchObject({ Statement: { Effect: "Deny" } });

    const live = convertIam(c.bundle, { source: "aws-x", mode: "full", settings: c.settings });
    const read = readIamOffline(new TextEncoder().encode(JSON.stringify(account)), 1e7);
    if (!read.ok || !live.ok) throw new Error("conversion failed");
    const off = convertIam(read.bundle, { source: "aws-x", mode: "full", settings: c.settings });
    if (!off.ok) throw new Error("conversion failed");
    const ids = (d: typeof live.document) => ({
      nodes: d.nodes.map((n) => `${n.kind}:${n.externalId}`).sort(),
      edges: d.edges.map((e) => `${e.kind}:${e.from.externalId}>${e.to.externalId}`).sort(),
    });
    expect(ids(live.document)).toEqual(ids(off.document));
  });

  it("the IAM API reference's sample answer, verbatim, is read by the SDK and converts", async () => {
    fake.answerWith(200, readFileSync(path.join(FIXTURES, "api-reference-example.xml"), "utf8"));
    try {
      const { c } = ctx();
      await collectIam(c);
      const r = convertIam(c.bundle, { source: "aws-x", mode: "full", settings: c.settings });
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      const by = r.document.nodes.reduce<Record<string, number>>((m, n) => ((m[n.kind] = (m[n.kind] ?? 0) + 1), m), {});
      // Alice, Bob, Charlie, Danielle, Elaine and EC2role; Admins, Dev, Finance; 5 inline policies; * is the one resource.
      expect(by).toEqual({ service_account: 6, group: 3, entitlement: 5, resource: 1 });
      expect(r.document.edges.filter((e) => e.kind === "member_of")).toHaveLength(6);
    } finally {
      fake.answerWith(200, null);
    }
  });

  it("test connection: one call with MaxItems=1, answered in words", async () => {
    fake.calls.length = 0;
    const { c } = ctx();
    expect(await testIam(c)).toBe("iam:GetAccountAuthorizationDetails allowed in account 123456789012");
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]!.get("MaxItems")).toBe("1");
    const other = ctx({ settings: { accountId: "999999999999" } });
    expect((await failure(testIam(other.c))).failure).toBe("auth_failed");
    expect((await failure(collectIam(other.c))).failure).toBe("auth_failed");
  });

  it("429 + Retry-After and AWS's 400 Throttling are retried by politeFetch, then given up as throttled", async () => {
    fake.throttle(1, "429", "0");
    const a = ctx();
    await collectIam(a.c);
    expect(a.polite.stats().retries).toBe(1);
    fake.throttle(5, "429", "0");
    const b = ctx({ maxRetries: 2 });
    const e = await failure(collectIam(b.c));
    expect([e.failure, e.httpStatus]).toEqual(["throttled", 429]);
    // AWS's own way (HTTP 400, <Code>Throttling</Code>) is retried too, and given up the same way.
    fake.throttle(1, "aws");
    const c = ctx();
    await collectIam(c.c);
    expect(c.polite.stats().retries).toBe(1);
    fake.throttle(5, "aws");
    const f = await failure(collectIam(ctx({ maxRetries: 2 }).c));
    // Given up by politeFetch, which names the call by its HTTP shape (AWS's query API posts to the root).
    expect([f.failure, f.httpStatus, f.call]).toEqual(["throttled", 400, "POST /"]);
    fake.throttle(0);
  });

  it("a wrong key, a wrong secret and an expired token are auth_failed; messages name no value", async () => {
    const wrongKey = await failure(collectIam(ctx({ credential: { accessKeyId: "AKIAI44QH8DHBEXAMPLE", secretAccessKey: TEST_KEYS.secretAccessKey } }).c));
    expect([wrongKey.failure, wrongKey.httpStatus]).toEqual(["auth_failed", 403]);
    const wrongSecret = await failure(
      collectIam(ctx({ credential: { accessKeyId: TEST_KEYS.accessKeyId, secretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY" } }).c),
    );
    expect(wrongSecret.failure).toBe("auth_failed");
    const expiring = await startFakeIam();
    try {
      expiring.expire();
      const settings = { endpoint: expiring.url };
      const c = ctx({ settings, credential: { ...TEST_KEYS, sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN" } }).c;
      c.fetch = politeFetch(createOutboundFetch({ policy: { allowHosts: awsIamDriver.hosts(c.settings), allowPrivateRanges: ["127.0.0.1"] } })).fetch;
      const expired = await failure(collectIam(c));
      expect([expired.failure, expired.httpStatus]).toEqual(["auth_failed", 403]);
      for (const e of [wrongKey, wrongSecret, expired]) {
        expect(e.message).not.toMatch(/AKIA|EXAMPLE|security token|signature/i);
      }
    } finally {
      await expiring.close();
    }
  });

  it("an endpoint nobody answers on fails as unreachable", async () => {
    const closed = await startFakeIam();
    const url = closed.url;
    await closed.close();
    const e = await failure(collectIam(ctx({ settings: { endpoint: url } }).c));
    expect(e.failure).toBe("unreachable");
  });

  it("an answer that is not IAM's XML fails as malformed", async () => {
    for (const body of ["this is not xml", "<Foo><Bar>1</Bar></Foo>"]) {
      fake.answerWith(200, body);
      const e = await failure(collectIam(ctx().c));
      expect(e.failure).toBe("malformed");
    }
    fake.answerWith(200, null);
  });
});
