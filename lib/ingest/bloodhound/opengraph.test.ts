import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { countBy, expectValidDocument } from "@/lib/testing/expect-document";
import { mapEdgeKind, mapNodeKinds } from "./kinds";
import { convertOpenGraph, type ConversionResult } from "./opengraph";

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8"));

function ok(r: ConversionResult) {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  expectValidDocument(r.document);
  return r;
}
function errorsOf(r: ConversionResult) {
  if (r.ok) throw new Error("expected errors");
  return r.errors;
}
const node = (id: unknown, kinds: unknown, properties: unknown = {}) => ({ id, kinds, properties });
const edge = (kind: string, start: unknown, end: unknown, properties?: unknown) => ({ kind, start: { value: start }, end: { value: end }, properties });
const graph = (nodes: unknown[], edges: unknown[] = []) => ({ graph: { nodes, edges } });

describe("convertOpenGraph on the DataHound BloodHound CE sample", () => {
  const r = ok(convertOpenGraph(fixture("sample-bhce-output.json"), { source: "bhce", mode: "full" }));
  const find = (externalId: string) => r.document.nodes.find((n) => n.externalId === externalId);

  it("maps 41 nodes to 38 (three repeated permission ids merged) and 66 edges to 33", () => {
    expect(r.document).toMatchObject({ source: "bhce", mode: "full" });
    expect(countBy(r.document.nodes, (n) => n.kind)).toEqual({ resource: 10, human: 5, entitlement: 23 });
    expect(countBy(r.document.edges, (e) => e.kind)).toEqual({ has_entitlement: 5, grants: 28 });
    expect(r.skipped).toEqual({ nodes: 0, edges: 6 });
    expect(r.merged).toEqual({ nodes: 3, edges: 27 });
  });

  it("keeps names, kinds and properties", () => {
    expect(find("bcac9827-1fc4-430d-ae1d-13115c13811d")).toMatchObject({
      kind: "human",
      name: "ssmith25",
      attributes: { email: "097ef6c2-attackpayloadauthor@phantomcorp.onmicrosoft.com", bloodhoundKinds: ["BHUser", "BHCE"] },
    });
    expect(find("http://127.0.0.1:8080")).toMatchObject({ kind: "resource", name: "bhce.example.org", attributes: { tenant_id: "example.org" } });
    expect(find("Administrator")).toMatchObject({ kind: "entitlement", attributes: { bloodhoundKinds: ["BHRole", "BHCE"] } });
    expect(find("auth")).toMatchObject({ kind: "resource", name: "auth" });
    expect(find("Read")).toMatchObject({ kind: "entitlement", attributes: { id: "13" } });
  });

  it("turns AssignedTo into has_entitlement and a role's permissions on an authority into one grants edge", () => {
    expect(r.document.edges).toContainEqual({
      kind: "has_entitlement",
      from: { kind: "human", externalId: "bcac9827-1fc4-430d-ae1d-13115c13811d" },
      to: { kind: "entitlement", externalId: "Read-Only" },
      attributes: { bloodhoundEdgeKind: "AssignedTo", bloodhoundEdgeKinds: ["AssignedTo"] },
    });
    const adminAuth = r.document.edges.find((e) => e.from.externalId === "Administrator" && e.to.externalId === "auth");
    expect(adminAuth?.kind).toBe("grants");
    expect(adminAuth?.attributes?.bloodhoundEdgeKinds).toEqual(["CreateToken", "ManageAppConfig", "ManageProviders", "ManageSelf", "ManageUsers", "ReadUsers"]);
  });

  it("skips BelongsTo and ProviderFor, naming kinds and ends", () => {
    expect(r.warnings).toContain("skipped 5 BelongsTo edges from BHUser (human) to BHTenant (resource): no Attest edge joins a human to a resource");
    expect(r.warnings).toContain("skipped 1 ProviderFor edge from BHSSOProvider (resource) to BHUser (human): no Attest edge joins a resource to a human");
    expect(r.warnings).toContain('graph.nodes: id "Read" appears 3 times; merged into one entitlement node, earlier properties win');
  });
});

