import { edgeKindMismatch, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import type { GraphDocument, GraphEdgeRecord, GraphNodeRecord } from "@/lib/ingest/graph-document";
import { checkDocument, type ConversionResult, ErrorList, isRecord, own, plural, WarningList } from "@/lib/ingest/convert-util";
import type { AnswerBundle } from "../bundle";
import { classifyKey, keyShape, type CallKind } from "./calls";

/**
 * Microsoft Graph answers (users, groups, members, applications, service
 * principals, app role assignments, delegated permission grants, owners,
 * Entra Agent ID identities, blueprints and sponsors) → Attest graph document.
 * Pure and deterministic: no clock, no network, never throws on bad input.
 * Errors name the call's shape, the page and the JSON path, never a value.
 * The mapping table is in docs/connectors/entra.md.
 */
export interface EntraConvertOptions {
  source: string;
  mode: "full" | "incremental";
}

/** Tenants Microsoft's own first-party applications are registered in. */
export const MICROSOFT_TENANTS: ReadonlySet<string> = new Set(["f8cdef31-a31e-4b4a-93e4-5f571e91255a", "72f988bf-86f1-41af-91ab-2d7cd011db47"]);
const DEFAULT_ACCESS_ROLE = "00000000-0000-0000-0000-000000000000";
const MAX_ID = 512;
const MAX_NAME = 1000;
/** Per-user consents listed on a delegated-scope entitlement before only the count is kept. */
const MAX_CONSENTED_LISTED = 200;

interface Node {
  /** Position in creation order: edge keys use it instead of the long ids. */
  i: number;
  kind: NodeKind;
  externalId: string;
  name: string;
  attrs: Record<string, unknown>;
  /** The node as an edge end, one object shared by all its edges. */
  ref: { kind: NodeKind; externalId: string };
}
interface Edge {
  kind: EdgeKind;
  from: Node;
  to: Node;
  attrs?: Record<string, unknown>;
}
/** One object of a collection answer; its JSON path is built only when a message needs it. */
class Item {
  constructor(
    readonly obj: Record<string, unknown>,
    private readonly at: string,
    private readonly index: number,
  ) {}
  get path(): string {
    return `${this.at}: value[${this.index}]`;
  }
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const odataType = (o: Record<string, unknown>): string => (text(own(o, "@odata.type")) ?? "").replace(/^#/, "").toLowerCase();

/** AWS role (and IAM Identity Center permission set) ARNs in an app role's value: `arn:…:role/X,arn:…:saml-provider/Y`. */
export function awsRoleArns(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(",")) {
    const p = part.trim();
    if (/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(p) || /^arn:aws[a-z-]*:sso:::permissionSet\/[\w/-]+$/.test(p)) out.push(p);
  }
  return out;
}

class Builder {
  readonly errors = new ErrorList();
  readonly warnings = new WarningList();
  /** Every directory object's node by its object id (an application's id points at its service principal's node). */
  readonly byObjectId = new Map<string, Node>();
  readonly nodes = new Map<string, Node>();
  /** Edges by kind, then by (from, to) node positions packed into one number. */
  readonly edges = new Map<EdgeKind, Map<number, Edge>>();
  /** Service principals by id (their appRoles and names), and by appId. */
  readonly sps = new Map<string, Record<string, unknown>>();
  readonly spByAppId = new Map<string, Node>();
  readonly resources = new Map<string, Node>();
  skipped = { nodes: 0, edges: 0 };
  merged = { nodes: 0, edges: 0 };

  node(kind: NodeKind, externalId: string, name: string, attrs: Record<string, unknown>): Node {
    const key = `${kind}\u0000${externalId}`;
    const found = this.nodes.get(key);
    if (found) {
      this.merged.nodes += 1;
      Object.assign(found.attrs, attrs);
      return found;
    }
    const n: Node = { i: this.nodes.size, kind, externalId, name: name.slice(0, MAX_NAME), attrs, ref: { kind, externalId } };
    this.nodes.set(key, n);
    return n;
  }

  edge(kind: EdgeKind, from: Node, to: Node, attrs?: Record<string, unknown>): void {
    const misfit = edgeKindMismatch(kind, from.kind, to.kind);
    if (misfit) {
      this.skipped.edges += 1;
      this.warnings.add(`misfit:${kind}:${from.kind}:${to.kind}`, (n) => `skipped ${plural(n, `${kind} edge`)}: ${misfit}`);
      return;
    }
    if (from === to) {
      this.skipped.edges += 1;
      return;
    }
    let byPair = this.edges.get(kind);
    if (!byPair) this.edges.set(kind, (byPair = new Map()));
    // Exact for up to 2^26 nodes (2^52 < Number.MAX_SAFE_INTEGER).
    const key = from.i * 67_108_864 + to.i;
    const found = byPair.get(key);
    if (!found) return void byPair.set(key, { kind, from, to, attrs });
    this.merged.edges += 1;
    if (kind === "owns" && found.attrs && attrs) {
      const roles = new Set<string>([...((found.attrs.roles as string[] | undefined) ?? [found.attrs.role as string]), attrs.role as string]);
      found.attrs.roles = [...roles].sort();
    }
  }
}

/** The `value` items of each page of one call; a page without the documented shape is an error. */
function items(b: Builder, bundle: AnswerBundle, key: string, where: string): Item[] {
  const out: Item[] = [];
  const pages = bundle.pages(key) ?? [];
  pages.forEach((page, p) => {
    const at = `${where}, page ${p + 1}`;
    if (!isRecord(page)) return b.errors.add(at, 'must be an object with a "value" list (a Graph collection answer)');
    const value = own(page, "value");
    if (!Array.isArray(value)) return b.errors.add(`${at}: value`, "must be a list of objects");
    value.forEach((raw, i) => {
      if (!isRecord(raw)) return b.errors.add(`${at}: value[${i}]`, "must be an object");
      const id = own(raw, "id");
      if (typeof id !== "string" || !id.trim()) return b.errors.add(`${at}: value[${i}].id`, "is required (a directory object id)");
      if (id.length > MAX_ID) return b.errors.add(`${at}: value[${i}].id`, `is longer than ${MAX_ID} characters`);
      out.push(new Item(raw, at, i));
    });
  });
  return out;
}

function optionalString(b: Builder, it: Item, field: string): string | undefined {
  const v = own(it.obj, field);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") {
    b.errors.add(`${it.path}.${field}`, "must be a string");
    return undefined;
  }
  return v.trim() || undefined;
}

function optionalBool(b: Builder, it: Item, field: string): boolean | undefined {
  const v = own(it.obj, field);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") {
    b.errors.add(`${it.path}.${field}`, "must be true or false");
    return undefined;
  }
  return v;
}

