import { ACCESS_EDGE_KINDS, edgeKindMismatch, type EdgeKind, type NodeKind } from "@/lib/graph/model";

/**
 * How BloodHound OpenGraph kinds become Attest kinds. OpenGraph kinds are free
 * text chosen by each collector (`User`, `AZServicePrincipal`, `BHRole`,
 * `LdapPerson`, `IAMPortal`...), so we match on the words inside a kind rather
 * than on a closed list. A node's kinds are tried in order and the first kind
 * that matches a rule decides; secondary kinds such as `Base`, `AZBase` or a
 * source tag (`BHCE`, `Arrows`) match nothing and are skipped over.
 *
 * Node rules, first match wins (documented in the report and in the tests):
 * | words in the kind                                             | Attest kind     |
 * |---------------------------------------------------------------|-----------------|
 * | contains "agent"                                              | agent           |
 * | contains "tool"                                               | tool            |
 * | contains "mcp"                                                | mcp_server      |
 * | credential, secret, password, token, certificate, *Key        | credential      |
 * | group, team (not ResourceGroup / ManagementGroup / GroupPolicy)| group          |
 * | role, permission, privilege, right, scope, entitlement        | entitlement     |
 * | ServiceAccount, ServicePrincipal, Computer, App, ManagedIdentity, Workload, Bot | service_account |
 * | user, person, people, employee, human                         | human, or service_account when the properties look like a service identity |
 * | domain, tenant, OU, container, database, repository, ...      | resource        |
 * | nothing matched                                               | resource, with a warning |
 */

