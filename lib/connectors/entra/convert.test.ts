import { readFileSync } from "node:fs";
import { zipSync, strToU8 } from "fflate";
import { describe, expect, it } from "vitest";
import { AnswerBundle } from "../bundle";
import { awsRoleArns, convertEntra } from "./convert";
import { entraDriver } from "./driver";
import { FIXTURE } from "./testing/fake-entra";
import { syntheticEntraBundle } from "./testing/synthetic";

const bytes = () => new Uint8Array(readFileSync(FIXTURE));
const MAX = 64 * 1024 * 1024;

function fixtureBundle(): AnswerBundle {
  const r = entraDriver.readOffline(bytes(), MAX);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.bundle;
}

function counts(items: { kind: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i.kind] = (out[i.kind] ?? 0) + 1;
  return out;
}

function convertOk(bundle: AnswerBundle) {
  const r = convertEntra(bundle, { source: "entra-test", mode: "full" });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

const node = (doc: { nodes: { kind: string; externalId: string }[] }, kind: string, externalId: string) =>
  doc.nodes.find((n) => n.kind === kind && n.externalId === externalId) as { name: string; attributes: Record<string, unknown> } | undefined;

describe("Entra Graph answers → graph document", () => {
  it("converts the documented examples with the counts by node and edge kind", () => {
    const r = convertOk(fixtureBundle());
    expect(counts(r.document.nodes)).toEqual({ human: 6, group: 3, service_account: 6, agent: 2, credential: 2, entitlement: 10, resource: 4 });
    expect(counts(r.document.edges)).toEqual({ member_of: 6, has_entitlement: 10, grants: 10, owns: 6, uses_credential: 2 });
    expect(r.warnings).toEqual([]);
  });

  it("keeps what identity linking reads on people: upn, email only from mail, accountEnabled, guests marked", () => {
    const { document: doc } = convertOk(fixtureBundle());
    const megan = node(doc, "human", "cdb555e3-b33e-4fd5-a427-17fadacbdfa7")!;
    expect(megan.attributes).toMatchObject({ upn: "meganb@contoso.com", email: "meganb@contoso.com", accountEnabled: true, status: "active" });
    // The administrator has no mail: no email, whatever the UPN says.
    expect(node(doc, "human", "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e")!.attributes.email).toBeUndefined();
    expect(node(doc, "human", "87d349ed-44d7-43e1-9a83-5f2406dee5bd")!.attributes).toMatchObject({ userType: "Guest", guest: true });
    expect(node(doc, "human", "0d4b6f8a-2c1e-4f3a-9b5d-7e6f8a9b0c1d")!.attributes).toMatchObject({ accountEnabled: false, status: "inactive" });
  });

  it("maps the AWS enterprise application's roles to entitlements carrying the IAM role ARNs, held through groups", () => {
    const { document: doc } = convertOk(fixtureBundle());
    const sp = "5b9cb9a8-5f2c-4b1e-9d3c-6c0f2a7e41d0";
    const admin = node(doc, "entitlement", `${sp}/appRole/7dfd756e-8c27-4472-b2b7-38c17fc5de5e`)!;
    expect(admin.name).toBe("AWS Single-Account Access: Admin,EntraID");
    expect(admin.attributes.awsRoleArns).toEqual(["arn:aws:iam::123456789012:role/Admin"]);
    const holders = doc.edges.filter((e) => e.kind === "has_entitlement" && e.to.externalId === `${sp}/appRole/7dfd756e-8c27-4472-b2b7-38c17fc5de5e`);
    expect(holders.map((e) => e.from)).toEqual([{ kind: "group", externalId: "45b7d2e7-b882-4a80-ba97-10b7a63b8fa4" }]);
    // Nested groups stay groups: Platform Engineers is a member of AWS Admins, so its members reach the role through the path.
    expect(doc.edges).toContainEqual({
      kind: "member_of",
      from: { kind: "group", externalId: "b320ee12-b1cd-4cca-b648-a437be61c5cd" },
      to: { kind: "group", externalId: "45b7d2e7-b882-4a80-ba97-10b7a63b8fa4" },
    });
    expect(doc.edges).toContainEqual({
      kind: "grants",
      from: { kind: "entitlement", externalId: `${sp}/appRole/7dfd756e-8c27-4472-b2b7-38c17fc5de5e` },
      to: { kind: "resource", externalId: sp },
    });
  });

  it("reads role values of both AWS applications' shapes", () => {
    expect(awsRoleArns("arn:aws:iam::123456789012:role/Name,arn:aws:iam::123456789012:saml-provider/X")).toEqual(["arn:aws:iam::123456789012:role/Name"]);
    expect(awsRoleArns("arn:aws:iam::123456789012:saml-provider/X, arn:aws-us-gov:iam::123456789012:role/path/Name")).toEqual([
      "arn:aws-us-gov:iam::123456789012:role/path/Name",
    ]);
    expect(awsRoleArns("User.Read.All")).toEqual([]);
  });

  it("turns delegated grants into one entitlement per client × API × scope, held by the client", () => {
    const { document: doc } = convertOk(fixtureBundle());
    const client = "263a5b01-03e5-408e-8557-bab681df104c";
    const graph = "943603e4-e787-4fe9-93d1-e30f749aae39";
    const all = node(doc, "entitlement", `${client}/delegated/${graph}/Directory.ReadWrite.All`)!;
    expect(all.attributes).toMatchObject({ scope: "Directory.ReadWrite.All", consentType: "AllPrincipals" });
    const one = node(doc, "entitlement", `${client}/delegated/${graph}/Mail.Read`)!;
    expect(one.attributes).toMatchObject({
      consentType: "Principal",
      consentedPrincipalIds: ["cdb555e3-b33e-4fd5-a427-17fadacbdfa7"],
      consentedPrincipalCount: 1,
    });
    expect(doc.edges).toContainEqual({
      kind: "has_entitlement",
      from: { kind: "service_account", externalId: client },
      to: { kind: "entitlement", externalId: `${client}/delegated/${graph}/Mail.Read` },
      attributes: { via: "oauth2PermissionGrant" },
    });
  });

  it("makes agent identities and blueprints agents, sponsors business owners and owners technical ones", () => {
    const { document: doc } = convertOk(fixtureBundle());
    const agent = node(doc, "agent", "1b7313c4-05d0-4a08-88e3-7b76c003a0a2")!;
    expect(agent.attributes).toMatchObject({ entraType: "agentIdentity", blueprint: "08be1f79-37a1-49c0-b444-3075e74d1e8c" });
    expect(node(doc, "agent", "08be1f79-37a1-49c0-b444-3075e74d1e8c")!.attributes).toMatchObject({
      entraType: "agentIdentityBlueprint",
      agentIdentityCount: 1,
    });
    const owns = doc.edges.filter((e) => e.kind === "owns" && e.to.kind === "agent");
    expect(owns).toEqual(
      expect.arrayContaining([
        {
          kind: "owns",
          from: { kind: "human", externalId: "a6c034b8-621b-dee3-6abb-52cbce801fe9" },
          to: { kind: "agent", externalId: agent && "1b7313c4-05d0-4a08-88e3-7b76c003a0a2" },
          attributes: { role: "business" },
        },
        {
          kind: "owns",
          from: { kind: "human", externalId: "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e" },
          to: { kind: "agent", externalId: "1b7313c4-05d0-4a08-88e3-7b76c003a0a2" },
          attributes: { role: "technical" },
        },
      ]),
    );
    // The agent identity is a service principal too: it is one agent node, not also a service account.
    expect(node(doc, "service_account", "1b7313c4-05d0-4a08-88e3-7b76c003a0a2")).toBeUndefined();
  });

  it("keeps credentials' dates and never their hint or value", () => {
    const { document: doc } = convertOk(fixtureBundle());
    const creds = doc.nodes.filter((n) => n.kind === "credential");
    expect(creds.map((c) => c.attributes)).toContainEqual({
      type: "client_secret",
      storage: "entra",
      credentialOf: "application",
      issuedAt: "2024-03-01T10:00:00Z",
      expiresAt: "2026-03-01T10:00:00Z",
    });
    expect(JSON.stringify(doc)).not.toContain("Q~x");
  });

  it("warns, not fails, when optional calls are missing", () => {
    const b = new AnswerBundle();
    for (const k of ["users", "groups"]) for (const p of fixtureBundle().pages(k)!) b.add(k, p);
    const r = convertOk(b);
    expect(counts(r.document.nodes)).toEqual({ human: 6, group: 3 });
    expect(r.warnings.join("\n")).toMatch(/servicePrincipals was not read/);
    expect(r.warnings.join("\n")).toMatch(/Agent ID identities were not read/);
  });

  it("locates malformed answers by call shape, page and JSON path, naming no value", () => {
    const b = fixtureBundle();
    b.add("groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members", { value: [{ displayName: "secret-name-1" }] });
    b.add("users", { value: "Adele Vance" });
    b.add("servicePrincipals", { value: [{ id: "x1", appId: 42, displayName: "Leaky" }] });
    const r = convertEntra(b, { source: "s", mode: "full" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        { path: "users (key 1), page 3: value", message: "must be a list of objects" },
        expect.objectContaining({ path: expect.stringMatching(/^groups\/\{id\}\/members \(key \d+\), page 2: value\[0\]\.id$/) }),
        expect.objectContaining({ path: expect.stringMatching(/^servicePrincipals \(key \d+\), page 2: value\[0\]\.appId$/) }),
      ]),
    );
    expect(JSON.stringify(r.errors)).not.toMatch(/Adele|secret-name|Leaky|02bd9fd6|42/);
  });

  it("skips members it did not read with a count, repeating only plain Graph type names", () => {
    const b = fixtureBundle();
    b.add("groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members", {
      value: [
        { "@odata.type": "#microsoft.graph.device", id: "d1" },
        { "@odata.type": "#microsoft.graph.device", id: "d2" },
        { "@odata.type": "#<script>alert(1)</script>", id: "x1" },
      ],
    });
    const r = convertOk(b);
    const text = r.warnings.join("\n");
    expect(text).toMatch(/2 group members of type device/);
    expect(text).toMatch(/1 group member of type directoryObject/);
    expect(text).not.toMatch(/script|d1|x1/);
  });

  it("refuses a file with none of the calls", () => {
    const b = new AnswerBundle();
    b.add("me/drive", { value: [] });
    const r = convertEntra(b, { source: "s", mode: "full" });
    expect(r.ok).toBe(false);
  });

  it("reads the JSON and the zip layouts into the same graph", () => {
    const json = convertOk(fixtureBundle()).document;
    const doc = JSON.parse(readFileSync(FIXTURE, "utf8")) as { calls: Record<string, unknown[]> };
    const files: Record<string, Uint8Array> = {};
    for (const [call, pages] of Object.entries(doc.calls)) {
      const key = AnswerBundle.key(call, ["v1.0", "beta"]);
      pages.forEach((p, i) => (files[`${key}${i ? `~${i + 1}` : ""}.json`] = strToU8(JSON.stringify(p))));
    }
    const read = entraDriver.readOffline(zipSync(files), MAX);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const zip = convertOk(read.bundle).document;
    const sort = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();
    expect(sort(zip.nodes)).toEqual(sort(json.nodes));
    expect(sort(zip.edges)).toEqual(sort(json.edges));
  });

  it("takes a single page without its list in the JSON layout", () => {
    const r = entraDriver.readOffline(
      new TextEncoder().encode(JSON.stringify({ calls: { "GET /v1.0/users": { value: [{ id: "u1", displayName: "A" }] } } })),
      MAX,
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(counts(convertOk(r.bundle).document.nodes)).toEqual({ human: 1 });
  });

  it("is deterministic", () => {
    expect(JSON.stringify(convertOk(fixtureBundle()).document)).toBe(JSON.stringify(convertOk(fixtureBundle()).document));
  });
});

describe("Entra driver settings", () => {
  const base = { tenantId: "contoso.onmicrosoft.com", clientId: "c0ffee00-1111-4222-8333-444455556666" };
  it("calls only Graph's and the authority's hosts, with the port when it is not the default", () => {
    const s = entraDriver.settingsSchema.parse(base);
    expect(entraDriver.hosts(s)).toEqual(["graph.microsoft.com", "login.microsoftonline.com"]);
    const local = entraDriver.settingsSchema.parse({ ...base, graphBaseUrl: "http://127.0.0.1:8443/", authorityHost: "http://127.0.0.1:8443" });
    expect(entraDriver.hosts(local)).toEqual(["127.0.0.1:8443"]);
  });

  it("refuses plain http off the loopback, a path in the endpoint, and a client id that is not a GUID", () => {
    expect(entraDriver.settingsSchema.safeParse({ ...base, graphBaseUrl: "http://graph.example.com/" }).success).toBe(false);
    expect(entraDriver.settingsSchema.safeParse({ ...base, graphBaseUrl: "https://graph.microsoft.com/v1.0" }).success).toBe(false);
    expect(entraDriver.settingsSchema.safeParse({ ...base, clientId: "my-app" }).success).toBe(false);
    expect(entraDriver.settingsSchema.safeParse({ ...base, graphBaseUrl: "https://graph.microsoft.us/" }).success).toBe(true);
  });
});

describe("a generated tenant", () => {
  it("converts 2,000 people with their groups, apps, AWS roles and agents, nothing skipped", () => {
    const people = Array.from({ length: 2000 }, (_, i) => ({ email: `person${i}@example.com`, name: `Person ${i}` }));
    const r = convertOk(syntheticEntraBundle(people));
    expect(counts(r.document.nodes)).toMatchObject({ human: 2000, group: 20, service_account: 11, agent: 21, credential: 10 });
    // Each group holds its 100 people and half of the next group's (the last only its own), plus two nested groups.
    expect(counts(r.document.edges).member_of).toBe(19 * 150 + 100 + 2);
    expect(r.skipped).toEqual({ nodes: 0, edges: 0 });
    expect(r.document.nodes.filter((n) => Array.isArray(n.attributes?.awsRoleArns))).toHaveLength(2);
  });
});
