import { describe, expect, it } from "vitest";
import { ignoredWarning, scimSettings } from "./config";

describe("SCIM settings from the environment", () => {
  it("strict for every source, for listed sources only, or for none", () => {
    expect(scimSettings("okta", {}).strict).toBe(false);
    for (const v of ["1", "*", "true"]) expect(scimSettings("okta", { ATTEST_SCIM_STRICT: v }).strict).toBe(true);
    expect(scimSettings("okta", { ATTEST_SCIM_STRICT: "entra, okta" }).strict).toBe(true);
    expect(scimSettings("okta-2", { ATTEST_SCIM_STRICT: "entra,okta" }).strict).toBe(false);
    expect(scimSettings("okta", { ATTEST_SCIM_STRICT: "0" }).strict).toBe(false);
  });

  it("PATCH answers with the resource unless minimal is configured", () => {
    expect(scimSettings("x", {}).patchReturn).toBe("representation");
    expect(scimSettings("x", { ATTEST_SCIM_PATCH_RETURN: "Minimal" }).patchReturn).toBe("minimal");
    expect(scimSettings("x", { ATTEST_SCIM_PATCH_RETURN: "bogus" }).patchReturn).toBe("representation");
  });
});

it("the Warning header names at most 20 paths, in safe characters", () => {
  expect(ignoredWarning([])).toBeUndefined();
  const many = Array.from({ length: 25 }, (_, i) => `a${i}`);
  expect(ignoredWarning(many)).toBe(`199 - "ignored attributes: ${many.slice(0, 20).join(", ")} and 5 more"`);
  expect(ignoredWarning(['x"y\n'])).toBe('199 - "ignored attributes: x?y?"');
});
