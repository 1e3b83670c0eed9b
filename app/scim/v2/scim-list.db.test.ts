import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { createSource } from "@/lib/admin/sources";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { scim } from "./scim-test-client";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

let t: TestDatabase;
let token: string;
const created: { id: string; userName: string; meta: { lastModified: string } }[] = [];

/** Twelve users: u01…u12, every third inactive, even ones with a work email, family names by parity. */
const people = Array.from({ length: 12 }, (_, i) => {
  const n = String(i + 1).padStart(2, "0");
  return {
    userName: `u${n}@example.com`,
    displayName: `User ${n}`,
    name: { givenName: `Given${n}`, familyName: i % 2 ? "Odd" : "Even" },
    active: i % 3 !== 2,
    externalId: `ext-${n}`,
    emails: i % 2 ? [{ type: "home", value: `u${n}@home.example` }] : [{ type: "work", value: `u${n}@work.example`, primary: true }],
    ...(i < 4 ? { [ENTERPRISE]: { department: i < 2 ? "Sales" : "Support" } } : {}),
  };
});

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  token = (await createSource(t.db, await actorByEmail(t, "admin@example.com"), { name: "list-scim", type: "scim" })).scimToken;
  for (const p of people) created.push((await scim("POST", "/Users", { token, body: p })).body);
});
afterAll(() => t.cleanup());

const list = async (query: string) => (await scim("GET", `/Users?${query}`, { token })).body;
const names = async (filter: string) => {
  const r = await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`, { token });
  expect(r.status, `${filter}: ${JSON.stringify(r.body)}`).toBe(200);
  // Sorted: users created in the same millisecond may list in either order.
  return r.body.Resources.map((u: { userName: string }) => u.userName.slice(0, 3)).sort();
};

describe("SCIM list: filters", () => {
  const cases: [string, string[]][] = [
    ['userName eq "U03@EXAMPLE.COM"', ["u03"]],
    ['userName ne "u03@example.com" and name.familyName eq "Even"', ["u01", "u05", "u07", "u09", "u11"]],
    ['displayName co "ser 1"', ["u10", "u11", "u12"]],
    ['userName sw "u0" and userName ew "9@example.com"', ["u09"]],
    ['externalId eq "ext-07"', ["u07"]],
    ['externalId eq "EXT-07"', []], // externalId is caseExact
    ["active eq false", ["u03", "u06", "u09", "u12"]],
    ['emails[type eq "work"] and active eq true', ["u01", "u05", "u07", "u11"]],
    ['emails.value ew "@home.example" and not (userName eq "u02@example.com" or userName eq "u04@example.com")', ["u06", "u08", "u10", "u12"]],
    [`${ENTERPRISE}:department eq "support"`, ["u03", "u04"]],
    [`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "u12@example.com"`, ["u12"]],
    ["title pr", []],
    [`name.givenName gt "Given10" or name.givenName le "Given01"`, ["u01", "u11", "u12"]],
    [`name.givenName ge "Given11" and name.givenName lt "Given12"`, ["u11"]],
  ];
  for (const [filter, expected] of cases) it(filter, async () => expect(await names(filter)).toEqual(expected));

  it("compares meta.lastModified as an instant", async () => {
    const cut = created[5]!.meta.lastModified;
    const upTo = created.filter((u) => Date.parse(u.meta.lastModified) <= Date.parse(cut)).map((u) => u.userName.slice(0, 3));
    expect(await names(`meta.lastModified le "${cut}"`)).toEqual(upTo.sort());
    expect((await names(`meta.lastModified gt "${cut}"`)).length).toBe(12 - upTo.length);
  });

  it("finds by id, as IdPs do before an update", async () => {
    expect(await names(`id eq "${created[8]!.id}"`)).toEqual(["u09"]);
  });
});

describe("SCIM list: pagination (RFC 7644 §3.4.2.4)", () => {
  const ids = (r: { Resources: { id: string }[] }) => r.Resources.map((u) => u.id);

  it("defaults to startIndex 1 and up to 100 results, in one stable order (creation time, then id)", async () => {
    const r = await list("");
    expect(r).toMatchObject({ schemas: [LIST], totalResults: 12, itemsPerPage: 12, startIndex: 1 });
    expect([...ids(r)].sort()).toEqual(created.map((u) => u.id).sort());
    expect(ids(await list(""))).toEqual(ids(r));
  });

  it("pages with startIndex and count, with and without a filter", async () => {
    const all = ids(await list(""));
    const page = await list("startIndex=3&count=4");
    expect(page).toMatchObject({ totalResults: 12, itemsPerPage: 4, startIndex: 3 });
    expect(ids(page)).toEqual(all.slice(2, 6));
    const active = ids(await list(`filter=${encodeURIComponent("active eq true")}`));
    expect(active).toHaveLength(8);
    const filtered = await list(`filter=${encodeURIComponent("active eq true")}&startIndex=7&count=5`);
    expect(filtered).toMatchObject({ totalResults: 8, itemsPerPage: 2, startIndex: 7 });
    expect(ids(filtered)).toEqual(active.slice(6, 8));
  });

  it("reads startIndex below 1 as 1, a negative count as 0, and caps count", async () => {
    expect(await list("startIndex=0&count=2")).toMatchObject({ startIndex: 1, itemsPerPage: 2 });
    const none = await list("count=-5");
    expect(none).toMatchObject({ totalResults: 12, itemsPerPage: 0, Resources: [] });
    expect((await list("count=100000")).itemsPerPage).toBe(12);
    expect(await list("startIndex=50")).toMatchObject({ totalResults: 12, itemsPerPage: 0, startIndex: 50, Resources: [] });
  });
});

describe("SCIM list: attributes and excludedAttributes", () => {
  it("returns only the asked attributes (and id, schemas)", async () => {
    const r = await list(`filter=${encodeURIComponent('userName eq "u01@example.com"')}&attributes=userName,name.familyName,emails.value`);
    expect(r.Resources[0]).toEqual({
      schemas: expect.any(Array),
      id: created[0]!.id,
      userName: "u01@example.com",
      name: { familyName: "Even" },
      emails: [{ value: "u01@work.example" }],
    });
  });
  it("leaves out excluded attributes but never id", async () => {
    const r = await list("count=1&excludedAttributes=emails,meta,id,name.givenName");
    expect(r.Resources[0]).not.toHaveProperty("emails");
    expect(r.Resources[0]).not.toHaveProperty("meta");
    expect(r.Resources[0].name).toEqual({ familyName: "Even" });
    expect(r.Resources[0].id).toBe(created[0]!.id);
  });
  it("answers the RFC's search request at POST /Users/.search", async () => {
    const r = await scim("POST", "/Users/.search", {
      token,
      body: {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        attributes: ["displayName", "userName"],
        filter: 'displayName sw "user 0"',
        startIndex: 1,
        count: 3,
      },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ totalResults: 9, itemsPerPage: 3 });
    expect(Object.keys(r.body.Resources[0]).sort()).toEqual(["displayName", "id", "schemas", "userName"]);
  });
});
