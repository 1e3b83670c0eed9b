import { expect, test } from "@playwright/test";

const BOOTSTRAP = "e2e-bootstrap-token-0123456789abcdef";
const admin = { Authorization: `Bearer ${BOOTSTRAP}` };
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

test("an IdP provisions a user and a group through SCIM with its source's token, and both land in the identity graph", async ({ request }) => {
  // An admin creates the SCIM source; its token is in this answer only.
  const created = await request.post("/api/v1/sources", { headers: admin, data: { name: "e2e-okta-scim", type: "scim", description: "Okta provisioning" } });
  expect(created.status()).toBe(201);
  const { source, scimToken } = await created.json();
  expect(source).toMatchObject({ name: "e2e-okta-scim", type: "scim", scimEnabled: true });
  const idp = { Authorization: `Bearer ${scimToken}`, "Content-Type": "application/scim+json" };

  // The IdP discovers what is supported, then looks for the user before creating it, as Okta and Entra ID do.
  const config = await request.get("/scim/v2/ServiceProviderConfig", { headers: idp });
  expect(config.headers()["content-type"]).toContain("application/scim+json");
  expect((await config.json()).patch.supported).toBe(true);
  const lookup = await request.get(`/scim/v2/Users?filter=${encodeURIComponent('userName eq "scim.ada@example.com"')}`, { headers: idp });
  expect((await lookup.json()).totalResults).toBe(0);

  const user = await request.post("/scim/v2/Users", {
    headers: idp,
    data: JSON.stringify({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
      userName: "scim.ada@example.com",
      name: { givenName: "Scimmy", familyName: "Ada" },
      emails: [{ type: "work", value: "scim.ada@example.com", primary: true }],
      active: true,
      [ENTERPRISE]: { department: "Analytical Engines" },
    }),
  });
  expect(user.status()).toBe(201);
  const ada = await user.json();
  expect(user.headers()["location"]).toBe(ada.meta.location);

  const group = await request.post("/scim/v2/Groups", {
    headers: idp,
    data: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "SCIM Engineers", members: [{ value: ada.id }] }),
  });
  expect(group.status()).toBe(201);
  const engineers = await group.json();
  expect(engineers.members).toEqual([expect.objectContaining({ value: ada.id, display: "Scimmy Ada", type: "User" })]);

  // Entra ID deactivates with a capitalised op and a string boolean.
  const off = await request.patch(`/scim/v2/Users/${ada.id}`, {
    headers: idp,
    data: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "active", value: "False" }] }),
  });
  expect(off.status()).toBe(200);
  expect((await off.json()).active).toBe(false);

  // The person is now a human node of the source, found by the ordinary nodes API, in its group.
  const found = await request.get(`/api/v1/nodes?q=${encodeURIComponent("scim.ada@example.com")}`, { headers: admin });
  expect(found.status()).toBe(200);
  const items = (await found.json()).items;
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({
    kind: "human",
    source: "e2e-okta-scim",
    externalId: ada.id,
    name: "Scimmy Ada",
    status: "inactive",
    attributes: { department: "Analytical Engines" },
  });
  const neighbors = await request.get(`/api/v1/nodes/${items[0].id}/neighbors?direction=out`, { headers: admin });
  const out = (await neighbors.json()).items;
  expect(out.map((n: { edge: { kind: string }; node: { name: string } }) => [n.edge.kind, n.node.name])).toEqual([["member_of", "SCIM Engineers"]]);

  const sources = await (await request.get("/api/v1/sources", { headers: admin })).json();
  expect(sources.items.find((s: { name: string }) => s.name === "e2e-okta-scim")).toMatchObject({
    nodeCounts: { human: 1, group: 1 },
    lastImportAt: expect.any(String),
  });

  // Without the token, or with the admin's API token, SCIM answers 401 in its own error form.
  for (const headers of [{}, admin]) {
    const r = await request.get("/scim/v2/Users", { headers });
    expect(r.status()).toBe(401);
    expect((await r.json()).schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
  }
});