describe("convertOpenGraph on the DataHound Arrows sample", () => {
  it("maps the 7 IAM systems to resources and skips the 6 resource-to-resource edges", () => {
    const r = ok(convertOpenGraph(fixture("sample-arrows-output.json"), { source: "arrows" }));
    expect(r.document.mode).toBe("incremental");
    expect(countBy(r.document.nodes, (n) => n.kind)).toEqual({ resource: 7 });
    expect(r.document.nodes[1]).toMatchObject({ externalId: "n1", name: "Shibboleth" });
    expect(r.document.edges).toEqual([]);
    expect(r.skipped).toEqual({ nodes: 0, edges: 6 });
    expect(r.warnings).toContain("1 node with kinds IAMLDAP, Arrows match no known kind; mapped to resource (first: graph.nodes[0])");
    expect(r.warnings).toContain(
      "skipped 2 UsesSAML2 edges from IAMPortal (resource) to IAMIdentityProvider (resource): no Attest edge joins a resource to a resource",
    );
  });
});

describe("kind mapping table", () => {
  const kindOf = (kinds: string[], props: Record<string, unknown> = {}, name = "x") => mapNodeKinds(kinds, new Map(Object.entries(props)), name).kind;
  it.each([
    [["User", "Base"], "human"],
    [["AZUser"], "human"],
    [["LdapPerson"], "human"],
    [["Base", "User"], "human"],
    [["Group", "Base"], "group"],
    [["AZGroup"], "group"],
    [["GHTeam"], "group"],
    [["AZResourceGroup"], "resource"],
    [["Computer", "Base"], "service_account"],
    [["AZServicePrincipal"], "service_account"],
    [["AZApp"], "service_account"],
    [["ServiceAccount"], "service_account"],
    [["AZRole"], "entitlement"],
    [["GHRepoRole"], "entitlement"],
    [["Domain", "Base"], "resource"],
    [["OU"], "resource"],
    [["AZTenant"], "resource"],
    [["GHRepository"], "resource"],
    [["AZKeyVault"], "resource"],
    [["IAMServiceProvider"], "resource"],
    [["AIAgent"], "agent"],
    [["MCPServer"], "mcp_server"],
    [["MCPTool"], "tool"],
    [["SSHKey"], "credential"],
    [["GHSecret"], "credential"],
    [["Widget"], "resource"],
  ])("%j → %s", (kinds, expected) => expect(kindOf(kinds)).toBe(expected));

  it("reads a User with an SPN, a gMSA flag or a svc- name as a service account", () => {
    expect(kindOf(["User"], { hasspn: true })).toBe("service_account");
    expect(kindOf(["User"], { gmsa: true })).toBe("service_account");
    expect(kindOf(["User"], {}, "svc-backup")).toBe("service_account");
    expect(kindOf(["User"], { hasspn: false }, "alice")).toBe("human");
  });

  it.each([
    ["MemberOf", "human", "group", "member_of", false],
    ["AZMemberOf", "service_account", "group", "member_of", false],
    ["HasMember", "group", "human", "member_of", true],
    ["HasRole", "human", "entitlement", "has_entitlement", false],
    ["AdminTo", "group", "entitlement", "has_entitlement", false],
    ["GenericAll", "entitlement", "resource", "grants", false],
    ["Owns", "human", "service_account", "owns", false],
    ["AZOwns", "group", "resource", "owns", false],
    ["ManagedBy", "resource", "human", "owns", true],
    ["Manages", "human", "human", "manages", false],
    ["HasCredential", "agent", "credential", "uses_credential", false],
  ] as const)("%s %s→%s → %s", (bh, from, to, kind, reversed) => expect(mapEdgeKind(bh, from, to)).toEqual({ kind, reversed }));

  it.each([
    ["AdminTo", "human", "service_account"],
    ["Owns", "service_account", "service_account"],
    ["Contains", "resource", "human"],
  ] as const)("%s %s→%s has no Attest edge", (bh, from, to) => expect(mapEdgeKind(bh, from, to)).toBeNull());
});

