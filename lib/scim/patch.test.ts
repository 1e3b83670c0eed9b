import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ScimError } from "./errors";
import { applyPatch, parsePatchRequest, type PatchOperation } from "./patch";
import { GROUP_RESOURCE, USER_RESOURCE, type ResourceSchema } from "./schema";

// Copied from the shared fixtures with their provenance (fixtures/*/PROVENANCE.md), so the suite runs on any clone.
const FIXTURES = path.resolve(process.cwd(), "lib", "scim", "fixtures");
const fixture = (rel: string) => JSON.parse(readFileSync(path.join(FIXTURES, rel), "utf8"));
const rfc = (name: string) => fixture(`scim-rfc-examples/${name}.json`);
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** Applies a whole PatchOp message, as the endpoints do. */
const patch = (resource: Record<string, unknown>, message: unknown, rs: ResourceSchema = USER_RESOURCE) => applyPatch(resource, parsePatchRequest(message), rs);
const message = (...ops: object[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: ops });

function scimError(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error("expected a ScimError");
}

describe("SCIM PATCH: SCIMMY's PatchOp tables", () => {
  // SCIMMY's tables patch one test resource with both User attributes and Group members.
  const mixed: ResourceSchema = {
    ...USER_RESOURCE,
    core: { ...USER_RESOURCE.core, attributes: [...USER_RESOURCE.core.attributes, GROUP_RESOURCE.core.attributes.find((a) => a.name === "members")!] },
  };
  const tables = fixture("scimmy-fixtures/messages/patchop.json").inbound as Record<
    string,
    { source: Record<string, unknown>; target: unknown; ops: PatchOperation[] }[]
  >;
  for (const [op, cases] of Object.entries(tables)) {
    for (const [i, c] of cases.entries()) {
      it(`${op} #${i + 1}: ${JSON.stringify(c.ops)}`, () => {
        expect(patch(c.source, message(...c.ops), mixed)).toEqual(c.target);
      });
    }
  }
});

describe("SCIM PATCH: RFC 7644 §3.5.2 examples", () => {
  const user = rfc("rfc7643-8.2-user-full");
  const group = rfc("rfc7643-8.4-group");

  it("3.5.2.1 adds an email and a nickname without a path (attribute names are case-insensitive)", () => {
    const out = patch(user, rfc("rfc7644-3.5.2.1-patch_op-add_emails"));
    expect(out.emails).toEqual(
      [...user.emails, { value: "babs@jensen.org", type: "home" }].filter((e, i, a) => a.findIndex((x) => JSON.stringify(x) === JSON.stringify(e)) === i),
    );
    expect(out.nickName).toBe("Babs");
    expect(out).not.toHaveProperty("nickname");
  });

  it("3.5.2.1 adds a member", () => {
    const out = patch(group, rfc("rfc7644-3.5.2.1-patch_op-add_members"), GROUP_RESOURCE);
    expect(out.members).toHaveLength(3);
    expect((out.members as { display: string }[])[2]!.display).toBe("Babs Jensen");
  });

  it("3.5.2.2 removes all members, one member, and one member while adding another", () => {
    expect(patch(group, rfc("rfc7644-3.5.2.2-patch_op-remove_all_members"), GROUP_RESOURCE)).not.toHaveProperty("members");
    const g = { ...group, members: [...group.members, { value: "2819c223-7f76-...413861904646" }, { value: "2819c223...919d-413861904646" }] };
    expect(patch(g, rfc("rfc7644-3.5.2.2-patch_op-remove_one_member"), GROUP_RESOURCE).members).toHaveLength(3);
    const swapped = patch(g, rfc("rfc7644-3.5.2.2-patch_op-remove_and_add_one_member"), GROUP_RESOURCE).members as { value: string }[];
    expect(swapped.map((m) => m.value)).toEqual([group.members[0].value, group.members[1].value, "2819c223-7f76-...413861904646", "08e1d05d...473d93df9210"]);
  });

  it("3.5.2.2 removes the values a complex filter selects", () => {
    const out = patch(user, rfc("rfc7644-3.5.2.2-patch_op-remove_multi_complex_value"));
    expect(out.emails).toEqual([{ value: "babs@jensen.org", type: "home" }]);
  });

  it("3.5.2.3 replaces all emails, all members, a work address, and one street address", () => {
    const emails = patch(user, rfc("rfc7644-3.5.2.3-patch_op-replace_all_email_values"));
    expect(emails.emails).toEqual(rfc("rfc7644-3.5.2.3-patch_op-replace_all_email_values").Operations[0].value.emails);
    const members = patch(group, rfc("rfc7644-3.5.2.3-patch_op-replace_all_members"), GROUP_RESOURCE).members as { value: string }[];
    expect(members.map((m) => m.value)).toEqual(["2819c223-7f76-453a-919d-413861904646", "08e1d05d-121c-4561-8b96-473d93df9210"]);
    const work = patch(user, rfc("rfc7644-3.5.2.3-patch_op-replace_user_work_address")).addresses as Record<string, unknown>[];
    expect(work[0]).toEqual(rfc("rfc7644-3.5.2.3-patch_op-replace_user_work_address").Operations[0].value);
    expect(work[1]).toEqual(user.addresses[1]);
    const street = patch(user, rfc("rfc7644-3.5.2.3-patch_op-replace_street_address")).addresses as Record<string, unknown>[];
    expect(street[0]).toEqual({ ...user.addresses[0], streetAddress: "1010 Broadway Ave" });
  });

  it("does not change the resource it was given", () => {
    const before = JSON.stringify(user);
    patch(user, rfc("rfc7644-3.5.2.2-patch_op-remove_multi_complex_value"));
    expect(JSON.stringify(user)).toBe(before);
  });
});

