import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { countBy, expectValidDocument } from "@/lib/testing/expect-document";
import type { GraphDocument } from "@/lib/ingest/graph-document";
import { normaliseDate } from "./dates";
import { convertBatonTemplate, type ConversionResult } from "./template";

const template = (): Record<string, unknown> => JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "template.json"), "utf8"));

function ok(r: ConversionResult) {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  expectValidDocument(r.document);
  return r;
}
function errorsOf(r: ConversionResult) {
  if (r.ok) throw new Error("expected errors");
  return r.errors;
}
const convert = (input: unknown) => convertBatonTemplate(input, { source: "baton" });
const edgeList = (doc: GraphDocument) => doc.edges.map((e) => `${e.kind} ${e.from.externalId} -> ${e.to.externalId}`);

/** Externalids reachable from `start` over the document's edges, to check that grant chains survive conversion. */
function reachable(doc: GraphDocument, start: string): Set<string> {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length) {
    const at = queue.shift()!;
    for (const e of doc.edges) {
      if (e.from.externalId !== at || seen.has(e.to.externalId)) continue;
      seen.add(e.to.externalId);
      queue.push(e.to.externalId);
    }
  }
  return seen;
}

describe("convertBatonTemplate on baton-file's template.json", () => {
  const r = ok(convertBatonTemplate(template(), { source: "baton-file", mode: "full" }));
  const find = (externalId: string) => r.document.nodes.find((n) => n.externalId === externalId);

  it("converts 4 users, 11 resources, 12 entitlements (one repeated) and 17 grants", () => {
    expect(r.document).toMatchObject({ source: "baton-file", mode: "full" });
    expect(countBy(r.document.nodes, (n) => n.kind)).toEqual({ human: 3, service_account: 1, resource: 2, group: 9, entitlement: 11 });
    expect(countBy(r.document.edges, (e) => e.kind)).toEqual({ grants: 2, member_of: 11, has_entitlement: 6 });
    expect(r.skipped).toEqual({ nodes: 0, edges: 0 });
    expect(r.merged).toEqual({ nodes: 1, edges: 0 });
    expect(r.warnings).toEqual(['entitlements[4]: entitlement "app_developer:member" appears 2 times; the first one is kept']);
  });

  it("maps users with status and normalised dates", () => {
    expect(find("svc.account.01")).toMatchObject({
      kind: "service_account",
      name: "Service Account 01",
      attributes: { status: "active", batonType: "service" },
    });
    expect(find("ursula.user")).toMatchObject({
      kind: "human",
      attributes: {
        status: "inactive",
        batonStatus: "inactive",
        lastLogin: "2025-04-01",
        hire_date: "2025-01-02",
        department: "QA",
        email: "ursula.user@example.com",
      },
    });
    expect(find("alice.admin")?.attributes).toMatchObject({ status: "active", hire_date: "2025-01-02", title: "System Administrator" });
  });

  it("reads workspaces as resources and teams and roles as groups", () => {
    expect(find("development_workspace")).toMatchObject({ kind: "resource", attributes: { resourceType: "workspace", resourceFunction: "group" } });
    expect(find("app_admin")).toMatchObject({ kind: "group", name: "Application Admin" });
    expect(find("development_workspace_owner")).toMatchObject({ kind: "group", attributes: { parentResource: "development_workspace" } });
    expect(find("development_workspace:member")).toMatchObject({ kind: "entitlement", name: "Development Workspace (member)" });
    expect(find("app_admin:member")).toMatchObject({ kind: "entitlement", attributes: { membership: true } });
  });

  it("turns grants into member_of, expansion into group edges, and workspace membership into has_entitlement + grants", () => {
    const edges = edgeList(r.document);
    expect(edges).toContain("grants development_workspace:member -> development_workspace");
    expect(edges).toContain("member_of dave.developer -> app_developer");
    expect(edges).toContain("member_of svc.account.01 -> production_workspace_owner");
    expect(edges).toContain("member_of app_admin -> development_workspace_owner");
    expect(edges).toContain("has_entitlement development_workspace_runner -> development_workspace:member");
    expect(r.document.edges.find((e) => e.from.externalId === "app_user" && e.to.externalId === "production_workspace_runner")?.attributes).toEqual({
      batonPrincipal: "app_user:member",
      batonEntitlement: "production_workspace_runner:assignment",
      batonExpansion: true,
    });
    expect(reachable(r.document, "dave.developer")).toEqual(
      new Set([
        "dave.developer",
        "app_developer",
        "development_workspace_developer",
        "production_workspace_developer",
        "development_workspace:member",
        "production_workspace:member",
        "development_workspace",
        "production_workspace",
      ]),
    );
  });
});

