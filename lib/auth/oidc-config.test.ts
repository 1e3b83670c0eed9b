import { describe, expect, it } from "vitest";
import { claimValues, mappedRoles, oidcConfigFromEnv, OidcConfigError, parseRoleMap } from "./oidc-config";

const base = { AUTH_OIDC_ISSUER: "https://login.example.com", AUTH_OIDC_CLIENT_ID: "attest", AUTH_OIDC_CLIENT_SECRET: "s3cret" };

describe("OIDC configuration from the environment", () => {
  it("is off when no AUTH_OIDC_* variable is set", () => {
    expect(oidcConfigFromEnv({})).toBeNull();
  });

  it("reads the three required variables, with a default name, the groups claim and no role map", () => {
    expect(oidcConfigFromEnv(base)).toEqual({
      issuer: "https://login.example.com",
      clientId: "attest",
      clientSecret: "s3cret",
      name: "single sign-on",
      rolesClaim: "groups",
      roleMap: null,
    });
  });

  it("refuses a half configuration, naming what is missing", () => {
    expect(() => oidcConfigFromEnv({ AUTH_OIDC_ISSUER: "https://login.example.com" })).toThrow(/set AUTH_OIDC_CLIENT_ID, AUTH_OIDC_CLIENT_SECRET as well/);
    expect(() => oidcConfigFromEnv({ AUTH_OIDC_ROLE_MAP: "a=admin" })).toThrow(/AUTH_OIDC_ROLE_MAP set but OIDC is not configured/);
  });

  it("accepts plain http only for an issuer on this machine", () => {
    expect(oidcConfigFromEnv({ ...base, AUTH_OIDC_ISSUER: "http://127.0.0.1:4100" })?.issuer).toBe("http://127.0.0.1:4100");
    expect(oidcConfigFromEnv({ ...base, AUTH_OIDC_ISSUER: "http://localhost:4100/realms/x" })).not.toBeNull();
    expect(() => oidcConfigFromEnv({ ...base, AUTH_OIDC_ISSUER: "http://idp.example.com" })).toThrow(/must be an https URL/);
    expect(() => oidcConfigFromEnv({ ...base, AUTH_OIDC_ISSUER: "not a url" })).toThrow(OidcConfigError);
  });

  it("validates the role map at start with a message naming the bad entry", () => {
    expect(() => oidcConfigFromEnv({ ...base, AUTH_OIDC_ROLE_MAP: "attest-admins=admin,attest-devs=developer" })).toThrow(
      'AUTH_OIDC_ROLE_MAP entry "attest-devs=developer": "developer" is not a role; roles are admin, analyst, reviewer, auditor',
    );
    expect(() => oidcConfigFromEnv({ ...base, AUTH_OIDC_ROLE_MAP: "attest-admins" })).toThrow(/is not <claim value>=<role>/);
    expect(() => oidcConfigFromEnv({ ...base, AUTH_OIDC_ROLE_MAP: "=admin" })).toThrow(/is not <claim value>=<role>/);
    expect(() => oidcConfigFromEnv({ ...base, AUTH_OIDC_ROLE_MAP: " , " })).toThrow(/names no mapping/);
    expect(oidcConfigFromEnv({ ...base, AUTH_OIDC_ROLE_MAP: "" })?.roleMap).toBeNull();
  });

  it("parses a map: values trimmed, one value to several roles, '=' allowed inside a value", () => {
    const map = parseRoleMap(" attest-admins = admin , audit=auditor,audit=analyst, role=ops=reviewer ");
    expect(Object.fromEntries(map)).toEqual({ "attest-admins": ["admin"], audit: ["auditor", "analyst"], "role=ops": ["reviewer"] });
  });
});

describe("role mapping from claims", () => {
  const config = { rolesClaim: "groups", roleMap: parseRoleMap("attest-admins=admin,attest-analysts=analyst,attest-audit=auditor") };

  it("maps known values to roles, sorted, and ignores unknown values", () => {
    expect(mappedRoles(config, { groups: ["attest-audit", "Everyone", "attest-analysts", 42] })).toEqual(["analyst", "auditor"]);
    expect(mappedRoles(config, { groups: "attest-admins" })).toEqual(["admin"]);
    expect(mappedRoles(config, { groups: { nested: "attest-admins" } })).toEqual([]);
    expect(mappedRoles(config, {})).toEqual([]);
  });

  it("maps nothing without a role map", () => {
    expect(mappedRoles({ rolesClaim: "groups", roleMap: null }, { groups: ["attest-admins"] })).toEqual([]);
  });

  it("reads a namespaced claim by its exact name, and a nested claim by a dotted path", () => {
    expect(claimValues({ "https://attest.example/groups": ["a"] }, "https://attest.example/groups")).toEqual(["a"]);
    expect(claimValues({ realm_access: { roles: ["attest-admins", "offline_access"] } }, "realm_access.roles")).toEqual(["attest-admins", "offline_access"]);
  });
});