const status = (enabled: boolean | undefined) => (enabled === false ? { status: "inactive" } : enabled === true ? { status: "active" } : {});

function readUsers(b: Builder, list: Item[]): void {
  for (const it of list) {
    const id = it.obj.id as string;
    const upn = optionalString(b, it, "userPrincipalName");
    const mail = optionalString(b, it, "mail");
    const enabled = optionalBool(b, it, "accountEnabled");
    const userType = optionalString(b, it, "userType");
    const employeeId = optionalString(b, it, "employeeId");
    const attrs: Record<string, unknown> = { entraType: "user", ...status(enabled) };
    if (upn) attrs.upn = upn.toLowerCase();
    // Only `mail` (the address Entra says is the user's): otherMails and proxyAddresses are not verified ownership.
    if (mail) attrs.email = mail.toLowerCase();
    if (enabled !== undefined) attrs.accountEnabled = enabled;
    if (userType) attrs.userType = userType;
    if (userType === "Guest") attrs.guest = true;
    if (employeeId) attrs.employeeId = employeeId;
    const n = b.node("human", id, text(own(it.obj, "displayName")) ?? upn ?? id, attrs);
    b.byObjectId.set(id, n);
  }
}

function readGroups(b: Builder, list: Item[]): void {
  for (const it of list) {
    const id = it.obj.id as string;
    const attrs: Record<string, unknown> = { entraType: "group" };
    const mail = optionalString(b, it, "mail");
    if (mail) attrs.mail = mail.toLowerCase();
    const security = optionalBool(b, it, "securityEnabled");
    if (security !== undefined) attrs.securityEnabled = security;
    const types = own(it.obj, "groupTypes");
    if (Array.isArray(types)) {
      const t = types.filter((x): x is string => typeof x === "string");
      attrs.groupTypes = t;
      if (t.includes("DynamicMembership")) attrs.dynamicMembership = true;
    }
    const n = b.node("group", id, text(own(it.obj, "displayName")) ?? id, attrs);
    b.byObjectId.set(id, n);
  }
}