describe("normaliseDate", () => {
  it.each([
    ["2024-01-15", "2024-01-15"],
    ["01/15/2024", "2024-01-15"],
    ["1/5/2024", "2024-01-05"],
    ["2024/01/15", "2024-01-15"],
    ["2024-01-15T10:00:00Z", "2024-01-15T10:00:00.000Z"],
    ["2024-01-15T10:00:00+0200", "2024-01-15T08:00:00.000Z"],
    ["2024-01-15 10:00", "2024-01-15T10:00:00.000Z"],
    [45306, "2024-01-15"],
    ["45306", "2024-01-15"],
    [45306.5, "2024-01-15T12:00:00.000Z"],
    [1, "1900-01-01"],
    [61, "1900-03-01"],
  ])("%j → %s", (input, expected) => expect(normaliseDate(input)).toBe(expected));

  it.each(["02/30/2024", "15/01/2024", "2024-13-01", "2024-01-15T25:00:00Z", "yesterday", "", "2024", 60, 0, -5, true, null, {}])(
    "%j is not a date",
    (input) => {
      expect(normaliseDate(input)).toBeNull();
    },
  );
});

describe("convertBatonTemplate rules", () => {
  it("maps user types and statuses", () => {
    const users = [
      { name: "h1", display_name: "H1", status: "disabled" },
      { name: "h2", display_name: "H2", status: "terminated" },
      { name: "s1", display_name: "S1", type: "bot", status: "terminated" },
      { name: "s2", display_name: "S2", type: "machine", status: "suspended" },
      { name: "a1", display_name: "A1", type: "agent" },
      { name: "x1", display_name: "X1", type: "robot", status: "on-hold", last_login: "sometime" },
    ];
    const r = ok(convert({ users }));
    expect(r.document.nodes.map((n) => [n.externalId, n.kind, n.attributes?.status])).toEqual([
      ["h1", "human", "inactive"],
      ["h2", "human", "terminated"],
      ["s1", "service_account", "inactive"],
      ["s2", "service_account", "inactive"],
      ["a1", "agent", "active"],
      ["x1", "human", undefined],
    ]);
    expect(r.document.nodes[5]?.attributes).toMatchObject({ batonStatus: "on-hold", lastLogin: "sometime" });
    expect(r.warnings).toEqual([
      '1 user with type "robot" (first: users[5].type) read as human, Baton\'s default',
      '1 user with status "on-hold" (first: users[5].status): unknown status, none recorded',
      'users[5].last_login: "sometime" is not a date we can read (YYYY-MM-DD, MM/DD/YYYY, ISO 8601 or an Excel serial); kept as given',
    ]);
  });

  it("keeps secrets as credentials and skips entitlement edges whose kinds do not fit", () => {
    const r = ok(
      convert({
        users: [{ name: "u", display_name: "U" }],
        resources: [
          { resource_type: "api key", resource_function: "secret", name: "key1", display_name: "Key 1" },
          { resource_type: "team", resource_function: "group", name: "t", display_name: "T" },
          { resource_type: "app", resource_function: "app", name: "billing", display_name: "Billing" },
        ],
        entitlements: [
          { resource_name: "key1", entitlement: "read", display_name: "Read key" },
          { resource_name: "t", entitlement: "maintainer", display_name: "Maintainer" },
          { resource_name: "billing", entitlement: "read", display_name: "Billing read" },
          { resource_name: "ghost", entitlement: "x", display_name: "X" },
        ],
        grants: [
          { principal: "u", entitlement_id: "t:maintainer" },
          { principal: "billing:read", entitlement_id: "t:maintainer" },
          { principal: "nobody", entitlement_id: "billing:read" },
          { principal: "u", entitlement_id: "billing:write" },
          { principal: "u", entitlement_id: "billing:read" },
          { principal: "u", entitlement_id: "billing:read" },
        ],
      }),
    );
    expect(r.document.nodes.find((n) => n.externalId === "key1")?.kind).toBe("credential");
    expect(edgeList(r.document)).toEqual(["grants billing:read -> billing", "has_entitlement u -> t:maintainer", "has_entitlement u -> billing:read"]);
    expect(r.skipped).toEqual({ nodes: 0, edges: 6 });
    expect(r.merged).toEqual({ nodes: 0, edges: 1 });
    expect(r.warnings).toEqual([
      "skipped 1 grants edge (first: entitlements[0]): a grants edge cannot end at a credential (allowed: tool, resource, mcp_server)",
      "skipped 1 grants edge (first: entitlements[1]): a grants edge cannot end at a group (allowed: tool, resource, mcp_server)",
      'entitlements[3].resource_name: "ghost" is not a resource in this file; ghost:x grants nothing',
      'skipped 1 grant to "billing:read" (first: grants[1].principal): its holders are not a group, and Attest cannot grant to holders of an entitlement',
      'skipped 1 grant to "nobody" (first: grants[2].principal): no user, resource or entitlement has that name',
      'skipped 1 grant of "billing:write" (first: grants[3].entitlement_id): no such entitlement in this file',
      'grants[5]: the same has_entitlement edge from "u" to "billing:read" is given 2 times; kept once',
    ]);
  });
});