/** `AZServicePrincipal` → ["az", "service", "principal"]; `BHSSOProvider` → ["bhsso", "provider"]. */
export function kindWords(kind: string): string[] {
  return kind
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const has = (words: string[], set: ReadonlySet<string>) => words.some((w) => set.has(w));
const setOf = (...w: string[]) => new Set(w);

const CREDENTIAL = setOf("credential", "credentials", "secret", "secrets", "password", "passwords", "token", "tokens", "apikey", "certificate", "certificates");
const GROUP = setOf("group", "groups", "team", "teams");
const NOT_A_GROUP = setOf("resource", "management", "policy");
const ENTITLEMENT = setOf(
  "role",
  "roles",
  "permission",
  "permissions",
  "privilege",
  "privileges",
  "right",
  "rights",
  "scope",
  "scopes",
  "entitlement",
  "entitlements",
);
const SERVICE = setOf(
  "computer",
  "computers",
  "app",
  "apps",
  "application",
  "applications",
  "serviceaccount",
  "serviceprincipal",
  "managedidentity",
  "workload",
  "bot",
  "daemon",
  "gmsa",
  "msa",
);
const HUMAN = setOf("user", "users", "person", "people", "employee", "human");
/** Object kinds we recognise as plain resources, so they map without an "unknown kind" warning. */
const RESOURCE = setOf(
  "domain",
  "tenant",
  "ou",
  "organizationalunit",
  "container",
  "database",
  "db",
  "repository",
  "repo",
  "organization",
  "org",
  "subscription",
  "vault",
  "gpo",
  "server",
  "site",
  "bucket",
  "project",
  "workspace",
  "authority",
  "clients",
  "client",
  "provider",
  "portal",
  "ca",
  "template",
  "store",
  "device",
  "host",
  "share",
  "file",
  "resource",
  "object",
  "system",
  "directory",
);

/** The Attest kind one BloodHound kind names, or null when the kind says nothing we recognise. */
export function classifyKind(kind: string): NodeKind | "user-like" | null {
  const lower = kind.toLowerCase();
  const words = kindWords(kind);
  const last = words[words.length - 1] ?? "";
  if (lower.includes("agent")) return "agent";
  if (lower.includes("tool")) return "tool";
  if (lower.includes("mcp")) return "mcp_server";
  if (has(words, CREDENTIAL) || last === "key" || last === "keys") return "credential";
  if (has(words, GROUP)) return has(words, NOT_A_GROUP) ? "resource" : "group";
  if (has(words, ENTITLEMENT)) return "entitlement";
  if (has(words, SERVICE) || (words.includes("service") && (words.includes("account") || words.includes("principal")))) return "service_account";
  if (words.includes("managed") && words.includes("identity")) return "service_account";
  if (has(words, HUMAN)) return "user-like";
  if (has(words, RESOURCE)) return "resource";
  return null;
}

/**
 * User-kind nodes that are really workload identities: AD accounts with an SPN
 * or a (group) managed service account flag, or a name that says "service".
 */
export function looksLikeServiceIdentity(props: ReadonlyMap<string, unknown>, name: string): boolean {
  if (props.get("hasspn") === true || props.get("gmsa") === true || props.get("msa") === true) return true;
  const spns = props.get("serviceprincipalnames");
  if (Array.isArray(spns) && spns.length > 0) return true;
  const type = props.get("usertype") ?? props.get("type");
  if (typeof type === "string" && /service|bot|machine|application/i.test(type)) return true;
  return /^(svc|srv|sa)[._-]|service[ ._-]?account|(^|[._-])bot($|[._@-])/i.test(name);
}

export interface NodeKindDecision {
  kind: NodeKind;
  /** The BloodHound kind that decided, for warnings. */
  decidedBy: string;
  /** True when no kind matched a rule and the node fell back to resource. */
  unknown: boolean;
}

export function mapNodeKinds(kinds: readonly string[], props: ReadonlyMap<string, unknown>, name: string): NodeKindDecision {
  for (const k of kinds) {
    const c = classifyKind(k);
    if (c === null) continue;
    if (c === "user-like") return { kind: looksLikeServiceIdentity(props, name) ? "service_account" : "human", decidedBy: k, unknown: false };
    return { kind: c, decidedBy: k, unknown: false };
  }
  return { kind: "resource", decidedBy: kinds[0] ?? "", unknown: true };
}

/**
 * Edge kinds whose direction is the reverse of Attest's: `X ManagedBy Y` means
 * Y owns X; `G HasMember U` means U is a member of G.
 */
const REVERSED = setOf("managedby", "ownedby", "hasmanager", "reportsto", "hasmember", "hasmembers");
/** Ownership in the governance sense; Attest `owns` is not an access edge. */
const OWNERSHIP = setOf("owns", "ownedby", "managedby", "ownerof", "isowner");
const MANAGES = setOf("manages", "managerof", "hasmanager", "reportsto");

export interface EdgeDecision {
  kind: EdgeKind;
  reversed: boolean;
}

const squash = (kind: string) => kindWords(kind).join("");
/** Strips a collector prefix (`AZOwns` → `owns`, `GHOwns` → `owns`) by matching on the tail. */
const endsWithAny = (s: string, set: ReadonlySet<string>) => [...set].some((w) => s === w || s.endsWith(w));

/**
 * The one access edge whose kind rules fit the ends; the rules never let two fit the same pair.
 * `same_as` and `assumes` are read only from systems that state them (identity linking, AWS trust policies,
 * IdP app roles); a BloodHound edge that merely fits their ends (AdminTo a service account) keeps no edge, as before.
 */
const NOT_INFERRED: ReadonlySet<EdgeKind> = new Set(["same_as", "assumes"]);
export function accessEdgeFor(from: NodeKind, to: NodeKind): EdgeKind | null {
  return ACCESS_EDGE_KINDS.find((k) => !NOT_INFERRED.has(k) && edgeKindMismatch(k, from, to) === null) ?? null;
}

/**
 * The Attest edge for a BloodHound edge of `bhKind` from a `from` node to a `to`
 * node (kinds already mapped), or null when no Attest edge fits those ends.
 * Ownership and management kinds become `owns` / `manages` when the ends allow;
 * every other kind is read as "gives access" and takes the access edge whose
 * rules fit (MemberOf → member_of, HasRole/AdminTo/GenericAll on a role →
 * has_entitlement, a role's permission on an object → grants, ...).
 */
export function mapEdgeKind(bhKind: string, from: NodeKind, to: NodeKind): EdgeDecision | null {
  const s = squash(bhKind);
  const reversed = endsWithAny(s, REVERSED);
  const [a, b] = reversed ? [to, from] : [from, to];
  if (endsWithAny(s, MANAGES) && edgeKindMismatch("manages", a, b) === null) return { kind: "manages", reversed };
  if ((endsWithAny(s, OWNERSHIP) || endsWithAny(s, MANAGES)) && edgeKindMismatch("owns", a, b) === null) return { kind: "owns", reversed };
  const access = accessEdgeFor(a, b);
  return access ? { kind: access, reversed } : null;
}