/** Credential metadata of an application or service principal: dates and ids, never `hint`, `key` or `secretText`. */
function readCredentials(b: Builder, it: Item, holder: Node, ownerKind: "application" | "servicePrincipal"): void {
  for (const [field, type] of [
    ["passwordCredentials", "client_secret"],
    ["keyCredentials", "certificate"],
  ] as const) {
    const list = own(it.obj, field);
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      b.errors.add(`${it.path}.${field}`, "must be a list");
      continue;
    }
    list.forEach((raw, i) => {
      if (!isRecord(raw)) return b.errors.add(`${it.path}.${field}[${i}]`, "must be an object");
      const keyId = text(own(raw, "keyId"));
      if (!keyId) return b.warnings.add(`cred-nokey:${field}`, (n) => `${plural(n, "credential")} without keyId skipped (first: ${it.path}.${field}[${i}])`);
      const attrs: Record<string, unknown> = { type, storage: "entra", credentialOf: ownerKind };
      const start = text(own(raw, "startDateTime"));
      const end = text(own(raw, "endDateTime"));
      if (start) attrs.issuedAt = start;
      if (end) attrs.expiresAt = end;
      const usage = text(own(raw, "usage"));
      if (usage) attrs.usage = usage;
      const label = text(own(raw, "displayName"));
      const cred = b.node(
        "credential",
        `${holder.externalId}/${type === "client_secret" ? "password" : "key"}/${keyId}`,
        `${holder.name}: ${label ?? (type === "client_secret" ? "client secret" : "certificate")}`,
        attrs,
      );
      if (holder.kind === "agent" || holder.kind === "service_account") b.edge("uses_credential", holder, cred);
    });
  }
}