describe("SCIM PATCH: what Entra ID and Okta send", () => {
  const bjensen = { id: "u1", userName: "bjensen", active: true, emails: [{ type: "home", value: "babs@jensen.org", primary: true }] };

  it("accepts capitalised ops, string booleans and a value-only replace", () => {
    const out = patch(
      bjensen,
      message({ op: "Replace", path: "active", value: "False" }, { op: "Replace", value: { displayName: "Babs", "name.givenName": "Barbara" } }),
    );
    expect(out).toMatchObject({ active: false, displayName: "Babs", name: { givenName: "Barbara" } });
  });

  it("creates a work email through a filtered path when there is none, and moves primary to it", () => {
    const out = patch(
      bjensen,
      message(
        { op: "Add", path: 'emails[type eq "work"].value', value: "bjensen@example.com" },
        { op: "Replace", path: 'emails[type eq "work"].primary', value: true },
      ),
    );
    expect(out.emails).toEqual([
      { type: "home", value: "babs@jensen.org", primary: false },
      { type: "work", value: "bjensen@example.com", primary: true },
    ]);
  });

  it("sets and removes enterprise attributes by URN path, including a manager sent as a bare id", () => {
    const set = patch(
      bjensen,
      message({ op: "Add", path: `${ENTERPRISE}:manager`, value: "mgr-1" }, { op: "Add", path: `${ENTERPRISE}:department`, value: "Tours" }),
    );
    expect(set[ENTERPRISE]).toEqual({ manager: { value: "mgr-1" }, department: "Tours" });
    const value = patch(bjensen, message({ op: "replace", value: { [`${ENTERPRISE}:employeeNumber`]: "42", [ENTERPRISE]: { costCenter: "4130" } } }));
    expect(value[ENTERPRISE]).toEqual({ employeeNumber: "42", costCenter: "4130" });
    expect(patch(set, message({ op: "Remove", path: `${ENTERPRISE}:manager` }))[ENTERPRISE]).toEqual({ department: "Tours" });
    expect(patch(set, message({ op: "add", path: ENTERPRISE, value: { division: "Parks" } }))[ENTERPRISE]).toEqual({
      manager: { value: "mgr-1" },
      department: "Tours",
      division: "Parks",
    });
    expect(patch(set, message({ op: "remove", path: ENTERPRISE }))).not.toHaveProperty(ENTERPRISE);
  });

  it("adds members, removes them by value list (Entra) and by filter (Okta), and renames with the id echoed (Okta)", () => {
    const g = { id: "g1", displayName: "Tour Guides", members: [{ value: "a" }, { value: "b" }] };
    const added = patch(g, message({ op: "Add", path: "members", value: [{ value: "c" }, { value: "a" }] }), GROUP_RESOURCE);
    expect(added.members).toEqual([{ value: "a" }, { value: "b" }, { value: "c" }]);
    expect(patch(added, message({ op: "Remove", path: "members", value: [{ value: "a" }, { value: "c" }] }), GROUP_RESOURCE).members).toEqual([{ value: "b" }]);
    expect(patch(added, message({ op: "remove", path: 'members[value eq "b"]' }), GROUP_RESOURCE).members).toEqual([{ value: "a" }, { value: "c" }]);
    expect(patch(g, message({ op: "remove", path: 'members[value eq "zzz"]' }), GROUP_RESOURCE)).toEqual(g);
    expect(patch(g, message({ op: "replace", value: { id: "g1", displayName: "Guides" } }), GROUP_RESOURCE).displayName).toBe("Guides");
  });
});

describe("SCIM PATCH errors", () => {
  const u = { id: "u1", userName: "bjensen", emails: [{ type: "home", value: "x@y" }] };
  const cases: [string, unknown, number, string][] = [
    ["a message without the PatchOp schema", { Operations: [{ op: "add", path: "title", value: "x" }] }, 400, "invalidSyntax"],
    ["an unknown op", message({ op: "move", path: "title" }), 400, "invalidSyntax"],
    ["no operations", message(), 400, "invalidValue"],
    ["remove without a path", message({ op: "remove" }), 400, "noTarget"],
    ["add without a value", message({ op: "add", path: "title" }), 400, "invalidValue"],
    ["an unknown attribute", message({ op: "add", path: "shoeSize", value: "9" }), 400, "invalidPath"],
    ["an unknown sub-attribute", message({ op: "add", path: "name.nickname", value: "x" }), 400, "invalidPath"],
    ["a malformed path", message({ op: "replace", path: 'emails[type eq "work"', value: "x" }), 400, "invalidPath"],
    ["the read-only id", message({ op: "replace", path: "id", value: "u2" }), 400, "mutability"],
    ["a different id in a value-only replace", message({ op: "replace", value: { id: "u2" } }), 400, "mutability"],
    ["the read-only groups", message({ op: "add", path: "groups", value: [{ value: "g" }] }), 400, "mutability"],
    ["a wrong type", message({ op: "replace", path: "active", value: "maybe" }), 400, "invalidValue"],
    ["a filter matching nothing that is not an eq conjunction", message({ op: "replace", path: 'emails[type ne "home"].value', value: "x" }), 400, "noTarget"],
  ];
  for (const [what, body, status, scimType] of cases) {
    it(`${what} → ${status} ${scimType}`, () => expect(scimError(() => patch(u, body))).toMatchObject({ status, scimType }));
  }
});