describe("convertOpenGraph edges", () => {
  it("writes owns with a technical role, reversing ManagedBy", () => {
    const r = ok(convertOpenGraph(graph([node("u", ["User"]), node("app", ["AZApp"])], [edge("ManagedBy", "app", "u", { since: 2020 })]), { source: "bh" }));
    expect(r.document.edges).toEqual([
      {
        kind: "owns",
        from: { kind: "human", externalId: "u" },
        to: { kind: "service_account", externalId: "app" },
        attributes: { since: 2020, bloodhoundEdgeKind: "ManagedBy", bloodhoundEdgeKinds: ["ManagedBy"], bloodhoundReversed: true, role: "technical" },
      },
    ]);
  });

  it("resolves match_by name exactly, then case-insensitively, honouring the end's kind", () => {
    const nodes = [
      node("1", ["User"], { name: "ALICE@CORP.LOCAL" }),
      node("2", ["Group"], { name: "ADMINS@CORP.LOCAL" }),
      node("3", ["Domain"], { name: "ADMINS@CORP.LOCAL" }),
    ];
    const edges = [
      { kind: "MemberOf", start: { value: "alice@corp.local", match_by: "name" }, end: { value: "ADMINS@CORP.LOCAL", match_by: "name", kind: "Group" } },
    ];
    const r = ok(convertOpenGraph(graph(nodes, edges), { source: "bh" }));
    expect(r.document.edges.map((e) => [e.kind, e.from.externalId, e.to.externalId])).toEqual([["member_of", "1", "2"]]);
    const ambiguous = ok(convertOpenGraph(graph(nodes, [{ ...edges[0], end: { value: "ADMINS@CORP.LOCAL", match_by: "name" } }]), { source: "bh" }));
    expect(ambiguous.skipped.edges).toBe(1);
    expect(ambiguous.warnings[0]).toBe(
      'skipped 1 edge whose start or end is not a node in this file (first: graph.edges[0].end: 2 nodes are named "ADMINS@CORP.LOCAL")',
    );
  });

  it("skips dangling ends and self-loops with a warning", () => {
    const r = ok(
      convertOpenGraph(
        graph([node("u", ["User"]), node("g", ["Group"])], [edge("MemberOf", "u", "ghost"), edge("MemberOf", "g", "g"), edge("MemberOf", "u", "g")]),
        { source: "bh" },
      ),
    );
    expect(r.document.edges).toHaveLength(1);
    expect(r.skipped.edges).toBe(2);
    expect(r.warnings).toEqual([
      'skipped 1 edge whose start or end is not a node in this file (first: graph.edges[0].end: no node has id "ghost")',
      "skipped 1 MemberOf edge from a node to itself (first: graph.edges[1])",
    ]);
  });
});