/** Agent identities (service principals of type agentIdentity), blueprints (applications), service principals, applications. */
function readApps(b: Builder, lists: { sps: Item[]; agents: Item[]; blueprints: Item[]; apps: Item[] }): void {
  const agentIds = new Set(lists.agents.map((a) => a.obj.id as string));
  for (const sp of lists.sps) if (odataType(sp.obj) === "microsoft.graph.agentidentity") agentIds.add(sp.obj.id as string);
  const blueprintAppIds = new Map<string, Node>();
  const blueprintIds = new Set(lists.blueprints.map((x) => x.obj.id as string));
  for (const app of lists.apps) if (odataType(app.obj) === "microsoft.graph.agentidentityblueprint") blueprintIds.add(app.obj.id as string);

  const readBlueprint = (it: Item) => {
    const id = it.obj.id as string;
    const appId = optionalString(b, it, "appId");
    const attrs: Record<string, unknown> = { entraType: "agentIdentityBlueprint" };
    if (appId) attrs.appId = appId;
    const audience = optionalString(b, it, "signInAudience");
    if (audience) attrs.signInAudience = audience;
    const created = optionalString(b, it, "createdDateTime");
    if (created) attrs.createdDateTime = created;
    const n = b.node("agent", id, text(own(it.obj, "displayName")) ?? appId ?? id, attrs);
    b.byObjectId.set(id, n);
    if (appId) blueprintAppIds.set(appId, n);
    readCredentials(b, it, n, "application");
  };
  for (const it of lists.blueprints) readBlueprint(it);
  for (const it of lists.apps) if (blueprintIds.has(it.obj.id as string)) readBlueprint(it);

  const agentItems = new Map<string, Item[]>();
  for (const it of [...lists.agents, ...lists.sps.filter((s) => agentIds.has(s.obj.id as string))]) {
    const l = agentItems.get(it.obj.id as string) ?? [];
    l.push(it);
    agentItems.set(it.obj.id as string, l);
  }
  for (const [id, its] of agentItems) {
    const attrs: Record<string, unknown> = { entraType: "agentIdentity" };
    let name: string | undefined;
    for (const it of its) {
      name ??= text(own(it.obj, "displayName"));
      const blueprintAppId = optionalString(b, it, "agentIdentityBlueprintId");
      if (blueprintAppId) {
        attrs.agentIdentityBlueprintId = blueprintAppId;
        const bp = blueprintAppIds.get(blueprintAppId);
        if (bp) attrs.blueprint = bp.externalId;
      }
      const enabled = optionalBool(b, it, "accountEnabled");
      if (enabled !== undefined) Object.assign(attrs, { accountEnabled: enabled }, status(enabled));
      for (const f of ["appId", "servicePrincipalType", "createdByAppId", "createdDateTime"]) {
        const v = optionalString(b, it, f);
        if (v) attrs[f] = v;
      }
    }
    const n = b.node("agent", id, name ?? id, attrs);
    b.byObjectId.set(id, n);
    b.sps.set(id, its[its.length - 1]!.obj);
    for (const it of its) readCredentials(b, it, n, "servicePrincipal");
  }
  const blueprintCounts = new Map<Node, number>();
  for (const id of agentItems.keys()) {
    const bpId = b.byObjectId.get(id)!.attrs.blueprint;
    const bp = typeof bpId === "string" ? b.nodes.get(`agent\u0000${bpId}`) : undefined;
    if (bp) blueprintCounts.set(bp, (blueprintCounts.get(bp) ?? 0) + 1);
  }
  for (const [bp, n] of blueprintCounts) bp.attrs.agentIdentityCount = n;

  for (const it of lists.sps) {
    const id = it.obj.id as string;
    if (agentIds.has(id)) continue;
    const appId = optionalString(b, it, "appId");
    // A blueprint's own principal (agentIdentityBlueprintPrincipal, same appId) is the blueprint in this graph.
    const bp = appId ? blueprintAppIds.get(appId) : undefined;
    if (bp) {
      b.byObjectId.set(id, bp);
      b.sps.set(id, it.obj);
      bp.attrs.blueprintPrincipalId = id;
      continue;
    }
    const attrs: Record<string, unknown> = { entraType: "servicePrincipal" };
    if (appId) attrs.appId = appId;
    for (const f of ["servicePrincipalType", "appOwnerOrganizationId", "preferredSingleSignOnMode"]) {
      const v = optionalString(b, it, f);
      if (v) attrs[f] = v;
    }
    if (typeof attrs.appOwnerOrganizationId === "string" && MICROSOFT_TENANTS.has(attrs.appOwnerOrganizationId)) attrs.microsoftFirstParty = true;
    const enabled = optionalBool(b, it, "accountEnabled");
    if (enabled !== undefined) Object.assign(attrs, { accountEnabled: enabled }, status(enabled));
    const required = optionalBool(b, it, "appRoleAssignmentRequired");
    if (required !== undefined) attrs.appRoleAssignmentRequired = required;
    const roles = own(it.obj, "appRoles");
    if (roles !== undefined && roles !== null && !Array.isArray(roles)) b.errors.add(`${it.path}.appRoles`, "must be a list");
    const n = b.node("service_account", id, text(own(it.obj, "displayName")) ?? appId ?? id, attrs);
    b.byObjectId.set(id, n);
    b.sps.set(id, it.obj);
    if (appId) b.spByAppId.set(appId, n);
    readCredentials(b, it, n, "servicePrincipal");
  }

  for (const it of lists.apps) {
    const id = it.obj.id as string;
    if (blueprintIds.has(id)) continue;
    const appId = optionalString(b, it, "appId");
    const audience = optionalString(b, it, "signInAudience");
    const sp = appId ? b.spByAppId.get(appId) : undefined;
    // An application registration and its service principal in this tenant are one identity here: the registration's
    // facts (object id, audience, secrets, owners) land on the principal's node.
    const holder =
      sp ??
      b.node("service_account", id, text(own(it.obj, "displayName")) ?? appId ?? id, {
        entraType: "application",
        ...(appId ? { appId } : {}),
        hasServicePrincipal: false,
      });
    holder.attrs.applicationObjectId = id;
    if (audience) holder.attrs.signInAudience = audience;
    b.byObjectId.set(id, holder);
    readCredentials(b, it, holder, "application");
  }
}

