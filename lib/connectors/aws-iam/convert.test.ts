import { readFileSync } from "node:fs";
import path from "node:path";
import { zipSync, strToU8 } from "fflate";
import { describe, expect, it } from "vitest";
import type { ConversionResult } from "@/lib/ingest/convert-util";
import { AnswerBundle } from "../bundle";
import { CALL, toCliShape } from "./collect";
import { classifyUser, convertIam } from "./convert";
import { awsIamDriver } from "./driver";
import { readIamOffline } from "./offline";
import { syntheticIamBundle } from "./testing/synthetic";
import { globMatch, readPolicy } from "./policy";
import { defaultSettings, settingsSchema, type AwsIamSettings } from "./settings";

const FIXTURES = path.resolve(import.meta.dirname, "fixtures");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const json = (name: string) => JSON.parse(fixture(name).toString("utf8")) as Record<string, unknown>;

function offline(bytes: Uint8Array, settings: AwsIamSettings = defaultSettings, mode: "full" | "incremental" = "full"): ConversionResult {
  const read = readIamOffline(bytes, 50 * 1024 * 1024);
  if (!read.ok) throw new Error(`read failed: ${JSON.stringify(read.errors)}`);
  return convertIam(read.bundle, { source: "aws-test", mode, settings });
}

function ok(r: ConversionResult) {
  if (!r.ok) throw new Error(`conversion failed: ${JSON.stringify(r.errors.slice(0, 5))}`);
  return r;
}

function counts(r: ConversionResult) {
  const d = ok(r).document;
  const by = (items: { kind: string }[]) => items.reduce<Record<string, number>>((m, i) => ((m[i.kind] = (m[i.kind] ?? 0) + 1), m), {});
  return { nodes: by(d.nodes), edges: by(d.edges) };
}

const nodeOf = (r: ConversionResult, externalId: string) => ok(r).document.nodes.find((n) => n.externalId === externalId);
const edgesOf = (r: ConversionResult, kind: string) => ok(r).document.edges.filter((e) => e.kind === kind);
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe("aws-iam: the AWS CLI's documented example (aws-cli examples/iam/get-account-authorization-details.rst)", () => {
  const r = offline(fixture("aws-cli-example.json"));

  it("converts with counts by kind", () => {
    // 3 users (no rule says person: service accounts) and 1 role; 3 groups; entitlements: the 3 managed policies in
    // Policies, 4 attached AWS managed policies the example leaves out of Policies, 2 inline; resources: *, the bucket, its objects.
    expect(counts(r)).toEqual({
      nodes: { group: 3, entitlement: 9, resource: 3, service_account: 4 },
      edges: { has_entitlement: 6, grants: 5, member_of: 3 },
    });
    expect(ok(r).warnings.join("\n")).toMatch(/object where a list is documented/);
    expect(ok(r).warnings.join("\n")).toMatch(/no entry in Policies/);
  });

  it("users are service accounts by default; the role keeps its trust and instance profile", () => {
    expect(nodeOf(r, "arn:aws:iam::123456789012:user/Alice")).toMatchObject({
      kind: "service_account",
      name: "Alice",
      attributes: { classifiedBy: "defaultUserKind" },
    });
    expect(nodeOf(r, "arn:aws:iam::123456789012:role/EC2role")?.attributes).toMatchObject({
      trustedServices: ["ec2.amazonaws.com"],
      instanceProfiles: ["arn:aws:iam::123456789012:instance-profile/EC2role"],
      trustSummary: "services: ec2.amazonaws.com",
    });
  });

  it("a Deny-only inline policy grants nothing and shows the Deny", () => {
    const bob = nodeOf(r, "arn:aws:iam::123456789012:user/Bob#inline/DenyBillingAndIAMPolicy");
    expect(bob?.attributes).toMatchObject({ managedBy: "inline", deny: [{ actions: ["aws-portal:*", "iam:*"], resources: ["*"] }] });
    expect(edgesOf(r, "grants").filter((e) => e.from.externalId === bob?.externalId)).toEqual([]);
  });

  it("resources keep ARNs and wildcards as written; * is 'all resources'", () => {
    expect(nodeOf(r, "*")).toMatchObject({ kind: "resource", name: "all resources" });
    expect(nodeOf(r, "arn:aws:s3:::amzn-s3-demo-bucket/*")?.attributes).toMatchObject({ pattern: true, service: "s3", partition: "aws" });
    const s3 = edgesOf(r, "grants").find((e) => e.to.externalId === "arn:aws:s3:::amzn-s3-demo-bucket");
    expect(s3?.attributes).toEqual({ actions: ["s3:Get*", "s3:List*"] });
  });
});

