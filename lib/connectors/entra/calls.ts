/**
 * The Microsoft Graph calls the Entra connector makes, by their canonical
 * bundle key (lib/connectors/bundle.ts: path without version, query or
 * leading slash). A live run records each page under these keys; an offline
 * `entra-graph` file holds the same keys. Keys that carry an object id are
 * recognised by pattern, case-insensitively (Graph's own docs spell the type
 * casts both `microsoft.graph.agentIdentity` and `Microsoft.Graph.AgentIdentity`).
 */
export const GRAPH_VERSIONS = ["v1.0", "beta"] as const;

export const KEY = {
  users: "users",
  groups: "groups",
  groupMembers: (id: string) => `groups/${id}/members`,
  applications: "applications",
  applicationOwners: (id: string) => `applications/${id}/owners`,
  servicePrincipals: "servicePrincipals",
  spOwners: (id: string) => `servicePrincipals/${id}/owners`,
  spAppRoleAssignedTo: (id: string) => `servicePrincipals/${id}/appRoleAssignedTo`,
  oauth2PermissionGrants: "oauth2PermissionGrants",
  agentIdentities: "servicePrincipals/microsoft.graph.agentIdentity",
  agentIdentitySponsors: (id: string) => `servicePrincipals/${id}/microsoft.graph.agentIdentity/sponsors`,
  blueprints: "applications/microsoft.graph.agentIdentityBlueprint",
  blueprintSponsors: (id: string) => `applications/${id}/microsoft.graph.agentIdentityBlueprint/sponsors`,
} as const;

export type CallKind =
  | "users"
  | "groups"
  | "groupMembers"
  | "applications"
  | "applicationOwners"
  | "servicePrincipals"
  | "spOwners"
  | "spAppRoleAssignedTo"
  | "oauth2PermissionGrants"
  | "agentIdentities"
  | "agentIdentitySponsors"
  | "blueprints"
  | "blueprintSponsors";

const SEG = "([^/]+)";
const PATTERNS: [RegExp, CallKind][] = [
  [/^users$/i, "users"],
  [/^groups$/i, "groups"],
  [new RegExp(`^groups/${SEG}/members$`, "i"), "groupMembers"],
  [/^applications\/microsoft\.graph\.agentIdentityBlueprint$/i, "blueprints"],
  [new RegExp(`^applications/${SEG}/microsoft\\.graph\\.agentIdentityBlueprint/sponsors$`, "i"), "blueprintSponsors"],
  [/^applications$/i, "applications"],
  [new RegExp(`^applications/${SEG}/owners$`, "i"), "applicationOwners"],
  [/^servicePrincipals\/microsoft\.graph\.agentIdentity$/i, "agentIdentities"],
  [new RegExp(`^servicePrincipals/${SEG}/microsoft\\.graph\\.agentIdentity/sponsors$`, "i"), "agentIdentitySponsors"],
  [/^servicePrincipals$/i, "servicePrincipals"],
  [new RegExp(`^servicePrincipals/${SEG}/owners$`, "i"), "spOwners"],
  [new RegExp(`^servicePrincipals/${SEG}/appRoleAssignedTo$`, "i"), "spAppRoleAssignedTo"],
  [/^oauth2PermissionGrants$/i, "oauth2PermissionGrants"],
];

/** What a bundle key is: the call kind and, for per-object calls, the object's id. */
export function classifyKey(key: string): { kind: CallKind; id?: string } | null {
  for (const [re, kind] of PATTERNS) {
    const m = re.exec(key);
    if (m) return m[1] !== undefined ? { kind, id: m[1] } : { kind };
  }
  return null;
}

/** A key as messages may show it: ids become {id} (they are the customer's data). */
export function keyShape(key: string): string {
  const c = classifyKey(key);
  if (!c) return "(a call this connector does not read)";
  return c.id === undefined ? key : key.replace(c.id, "{id}");
}