/** The node a directory object in a member / owner / sponsor list stands for, by its id (its @odata.type decides nothing we do not know). */
function memberNode(b: Builder, it: Item, what: string): Node | undefined {
  const n = b.byObjectId.get(it.obj.id as string);
  if (n) return n;
  // The type is remote text: only a plain Graph type name is repeated in the warning.
  const raw = odataType(it.obj);
  const type = /^microsoft\.graph\.[a-z]{1,60}$/.test(raw) ? raw : "directoryObject";
  b.skipped.edges += 1;
  b.warnings.add(
    `unknown:${what}:${type}`,
    (c) => `${plural(c, what)} of type ${type.replace("microsoft.graph.", "")} that this connector did not read (first: ${it.path}) skipped`,
  );
  return undefined;
}

function readMembers(b: Builder, groupId: string, list: Item[], where: string): void {
  const group = b.byObjectId.get(groupId);
  if (!group || group.kind !== "group") {
    b.warnings.add("members-nogroup", (n) => `${plural(n, "member list")} of a group not in the groups answer skipped (first: ${where})`);
    return;
  }
  for (const it of list) {
    const m = memberNode(b, it, "group member");
    if (m) b.edge("member_of", m, group);
  }
}

function readOwners(b: Builder, objectId: string, list: Item[], where: string, role: "technical" | "business"): void {
  const target = b.byObjectId.get(objectId);
  if (!target) {
    b.warnings.add(
      `owners-notarget:${role}`,
      (n) => `${plural(n, role === "business" ? "sponsor list" : "owner list")} of an object not read skipped (first: ${where})`,
    );
    return;
  }
  for (const it of list) {
    const o = memberNode(b, it, role === "business" ? "sponsor" : "owner");
    if (!o) continue;
    if (o.kind !== "human" && o.kind !== "group") {
      b.skipped.edges += 1;
      b.warnings.add(
        `owner-kind:${o.kind}:${role}`,
        (n) =>
          `${plural(n, role === "business" ? "sponsor" : "owner")} that ${n === 1 ? "is" : "are"} a ${o.kind.replace("_", " ")} kept out of the graph (only people and groups own; first: ${it.path})`,
      );
      continue;
    }
    b.edge("owns", o, target, { role });
  }
}

/** The `resource` node standing for an application as a target of its roles and scopes. */
function resourceFor(b: Builder, spId: string): Node | undefined {
  const found = b.resources.get(spId);
  if (found) return found;
  const sp = b.sps.get(spId);
  const holder = b.byObjectId.get(spId);
  if (!sp || !holder) return undefined;
  const attrs: Record<string, unknown> = { entraType: "application" };
  const appId = text(own(sp, "appId"));
  if (appId) attrs.appId = appId;
  const r = b.node("resource", spId, holder.name, attrs);
  b.resources.set(spId, r);
  return r;
}

