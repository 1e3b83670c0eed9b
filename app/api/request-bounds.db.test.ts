import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scim } from "@/app/scim/v2/scim-test-client";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { createSource } from "@/lib/admin/sources";
import { generateDataset, SIZE_SPECS, type SizeSpec } from "@/lib/bench/dataset";
import { bulkLoad } from "@/lib/bench/load";
import { evaluateFindings } from "@/lib/findings/evaluate";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { decodeGraphDocument, type DecodedImport } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { ownershipGraph } from "@/lib/ownership/testing/ownership-graph";
import { actorByEmail, useAsAppDatabase as serveFrom } from "@/lib/testing/app-context";
import { countingDatabase, type QueryMeter } from "@/lib/testing/counting-db";
import { createTestDatabase, testTarget } from "@/lib/testing/test-db";
import { PUT as putOwners } from "./v1/nodes/[id]/owners/route";

/*
 * Issue 14: no request handler does whole-graph work. The same requests run
 * against the same small governance graph (ownershipGraph) next to a generated
 * organisation (lib/bench/dataset.ts) of two sizes, five times apart; every
 * query and the rows it returned or wrote are counted at the driver. A request
 * that evaluated findings or coverage over the graph (what these did before the
 * after-change pipeline) reads every node and edge, so its count would grow
 * with the organisation; these must not change at all.
 */

const scaled = (f: number): SizeSpec => {
  const s = SIZE_SPECS.S;
  const n = (x: number) => Math.max(2, Math.round(x * f));
  return {
    ...s,
    humans: n(s.humans),
    departments: n(s.departments),
    teams: n(s.teams),
    appGroups: n(s.appGroups),
    serviceAccounts: n(s.serviceAccounts),
    agents: n(s.agents),
    mcpServers: n(s.mcpServers),
    entitlements: n(s.entitlements),
    resources: n(s.resources),
    credentials: n(s.credentials),
  };
};

type Measured = {
  graph: { nodes: number; edges: number };
  owners: QueryMeter;
  importing: QueryMeter;
  scimWrite: QueryMeter;
  evaluation: QueryMeter;
  statuses: number[];
};

async function measure(f: number): Promise<Measured> {
  const t = await createTestDatabase();
  try {
    clearAccessCache();
    await seedGraph(t.db, ownershipGraph());
    const loaded = await bulkLoad(t.db, generateDataset(scaled(f), 20_240_601, "bench"));
    const admin = await actorByEmail(t, "admin@example.com");
    const analyst = await actorByEmail(t, "ana@example.com");
    const token = (await createApiToken(t.db, admin, { name: "analyst", userId: analyst.id, roles: ["analyst"] })).token;
    const scimToken = (await createSource(t.db, admin, { name: "idp-scim", type: "scim" })).scimToken!;
    serveFrom(t);
    const user = await scim("POST", "/Users", {
      token: scimToken,
      body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "sam@example.com", displayName: "Sam Scim" },
    });

    const counted = await countingDatabase(t);
    serveFrom(counted.database);
    const take = (): QueryMeter => {
      const m = { ...counted.meter };
      counted.reset();
      return m;
    };
    const statuses: number[] = [];
    counted.reset();
    const put = await putOwners(
      new Request("http://attest.test/api/v1/nodes/x/owners", {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ owners: [{ owner: "dir:human:maya", role: "business" }], reason: "bounded work" }),
      }),
      { params: Promise.resolve({ id: "reg:agent:agt-none" }) } as never,
    );
    statuses.push(put.status);
    const owners = take();

    const doc = decodeGraphDocument({
      source: "hr",
      mode: "incremental",
      nodes: [1, 2, 3].map((i) => ({ kind: "human" as const, externalId: `hr-${i}`, name: `Person ${i}`, attributes: { status: "active" } })),
      edges: [{ kind: "member_of", from: { kind: "human", externalId: "hr-1" }, to: { kind: "group", externalId: "team", source: "dir" } }],
    }) as DecodedImport;
    const imported = await runImport(counted.database.db, analyst, doc, { format: "graph" });
    statuses.push(imported.status === "succeeded" ? 200 : 500);
    const importing = take();

    const patched = await scim("PATCH", `/Users/${user.body.id}`, {
      token: scimToken,
      body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "active", value: false }] },
    });
    statuses.push(patched.status);
    const scimWrite = take();

    // The meter sees whole-graph work when there is some: a full evaluation, as the requests ran before.
    await evaluateFindings(counted.database.db, admin, { trigger: "manual" });
    const evaluation = take();
    return { graph: { nodes: loaded.nodes, edges: loaded.edges }, owners, importing, scimWrite, evaluation, statuses };
  } finally {
    await t.cleanup();
  }
}

let small: Measured;
let large: Measured;
beforeAll(async () => {
  small = await measure(0.1);
  large = await measure(0.5);
}, 240_000);
afterAll(() => clearAccessCache());

describe(`requests do bounded work whatever the graph's size (${testTarget()})`, () => {
  it("the graphs differ fivefold, and a full evaluation's reads grow with them", () => {
    expect(small.statuses).toEqual([200, 200, 200]);
    expect(large.statuses).toEqual([200, 200, 200]);
    expect(large.graph.edges).toBeGreaterThan(4 * small.graph.edges);
    expect(large.evaluation.rows).toBeGreaterThan(large.graph.edges);
    expect(large.evaluation.rows).toBeGreaterThan(3 * small.evaluation.rows);
  });

  it("an owner assignment (PUT /api/v1/nodes/{id}/owners) runs the same queries over the same rows at both sizes", () => {
    expect(large.owners).toEqual(small.owners);
    expect(large.owners.rows).toBeLessThan(500);
  });

  it("a small import does too", () => {
    expect(large.importing).toEqual(small.importing);
    expect(large.importing.rows).toBeLessThan(500);
  });

  it("and so does a SCIM write that deactivates a person", () => {
    expect(large.scimWrite).toEqual(small.scimWrite);
    expect(large.scimWrite.rows).toBeLessThan(500);
  });
});
