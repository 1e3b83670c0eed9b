import { describe, expect, it } from "vitest";
import { auditChanges, fieldLabel, valueText } from "./audit-diff";

describe("auditChanges", () => {
  it("lists only the fields that changed, before → after, in words", () => {
    expect(auditChanges({ status: "active", undecided: 0 }, { status: "closed", undecided: 0 })).toEqual([
      { field: "status", kind: "changed", before: "active", after: "closed" },
    ]);
  });

  it("marks fields that appeared or went away as added or removed", () => {
    expect(auditChanges({ revokedAt: null, note: "x" }, { revokedAt: "2026-01-01T00:00:00.000Z", scimTokenPrefix: "att_ab" })).toEqual([
      { field: "revoked at", kind: "changed", before: "none", after: "2026-01-01T00:00:00.000Z" },
      { field: "note", kind: "removed", before: "x" },
      { field: "scim token prefix", kind: "added", after: "att_ab" },
    ]);
  });

  it("a creation (after only) lists every field as added, nested objects by path", () => {
    expect(auditChanges(null, { name: "Q3", scope: { targets: ["mcp_1"], edgeKinds: [] } })).toEqual([
      { field: "name", kind: "added", after: "Q3" },
      { field: "scope › targets", kind: "added", after: "mcp_1" },
      { field: "scope › edge kinds", kind: "added", after: "(empty)" },
    ]);
    expect(auditChanges({ a: 1 }, null)).toEqual([{ field: "a", kind: "removed", before: "1" }]);
    // Empty fields on the only side there is are left out.
    expect(auditChanges(null, { name: "x", description: null })).toEqual([{ field: "name", kind: "added", after: "x" }]);
  });

  it("compares lists of plain values by their items: roles added and removed", () => {
    expect(auditChanges({ roles: ["admin", "auditor"] }, { roles: ["auditor", "analyst"] })).toEqual([
      { field: "roles", kind: "list", added: ["analyst"], removed: ["admin"] },
    ]);
    // Reordered only: still a change, said plainly.
    expect(auditChanges({ roles: ["a", "b"] }, { roles: ["b", "a"] })).toEqual([{ field: "roles", kind: "changed", before: "a, b", after: "b, a" }]);
  });

  it("says nothing for equal sides, and handles scalars and lists of objects", () => {
    expect(auditChanges({ a: { b: 1 } }, { a: { b: 1 } })).toEqual([]);
    expect(auditChanges(null, null)).toEqual([]);
    expect(auditChanges(1, 2)).toEqual([{ field: "value", kind: "changed", before: "1", after: "2" }]);
    expect(auditChanges({ rs: [{ id: 1 }] }, { rs: [{ id: 2 }] })).toEqual([{ field: "rs", kind: "changed", before: "id 1", after: "id 2" }]);
    // Records read as their id first, the rest in brackets.
    expect(
      auditChanges(null, {
        users: [
          { id: "usr_a", email: "a@x", roles: ["admin"] },
          { id: "usr_b", items: 3 },
        ],
      }),
    ).toEqual([{ field: "users", kind: "added", after: "usr_a (email a@x, roles admin); usr_b (items 3)" }]);
  });

  it("stops following nesting at three levels and cuts long values", () => {
    const deep = auditChanges(null, { a: { b: { c: { d: 1 } } } });
    expect(deep).toEqual([{ field: "a › b › c", kind: "added", after: '{"d":1}' }]);
    const long = valueText("x".repeat(1000));
    expect(long).toHaveLength(400);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("fieldLabel", () => {
  it("turns camelCase and snake_case keys into words", () => {
    expect(fieldLabel("scimTokenPrefix")).toBe("scim token prefix");
    expect(fieldLabel("remediation_tasks")).toBe("remediation tasks");
    expect(fieldLabel("URLPath")).toBe("url path");
  });
});