function readAssignments(b: Builder, resourceSpId: string, list: Item[], where: string): void {
  const sp = b.sps.get(resourceSpId);
  const holder = b.byObjectId.get(resourceSpId);
  if (!sp || !holder) {
    b.warnings.add("assign-nosp", (n) => `${plural(n, "app role assignment list")} of a service principal not read skipped (first: ${where})`);
    return;
  }
  const rolesRaw = own(sp, "appRoles");
  const roles = new Map<string, Record<string, unknown>>();
  if (Array.isArray(rolesRaw)) for (const r of rolesRaw) if (isRecord(r) && typeof r.id === "string") roles.set(r.id, r);
  for (const it of list) {
    const roleId = optionalString(b, it, "appRoleId");
    const principalId = optionalString(b, it, "principalId");
    if (!roleId) b.errors.add(`${it.path}.appRoleId`, "is required");
    if (!principalId) b.errors.add(`${it.path}.principalId`, "is required");
    if (!roleId || !principalId) continue;
    const principal = b.byObjectId.get(principalId);
    if (!principal) {
      b.skipped.edges += 1;
      b.warnings.add("assign-noprincipal", (n) => `${plural(n, "app role assignment")} to a principal not read skipped (first: ${it.path})`);
      continue;
    }
    const role = roles.get(roleId);
    const value = role ? text(own(role, "value")) : undefined;
    const roleName = role ? (text(own(role, "displayName")) ?? value) : undefined;
    const label = roleId === DEFAULT_ACCESS_ROLE ? "default access" : (roleName ?? `app role ${roleId}`);
    const attrs: Record<string, unknown> = { entraType: "appRole", appRoleId: roleId, resourceId: resourceSpId };
    if (value) attrs.value = value;
    if (role && Array.isArray(role.allowedMemberTypes)) attrs.allowedMemberTypes = role.allowedMemberTypes.filter((x) => typeof x === "string");
    const appId = text(own(sp, "appId"));
    if (appId) attrs.resourceAppId = appId;
    if (value) {
      const arns = awsRoleArns(value);
      if (arns.length) attrs.awsRoleArns = arns;
    }
    const ent = b.node("entitlement", `${resourceSpId}/appRole/${roleId}`, `${holder.name}: ${label}`, attrs);
    b.edge("has_entitlement", principal, ent, { via: "appRoleAssignment" });
    b.edge("grants", ent, resourceFor(b, resourceSpId)!);
  }
}

function readGrants(b: Builder, list: Item[]): void {
  const consented = new Map<Node, Set<string>>();
  for (const it of list) {
    const clientId = optionalString(b, it, "clientId");
    const resourceId = optionalString(b, it, "resourceId");
    const consentType = optionalString(b, it, "consentType");
    const principalId = optionalString(b, it, "principalId");
    const scope = optionalString(b, it, "scope");
    if (!clientId) b.errors.add(`${it.path}.clientId`, "is required");
    if (!resourceId) b.errors.add(`${it.path}.resourceId`, "is required");
    if (!clientId || !resourceId) continue;
    if (!scope) continue;
    const client = b.byObjectId.get(clientId);
    const resource = resourceFor(b, resourceId);
    if (!client || !resource) {
      b.skipped.edges += 1;
      b.warnings.add("grant-unknown", (n) => `${plural(n, "delegated permission grant")} naming a client or API not read skipped (first: ${it.path})`);
      continue;
    }
    for (const s of [...new Set(scope.split(/\s+/).filter(Boolean))].sort()) {
      const ent = b.node("entitlement", `${clientId}/delegated/${resourceId}/${s}`.slice(0, MAX_ID), `${client.name} → ${resource.name}: ${s} (delegated)`, {
        entraType: "delegatedScope",
        scope: s,
        clientId,
        resourceId,
      });
      const all = consentType === "AllPrincipals";
      if (all) ent.attrs.consentType = "AllPrincipals";
      else if (ent.attrs.consentType !== "AllPrincipals") ent.attrs.consentType = consentType ?? "Principal";
      if (!all && principalId) {
        const set = consented.get(ent) ?? new Set<string>();
        set.add(principalId);
        consented.set(ent, set);
      }
      b.edge("has_entitlement", client, ent, { via: "oauth2PermissionGrant" });
      b.edge("grants", ent, resource);
    }
  }
  for (const [ent, set] of consented) {
    const ids = [...set].sort();
    ent.attrs.consentedPrincipalCount = ids.length;
    ent.attrs.consentedPrincipalIds = ids.slice(0, MAX_CONSENTED_LISTED);
  }
}

const CALL_LABEL: Record<CallKind, string> = {
  users: "users",
  groups: "groups",
  groupMembers: "group members",
  applications: "applications",
  applicationOwners: "application owners",
  servicePrincipals: "service principals",
  spOwners: "service principal owners",
  spAppRoleAssignedTo: "app role assignments",
  oauth2PermissionGrants: "delegated permission grants",
  agentIdentities: "agent identities",
  agentIdentitySponsors: "agent identity sponsors",
  blueprints: "agent identity blueprints",
  blueprintSponsors: "blueprint sponsors",
};

