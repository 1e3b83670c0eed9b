import { ROLES, isRole, type Role } from "@/lib/authz/roles";

/** OIDC sign-in settings, read from AUTH_OIDC_* (see README, "Sign-in (OIDC)"). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Shown on the sign-in button: "Sign in with <name>". */
  name: string;
  /** The claim holding group or role names (a string array or a string); a dotted path reaches nested claims. */
  rolesClaim: string;
  /**
   * Claim value → Attest roles. Null when AUTH_OIDC_ROLE_MAP is unset: then sign-in never changes roles and only
   * admins grant them.
   */
  roleMap: ReadonlyMap<string, readonly Role[]> | null;
}

/** A misconfiguration found at start; its message names the variable and what is expected. */
export class OidcConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OidcConfigError";
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Parses `value=role,value=role,…`. A value may map to several roles by appearing more than once; values and roles
 * are trimmed, values compared exactly (group names are case-sensitive in most IdPs). The last `=` splits an entry,
 * so a value may itself contain `=`, but not `,` (use the group's id, e.g. an Entra object id, for such names).
 */
export function parseRoleMap(raw: string): Map<string, Role[]> {
  const map = new Map<string, Role[]>();
  const entries = raw
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  if (entries.length === 0) throw new OidcConfigError("AUTH_OIDC_ROLE_MAP is set but names no mapping; expected <claim value>=<role>[,…] or leave it unset");
  for (const entry of entries) {
    const at = entry.lastIndexOf("=");
    const value = at > 0 ? entry.slice(0, at).trim() : "";
    const role = at > 0 ? entry.slice(at + 1).trim() : "";
    if (!value || !role) throw new OidcConfigError(`AUTH_OIDC_ROLE_MAP entry "${entry}" is not <claim value>=<role>`);
    if (!isRole(role)) throw new OidcConfigError(`AUTH_OIDC_ROLE_MAP entry "${entry}": "${role}" is not a role; roles are ${ROLES.join(", ")}`);
    const roles = map.get(value) ?? [];
    if (!roles.includes(role)) roles.push(role);
    map.set(value, roles);
  }
  return map;
}

/**
 * OIDC settings from the environment, or null when OIDC is not configured. Throws OidcConfigError for a partial or
 * invalid configuration, so a server never starts with a sign-in that silently does something else.
 */
export function oidcConfigFromEnv(env: Record<string, string | undefined> = process.env): OidcConfig | null {
  const v = (k: string) => {
    const s = env[k]?.trim();
    return s ? s : undefined;
  };
  const issuer = v("AUTH_OIDC_ISSUER");
  const clientId = v("AUTH_OIDC_CLIENT_ID");
  const clientSecret = v("AUTH_OIDC_CLIENT_SECRET");
  const given = { AUTH_OIDC_ISSUER: issuer, AUTH_OIDC_CLIENT_ID: clientId, AUTH_OIDC_CLIENT_SECRET: clientSecret };
  const missing = Object.entries(given)
    .filter(([, x]) => x === undefined)
    .map(([k]) => k);
  if (missing.length === 3) {
    const stray = ["AUTH_OIDC_ROLE_MAP", "AUTH_OIDC_ROLES_CLAIM", "AUTH_OIDC_NAME"].filter((k) => v(k) !== undefined);
    if (stray.length)
      throw new OidcConfigError(
        `${stray.join(", ")} set but OIDC is not configured: also set AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID and AUTH_OIDC_CLIENT_SECRET`,
      );
    return null;
  }
  if (missing.length) throw new OidcConfigError(`OIDC sign-in is half configured: set ${missing.join(", ")} as well (or unset all AUTH_OIDC_* variables)`);

  let url: URL;
  try {
    url = new URL(issuer!);
  } catch {
    throw new OidcConfigError(`AUTH_OIDC_ISSUER "${issuer}" is not a URL`);
  }
  // Plain http only to this machine (a local test provider): tokens and codes would otherwise cross the network in clear.
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    throw new OidcConfigError(`AUTH_OIDC_ISSUER must be an https URL (plain http is accepted for 127.0.0.1 and localhost only); got "${issuer}"`);
  }
  const rolesClaim = v("AUTH_OIDC_ROLES_CLAIM") ?? "groups";
  const rawMap = env.AUTH_OIDC_ROLE_MAP;
  return {
    issuer: issuer!,
    clientId: clientId!,
    clientSecret: clientSecret!,
    name: v("AUTH_OIDC_NAME") ?? "single sign-on",
    rolesClaim,
    roleMap: rawMap === undefined || rawMap.trim() === "" ? null : parseRoleMap(rawMap),
  };
}

/** The claim's values: a string array, or one string. Anything else (numbers, objects) counts as no value. */
export function claimValues(claims: Record<string, unknown>, claim: string): string[] {
  // An exact key first (Auth0-style namespaced claims contain dots), then a dotted path (Keycloak's realm_access.roles).
  let value: unknown = claims[claim];
  if (value === undefined && claim.includes(".")) {
    value = claim.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), claims);
  }
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((x): x is string => typeof x === "string");
  return [];
}

/** The Attest roles the claims map to, sorted; values not in the map are ignored. */
export function mappedRoles(config: Pick<OidcConfig, "rolesClaim" | "roleMap">, claims: Record<string, unknown>): Role[] {
  if (!config.roleMap) return [];
  const out = new Set<Role>();
  for (const value of claimValues(claims, config.rolesClaim)) for (const r of config.roleMap.get(value) ?? []) out.add(r);
  return [...out].sort();
}