describe("aws-iam: the IAM API reference's sample answer, read by the SDK", () => {
  it("the XML's URL-encoded or plain documents become the CLI's objects", () => {
    const doc = toCliShape({ PolicyDocument: encodeURIComponent('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}') });
    expect(doc).toEqual({ PolicyDocument: { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "*", Resource: "*" } } });
    expect(toCliShape({ Document: "not json", CreateDate: new Date("2014-07-30T17:09:20Z") })).toEqual({
      Document: "not json",
      CreateDate: "2014-07-30T17:09:20.000Z",
    });
  });
});

describe("aws-iam: cloudsplaining's test exports (boto3 dates, AWS managed policies)", () => {
  it("example_authz_v2 converts", () => {
    const r = offline(fixture("cloudsplaining-authz-v2.json"));
    expect(counts(r)).toEqual({
      nodes: { group: 1, entitlement: 5, resource: 2, service_account: 3 },
      edges: { has_entitlement: 3, grants: 5, member_of: 1 },
    });
    expect(nodeOf(r, "arn:aws:iam::012345678901:user/BlakeBortles")?.attributes).toMatchObject({ createDate: "2019-12-18T19:10:08.000Z" });
  });

  it("example-authz-details converts; conditions and NotAction are shown on the edges", () => {
    const r = offline(fixture("cloudsplaining-example-authz-details.json"));
    const c = counts(r);
    expect(c.nodes.service_account).toBe(6);
    expect(c.nodes.group).toBe(2);
    expect(c.edges.member_of).toBe(3);
    expect(edgesOf(r, "grants").some((e) => Array.isArray(e.attributes?.conditions))).toBe(true);
  });
});