export function convertEntra(bundle: AnswerBundle, opts: EntraConvertOptions): ConversionResult {
  const b = new Builder();
  const byKind = new Map<CallKind, { key: string; id?: string; where: string }[]>();
  bundle.keys().forEach((key, i) => {
    const c = classifyKey(key);
    if (!c) return b.warnings.add("unknown-key", (n) => `${plural(n, "call")} this connector does not read ignored (first: key ${i + 1})`);
    const list = byKind.get(c.kind) ?? [];
    list.push({ key, id: c.id, where: `${keyShape(key)} (key ${i + 1})` });
    byKind.set(c.kind, list);
  });
  if (byKind.size === 0)
    return {
      ok: false,
      errors: [{ path: "calls", message: "holds none of the Microsoft Graph calls this format reads (users, groups, servicePrincipals, ...)" }],
    };
  for (const k of ["users", "groups", "servicePrincipals", "applications", "oauth2PermissionGrants"] as const)
    if (!byKind.has(k)) b.warnings.add(`missing:${k}`, () => `${k} was not read: the graph holds no ${CALL_LABEL[k]} from this tenant`);
  if (!byKind.has("agentIdentities"))
    b.warnings.add("missing:agents", () => "Entra Agent ID identities were not read (no permission, or not available in this tenant)");

  const all = (kind: CallKind) => (byKind.get(kind) ?? []).flatMap((c) => items(b, bundle, c.key, c.where));
  const each = (kind: CallKind, fn: (id: string, list: Item[], where: string) => void) => {
    for (const c of byKind.get(kind) ?? []) fn(c.id!, items(b, bundle, c.key, c.where), c.where);
  };

  readUsers(b, all("users"));
  readGroups(b, all("groups"));
  readApps(b, { sps: all("servicePrincipals"), agents: all("agentIdentities"), blueprints: all("blueprints"), apps: all("applications") });
  each("groupMembers", (id, list, where) => readMembers(b, id, list, where));
  each("applicationOwners", (id, list, where) => readOwners(b, id, list, where, "technical"));
  each("spOwners", (id, list, where) => readOwners(b, id, list, where, "technical"));
  each("agentIdentitySponsors", (id, list, where) => readOwners(b, id, list, where, "business"));
  each("blueprintSponsors", (id, list, where) => readOwners(b, id, list, where, "business"));
  each("spAppRoleAssignedTo", (id, list, where) => readAssignments(b, id, list, where));
  const sponsored = new Set((byKind.get("agentIdentitySponsors") ?? []).map((c) => c.id!.toLowerCase()));
  let unsponsored = 0;
  for (const n of b.nodes.values())
    if (n.kind === "agent" && n.attrs.entraType === "agentIdentity" && !sponsored.has(n.externalId.toLowerCase())) unsponsored += 1;
  if (unsponsored)
    b.warnings.add(
      "sponsors-unread",
      () =>
        `the sponsors of ${plural(unsponsored, "agent identity", "agent identities")} were not read (Graph serves them only with AgentIdentity.ReadWrite.All); their business owners are missing`,
    );
  readGrants(b, all("oauth2PermissionGrants"));

  if (b.errors.count) return { ok: false, errors: b.errors.items };
  const nodes: GraphNodeRecord[] = [...b.nodes.values()].map((n) => ({ kind: n.kind, externalId: n.externalId, name: n.name, attributes: n.attrs }));
  const edges: GraphEdgeRecord[] = [];
  for (const byPair of b.edges.values())
    for (const e of byPair.values())
      edges.push(e.attrs ? { kind: e.kind, from: e.from.ref, to: e.to.ref, attributes: e.attrs } : { kind: e.kind, from: e.from.ref, to: e.to.ref });
  const document: GraphDocument = { source: opts.source, mode: opts.mode, nodes, edges };
  const problems = checkDocument(document);
  if (problems.length) return { ok: false, errors: problems.slice(0, 100) };
  return { ok: true, document, warnings: b.warnings.list().slice(0, 200), skipped: b.skipped, merged: b.merged };
}