describe("convertBatonTemplate on hostile input", () => {
  it.each([null, [], "users", 7, {}, { maps: [] }])("rejects %j at the root", (input) => {
    expect(errorsOf(convert(input))).toEqual([
      { path: "(root)", message: "a Baton template must be a JSON object with users, resources, entitlements and grants arrays" },
    ]);
  });

  it("points at each bad section and field", () => {
    const input = {
      users: [{ name: "ok", display_name: "OK" }, "bob", { display_name: "No Name" }, { name: "e", email: { x: 1 }, profile: [1], last_login: { d: 1 } }],
      resources: { name: "r" },
      entitlements: [{ entitlement: "member" }],
      grants: [{ principal: "ok" }, { principal: 5, entitlement_id: "" }],
    };
    expect(errorsOf(convert(input))).toEqual([
      { path: "resources", message: "resources must be an array of objects" },
      { path: "users[1]", message: "each user must be an object with name and display_name" },
      { path: "users[2].name", message: "name is required (a non-empty string)" },
      { path: "users[3].email", message: "email must be a string" },
      { path: "users[3].profile", message: "profile must be an object" },
      { path: "users[3].last_login", message: "last_login must be a date string or an Excel serial number" },
      { path: "entitlements[0].resource_name", message: "resource_name is required (a non-empty string)" },
      { path: "grants[0].entitlement_id", message: "entitlement_id is required (a non-empty string)" },
      { path: "grants[1].entitlement_id", message: "entitlement_id is required (a non-empty string)" },
    ]);
  });

  it("never throws, whatever the shape", () => {
    const weird = [
      undefined,
      { users: null },
      { users: [null, [], 1] },
      { grants: [{ principal: {}, entitlement_id: [] }] },
      { users: [{ name: "u", profile: null, last_login: 1e12 }] },
    ];
    for (const input of weird) expect(() => convert(input)).not.toThrow();
  });

  it("rejects a bad source", () => {
    expect(errorsOf(convertBatonTemplate({ users: [] }, { source: "" }))).toEqual([
      { path: "source", message: "source must be 1-100 letters, digits, dot, dash or underscore" },
    ]);
  });

  it("treats __proto__ as a plain name and drops it as a profile key", () => {
    const input = JSON.parse(
      '{"users":[{"name":"__proto__","display_name":"Eve","profile":{"__proto__":{"polluted":true},"constructor":"x","dept":"Ops"}}],' +
        '"resources":[{"resource_type":"team","resource_function":"group","name":"constructor","display_name":"C"}],' +
        '"entitlements":[{"resource_name":"constructor","entitlement":"member","display_name":"M"}],' +
        '"grants":[{"principal":"__proto__","entitlement_id":"constructor:member"}]}',
    );
    const r = ok(convert(input));
    expect(r.document.nodes[0]).toEqual({ kind: "human", externalId: "__proto__", name: "Eve", attributes: { dept: "Ops", status: "active" } });
    expect(edgeList(r.document)).toEqual(["member_of __proto__ -> constructor"]);
    expect(r.warnings).toEqual([
      'users[0].profile.__proto__: field dropped (the name "__proto__" is reserved)',
      'users[0].profile.constructor: field dropped (the name "constructor" is reserved)',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