describe("aws-iam: the fake's account (people, trust, conditions, Deny)", () => {
  const account = json("fake-account.json");
  const r = offline(bytes(account));

  it("counts by kind", () => {
    expect(counts(r)).toEqual({
      // 4 users + 5 roles as service accounts, 2 people; 12 policies (the unused AWS managed one left out); 7 resources.
      nodes: { service_account: 9, human: 2, group: 3, entitlement: 12, resource: 7 },
      edges: { member_of: 6, has_entitlement: 12, grants: 14, assumes: 2 },
    });
    expect(ok(r).warnings.join("\n")).toMatch(/left out 1 AWS managed policy that nothing in the account uses/);
  });

  it("a user named by an e-mail address or with an e-mail tag is a person with that (lower-case) e-mail", () => {
    expect(nodeOf(r, "arn:aws:iam::123456789012:user/people/ada@example.com")).toMatchObject({
      kind: "human",
      attributes: { email: "ada@example.com", classifiedBy: "name is an e-mail address" },
    });
    expect(nodeOf(r, "arn:aws:iam::123456789012:user/carol")).toMatchObject({
      kind: "human",
      attributes: { email: "carol@example.com", classifiedBy: "e-mail tag" },
    });
    expect(nodeOf(r, "arn:aws:iam::123456789012:user/service/deploy-bot")?.attributes?.email).toBeUndefined();
  });

  it("trust: users and roles of the account assume; other accounts, services and IdPs are attributes", () => {
    const assumes = edgesOf(r, "assumes").map((e) => `${e.from.externalId} -> ${e.to.externalId}`);
    expect(assumes.sort()).toEqual([
      "arn:aws:iam::123456789012:role/EC2role -> arn:aws:iam::123456789012:role/DeployRole",
      "arn:aws:iam::123456789012:user/service/deploy-bot -> arn:aws:iam::123456789012:role/DeployRole",
    ]);
    expect(nodeOf(r, "arn:aws:iam::123456789012:role/CrossAccountAudit")?.attributes).toMatchObject({
      trustedAccounts: ["111122223333"],
      trustConditions: [{ principals: { aws: ["arn:aws:iam::111122223333:root"] }, condition: { StringEquals: { "sts:ExternalId": "(value not kept)" } } }],
    });
    expect(nodeOf(r, "arn:aws:iam::123456789012:role/sso/SamlAdmins")?.attributes).toMatchObject({
      federatedBy: ["arn:aws:iam::123456789012:saml-provider/ExampleIdP"],
      lastUsed: "2024-12-01T10:00:00.000Z",
    });
    expect(nodeOf(r, "arn:aws:iam::123456789012:role/GitHubActionsDeploy")?.attributes?.federatedBy).toEqual([
      "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    ]);
  });

  it("grants carry actions, conditions and the Deny statements that may cut them", () => {
    const inline = "arn:aws:iam::123456789012:user/service/deploy-bot#inline/deploy-artifacts";
    const put = edgesOf(r, "grants").find((e) => e.from.externalId === inline && e.to.externalId === "arn:aws:s3:::example-artifacts/*");
    expect(put?.attributes).toMatchObject({
      actions: ["s3:GetObject", "s3:ListBucket", "s3:PutObject"],
      conditions: [{ actions: ["s3:PutObject"], condition: { StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } } }],
      deny: [{ actions: ["s3:DeleteObject", "s3:DeleteBucket"], resources: ["arn:aws:s3:::example-artifacts*"] }],
    });
    const power = edgesOf(r, "grants").find((e) => e.from.externalId === "arn:aws:iam::aws:policy/PowerUserAccess" && e.to.externalId === "*");
    expect(power?.attributes).toMatchObject({ notActions: ["iam:*", "organizations:*", "account:*"] });
    expect(nodeOf(r, "arn:aws:iam::aws:policy/AdministratorAccess")?.attributes).toMatchObject({ fullAccess: true, managedBy: "aws" });
  });

  it("the permissions boundary is an attribute, not a grant", () => {
    expect(nodeOf(r, "arn:aws:iam::123456789012:user/service/deploy-bot")?.attributes?.permissionsBoundaryArn).toBe(
      "arn:aws:iam::123456789012:policy/create-update-delete-set-managed-policies",
    );
  });

  it("is deterministic", () => {
    expect(JSON.stringify(offline(bytes(account)))).toBe(JSON.stringify(r));
  });

  it("rules: name patterns and the kind tag decide before the e-mail rule", () => {
    const settings = settingsSchema.parse({ userRules: { serviceNamePatterns: ["*@example.com"], humanNamePatterns: ["Ali*"] } });
    const s = offline(bytes(account), settings);
    expect(nodeOf(s, "arn:aws:iam::123456789012:user/people/ada@example.com")).toMatchObject({
      kind: "service_account",
      attributes: { classifiedBy: "serviceNamePatterns" },
    });
    expect(nodeOf(s, "arn:aws:iam::123456789012:user/people/ada@example.com")?.attributes?.email).toBeUndefined();
    expect(nodeOf(s, "arn:aws:iam::123456789012:user/Alice")).toMatchObject({ kind: "human", attributes: { classifiedBy: "humanNamePatterns" } });
    const rules = defaultSettings.userRules;
    expect(classifyUser("x", "/", new Map([["attest:kind", "human"]]), {}, rules)).toEqual({ kind: "human", rule: "tag attest:kind" });
    expect(classifyUser("x", "/", new Map(), { PasswordLastUsed: "2024-01-01T00:00:00Z" }, rules)).toEqual({ kind: "human", rule: "console password" });
    expect(classifyUser("x", "/people/", new Map(), {}, { ...rules, humanPathPrefixes: ["/People/"] }).kind).toBe("human");
  });
});

describe("aws-iam: offline layouts read the same graph", () => {
  const account = json("fake-account.json");
  const base = JSON.stringify(offline(bytes(account)));
  const page1 = { ...account, RoleDetailList: [], Policies: [], IsTruncated: true, Marker: "m" };
  const page2 = { UserDetailList: [], GroupDetailList: [], RoleDetailList: account.RoleDetailList, Policies: account.Policies, IsTruncated: false };

  it("CLI object, list of pages, bundle JSON, zip by call, zip of CLI files", () => {
    expect(JSON.stringify(offline(bytes([page1, page2])))).toBe(base);
    expect(JSON.stringify(offline(bytes({ format: "aws-iam", calls: { GetAccountAuthorizationDetails: [page1, page2] } })))).toBe(base);
    const zip = zipSync({
      "GetAccountAuthorizationDetails.json": strToU8(JSON.stringify(page1)),
      "GetAccountAuthorizationDetails~2.json": strToU8(JSON.stringify(page2)),
    });
    expect(JSON.stringify(offline(zip))).toBe(base);
    const cliZip = zipSync({ "export/part-1.json": strToU8(JSON.stringify(page1)), "export/part-2.json": strToU8(JSON.stringify(page2)) });
    expect(JSON.stringify(offline(cliZip))).toBe(base);
  });

  it("policy documents as text (URL-encoded or JSON) read like objects", () => {
    const asText = JSON.parse(JSON.stringify(account), (k, v) =>
      k === "PolicyDocument" ? encodeURIComponent(JSON.stringify(v)) : k === "Document" || k === "AssumeRolePolicyDocument" ? JSON.stringify(v) : v,
    );
    expect(JSON.stringify(offline(bytes(asText)))).toBe(base);
  });

  it("refuses what is not an export, naming no value", () => {
    const r = readIamOffline(bytes({ hello: "secret-value-xyz" }), 1024 * 1024);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain("secret-value-xyz");
    expect(readIamOffline(new TextEncoder().encode("{not json"), 1024).ok).toBe(false);
  });
});

describe("aws-iam: malformed answers give located errors naming no values", () => {
  const convert = (pages: unknown[]) => {
    const b = new AnswerBundle();
    for (const p of pages) b.add(CALL, p);
    return convertIam(b, { source: "aws-test", mode: "full", settings: defaultSettings });
  };

  it("a list that is not a list, a user without Arn, a bad ARN, a group name that is not a string", () => {
    const r = convert([
      { UserDetailList: [{ UserName: "no-arn-user-x" }], IsTruncated: true },
      {
        UserDetailList: [{ UserName: "u2", Arn: "not-an-arn-value", GroupList: [42] }],
        GroupDetailList: "secret-looking-text-abc",
        IsTruncated: false,
      },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual([
      "GetAccountAuthorizationDetails[page 1].UserDetailList[0].Arn",
      "GetAccountAuthorizationDetails[page 2].UserDetailList[0].Arn",
      "GetAccountAuthorizationDetails[page 2].UserDetailList[0].GroupList[0]",
      "GetAccountAuthorizationDetails[page 2].GroupDetailList",
    ]);
    const text = JSON.stringify(r.errors);
    for (const v of ["no-arn-user-x", "not-an-arn-value", "secret-looking-text-abc", "u2"]) expect(text).not.toContain(v);
  });

  it("no answer at all, or a page that is not an answer", () => {
    expect(convertIam(new AnswerBundle(), { source: "aws-test", mode: "full", settings: defaultSettings }).ok).toBe(false);
    const r = convert([{ Foo: 1 }]);
    expect(r.ok === false && r.errors[0]?.path).toBe("GetAccountAuthorizationDetails[page 1]");
  });

  it("an unreadable policy document is a warning, not an error", () => {
    const r = convert([
      {
        RoleDetailList: [
          { RoleName: "r", Arn: "arn:aws:iam::123456789012:role/r", AssumeRolePolicyDocument: "%%%", RolePolicyList: [{ PolicyName: "p", PolicyDocument: 7 }] },
        ],
        IsTruncated: false,
      },
    ]);
    expect(ok(r).warnings.join("\n")).toMatch(/could not be read/);
  });
});

describe("aws-iam: policy helpers", () => {
  it("glob matching is linear and IAM-like", () => {
    expect(globMatch("arn:aws:s3:::example-*", "arn:aws:s3:::example-artifacts/x")).toBe(true);
    expect(globMatch("a?c", "abc")).toBe(true);
    expect(globMatch("a?c", "abbc")).toBe(false);
    expect(globMatch("*a*a*a*a*a*a*a*a*b", "a".repeat(5000))).toBe(false);
  });

  it("statements read leniently", () => {
    const r = readPolicy('{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}');
    expect(r).toEqual({ ok: true, statements: [{ effect: "Allow", actions: ["s3:*"], resources: ["*"], notPrincipal: false }] });
  });
});

describe("aws-iam: the driver", () => {
  it("names its hosts by partition, or the endpoint's host and port", () => {
    expect(awsIamDriver.hosts(defaultSettings)).toEqual(["iam.amazonaws.com"]);
    expect(awsIamDriver.hosts(settingsSchema.parse({ region: "cn-northwest-1" }))).toEqual(["iam.cn-north-1.amazonaws.com.cn"]);
    expect(awsIamDriver.hosts(settingsSchema.parse({ region: "us-gov-west-1" }))).toEqual(["iam.us-gov.amazonaws.com"]);
    expect(awsIamDriver.hosts(settingsSchema.parse({ endpoint: "http://127.0.0.1:4566" }))).toEqual(["127.0.0.1:4566"]);
  });
});

describe("aws-iam: size", () => {
  it("100k users and 1M memberships convert in bounded time (figure printed)", () => {
    const people = Array.from({ length: 50_000 }, (_, i) => ({ email: `person${i}@example.com`, name: `Person ${i}` }));
    const b = syntheticIamBundle(people, { serviceUsers: 50_000, groups: 200, perUser: 10 });
    const t0 = performance.now();
    const r = convertIam(b, { source: "aws-big", mode: "full", settings: defaultSettings });
    const ms = performance.now() - t0;
    const c = counts(r);
    expect(c.edges.member_of).toBe(1_000_000);
    expect(c.nodes).toMatchObject({ human: 50_000, service_account: 50_020, group: 200, entitlement: 50 });
    expect(c.edges.assumes).toBe(20);
    console.log(
      `[aws-iam size] 100k users (50k people), 1M memberships, 200 groups, 50 policies, ${b.pages(CALL)!.length} pages: ${Math.round(ms)} ms, heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`,
    );
  }, 120_000);
});

describe("aws-iam: settings as the admin form sends them", () => {
  it("blank fields are absent; lists, numbers and the rules' JSON may be text", () => {
    const s = settingsSchema.parse({
      region: "",
      endpoint: " ",
      accountId: "",
      pageSize: "500",
      userRules: '{"humanNamePatterns": "*@example.com\\nadmin-*", "emailMeansHuman": "false"}',
    });
    expect(s).toMatchObject({ region: "us-east-1", pageSize: 500, userRules: { humanNamePatterns: ["*@example.com", "admin-*"], emailMeansHuman: false } });
    expect(s.endpoint).toBeUndefined();
    expect(s.accountId).toBeUndefined();
    expect(settingsSchema.parse({})).toEqual(defaultSettings);
    expect(settingsSchema.safeParse({ userRules: "{not json" }).success).toBe(false);
    expect(settingsSchema.safeParse({ accountId: "12345" }).success).toBe(false);
    expect(settingsSchema.safeParse({ region: "mars-1" }).success).toBe(false);
  });
});