describe("convertOpenGraph on hostile input", () => {
  it.each([null, [], "graph", 42])("rejects %j at the root", (input) => {
    expect(errorsOf(convertOpenGraph(input, { source: "bh" }))).toEqual([
      { path: "(root)", message: "a BloodHound OpenGraph file must be a JSON object with a graph" },
    ]);
  });

  it("names the missing graph, non-array nodes and edges", () => {
    expect(errorsOf(convertOpenGraph({ metadata: {} }, { source: "bh" }))).toEqual([
      { path: "graph", message: "graph is required (an object with nodes and edges)" },
    ]);
    expect(errorsOf(convertOpenGraph({ graph: { nodes: {}, edges: "x" } }, { source: "bh" })).map((e) => e.path)).toEqual(["graph.nodes", "graph.edges"]);
  });

  it("points at each bad node and edge field", () => {
    const input = graph(
      [
        node("ok", ["User"]),
        "not a node",
        node("", ["User"]),
        node("x", undefined),
        node("y", ["User", 7]),
        node("z", ["User"], [1]),
        node("a".repeat(513), ["User"]),
      ],
      [{ kind: "", start: { value: "ok" }, end: { value: "ok" } }, { kind: "MemberOf", start: {}, end: { value: "ok", match_by: "guid" } }, 5],
    );
    expect(errorsOf(convertOpenGraph(input, { source: "bh" }))).toEqual([
      { path: "graph.nodes[1]", message: "each node must be an object with id, kinds and properties" },
      { path: "graph.nodes[2].id", message: "id is required (a non-empty string)" },
      { path: "graph.nodes[3].kinds", message: "kinds must be a non-empty array of strings" },
      { path: "graph.nodes[4].kinds[1]", message: "each kind must be a non-empty string" },
      { path: "graph.nodes[5].properties", message: "properties must be an object" },
      { path: "graph.nodes[6].id", message: "id is longer than 512 characters" },
      { path: "graph.edges[0].kind", message: "kind is required (a non-empty string)" },
      { path: "graph.edges[1].start.value", message: "value is required (the id or name of a node)" },
      { path: "graph.edges[1].end.match_by", message: 'match_by must be "id" or "name"' },
      { path: "graph.edges[2]", message: "each edge must be an object with start, end and kind" },
    ]);
  });

  it("rejects a bad source or mode", () => {
    expect(errorsOf(convertOpenGraph(graph([]), { source: "bad source!", mode: "sometimes" as "full" })).map((e) => e.path)).toEqual(["source", "mode"]);
  });

  it("never throws, whatever the shape", () => {
    const weird = [
      undefined,
      true,
      { graph: null },
      { graph: [] },
      graph([{ id: {}, kinds: "User" }], [{ start: null, end: [], kind: 3 }]),
      graph([null], null as never),
    ];
    for (const input of weird) expect(() => convertOpenGraph(input, { source: "bh" })).not.toThrow();
    expect(errorsOf(convertOpenGraph(graph([]), {} as never))).toEqual([
      { path: "source", message: "source must be 1-100 letters, digits, dot, dash or underscore" },
    ]);
  });

  it("caps the error list", () => {
    const errors = errorsOf(convertOpenGraph(graph(Array.from({ length: 150 }, () => ({}))), { source: "bh" }));
    expect(errors).toHaveLength(101);
    expect(errors[100]).toEqual({ path: "(root)", message: "more than 100 errors; only the first 100 are listed" });
  });

  it("treats __proto__ and constructor as plain ids and drops them as property names", () => {
    const input = JSON.parse(
      '{"graph":{"nodes":[{"id":"__proto__","kinds":["User"],"properties":{"__proto__":{"polluted":true},"constructor":1,"name":"Eve"}},{"id":"constructor","kinds":["Group"]}],"edges":[{"kind":"MemberOf","start":{"value":"__proto__"},"end":{"value":"constructor"}}]}}',
    );
    const r = ok(convertOpenGraph(input, { source: "bh" }));
    expect(r.document.nodes.map((n) => [n.kind, n.externalId, n.name])).toEqual([
      ["human", "__proto__", "Eve"],
      ["group", "constructor", "constructor"],
    ]);
    expect(Object.keys(r.document.nodes[0]!.attributes!)).toEqual(["name", "bloodhoundKinds"]);
    expect(r.document.edges).toHaveLength(1);
    expect(r.warnings).toEqual([
      'graph.nodes[0].properties.__proto__: property dropped (the name "__proto__" is reserved)',
      'graph.nodes[0].properties.constructor: property dropped (the name "constructor" is reserved)',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("maps unknown kinds to resource with one warning per kind set", () => {
    const r = ok(convertOpenGraph(graph([node("a", ["Gizmo"]), node("b", ["Gizmo"]), node("c", ["Thing", "Base"])]), { source: "bh" }));
    expect(r.document.nodes.every((n) => n.kind === "resource")).toBe(true);
    expect(r.warnings).toEqual([
      "2 nodes with kinds Gizmo match no known kind; mapped to resource (first: graph.nodes[0])",
      "1 node with kinds Thing, Base match no known kind; mapped to resource (first: graph.nodes[2])",
    ]);
  });
});
