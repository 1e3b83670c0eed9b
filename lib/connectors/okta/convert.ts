import { createHash } from "node:crypto";
import type { EdgeKind, NodeKind } from "@/lib/graph/model";
import { edgeKindMismatch } from "@/lib/graph/model";
import { checkDocument, type ConversionResult, ErrorList, isRecord, own, plural, WarningList } from "@/lib/ingest/convert-util";
import type { GraphDocument, GraphEdgeRecord, GraphNodeRecord } from "@/lib/ingest/graph-document";
import { SOURCE_NAME_RE } from "@/lib/ingest/graph-document";
import type { AnswerBundle } from "../bundle";
import type { ConvertOptions } from "../types";

/**
 * Okta Management API (and Okta Identity Governance) answers → Attest graph
 * document. Pure: the same bundle and settings give the same document, for a
 * live run and for an offline `okta-api` import alike. Errors name the call's
 * template, the key's position, the page and a JSON path — never a value.
 */

/** The mapping part of the connector's settings (what an offline import converts with). */
export interface OktaMapping {
  /** Logins matching one of these patterns (`*` = any run of characters, case-insensitive) are service accounts. */
  serviceAccountLogins: string[];
  /** Okta user type ids (`oty…`) whose users are service accounts. */
  serviceAccountUserTypes: string[];
  /** App-assignment profile attributes whose values are roles (one entitlement per value). */
  roleAttributes: string[];
  /**
   * Without `credentials.emails` in the answer, trust `profile.email` as verified once the user has been
   * activated (Okta verifies the primary address during activation unless an admin activated the user
   * without e-mail). With `credentials.emails`, only a VERIFIED PRIMARY address counts.
   */
  trustActivatedEmail: boolean;
}

export const DEFAULT_MAPPING: OktaMapping = {
  serviceAccountLogins: [],
  serviceAccountUserTypes: [],
  roleAttributes: ["samlRoles", "role"],
  trustActivatedEmail: true,
};

/** The calls of the offline layout, as key templates (`{id}` is an Okta id). */
export const OKTA_CALLS = {
  users: "api/v1/users",
  groups: "api/v1/groups",
  groupUsers: "api/v1/groups/{id}/users",
  apps: "api/v1/apps",
  appUsers: "api/v1/apps/{id}/users",
  appGroups: "api/v1/apps/{id}/groups",
  oigEntitlements: "governance/api/v1/entitlements",
  oigGrants: "governance/api/v1/grants",
} as const;

const GROUP_USERS = /^api\/v1\/groups\/([^/]+)\/users$/;
const APP_USERS = /^api\/v1\/apps\/([^/]+)\/users$/;
const APP_GROUPS = /^api\/v1\/apps\/([^/]+)\/groups$/;

/** Statuses of a user who has been activated (and so has proven their primary e-mail, unless activated without it). */
const ACTIVATED = new Set(["ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY", "SUSPENDED", "DEPROVISIONED"]);
/** Statuses in which the account can sign in (after a reset, for expired / locked / recovery). */
const ENABLED = new Set(["ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY"]);

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SAML_PROVIDER_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):saml-provider\/[\w.-]{1,128}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

interface Node {
  /** Position in creation order: edges are keyed by numbers, not by long strings (1M memberships). */
  n: number;
  kind: NodeKind;
  externalId: string;
  name: string;
  attrs: Record<string, unknown>;
}
interface Edge {
  kind: EdgeKind;
  from: Node;
  to: Node;
  attrs: Record<string, unknown>;
}
interface App {
  node: Node;
  label: string;
  /** AWS partition and account of the app's SAML identity provider (the AWS Account Federation app). */
  aws?: { partition: string; account: string };
}

/** Where in the bundle: the call's template, which key of that template, the page, a JSON path. */
function at(template: string, keyIndex: number | null, page: number, path: string): string {
  return `${template}${keyIndex === null ? "" : ` (key ${keyIndex + 1})`} page ${page + 1}${path}`;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "i");
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

/** A stable externalId no longer than the import's limit: long role values are hashed. */
function boundedId(prefix: string, rest: string): string {
  const id = `${prefix}${rest}`;
  if (id.length <= 512) return id;
  return `${prefix}sha256:${createHash("sha256").update(rest).digest("hex")}`;
}

class Builder {
  readonly errors = new ErrorList();
  readonly warnings = new WarningList();
  readonly users = new Map<string, Node>();
  readonly groups = new Map<string, Node>();
  readonly apps = new Map<string, App>();
  readonly entitlements = new Map<string, Node>();
  readonly edges = new Map<EdgeKind, Map<number, Edge>>();
  private nodeCount = 0;
  skippedEdges = 0;
  merged = { nodes: 0, edges: 0 };

  constructor(
    readonly bundle: AnswerBundle,
    readonly mapping: OktaMapping,
  ) {}

  node(kind: NodeKind, externalId: string, name: string, attrs: Record<string, unknown>): Node {
    return { n: this.nodeCount++, kind, externalId, name, attrs };
  }

  skip(key: string, render: (n: number) => string): void {
    this.skippedEdges += 1;
    this.warnings.add(key, render);
  }

  edge(kind: EdgeKind, from: Node, to: Node, attrs: Record<string, unknown> = {}): void {
    if (edgeKindMismatch(kind, from.kind, to.kind)) return this.skip(`misfit:${kind}`, (n) => `skipped ${plural(n, `${kind} edge`)} Attest cannot represent`);
    let byKind = this.edges.get(kind);
    if (!byKind) this.edges.set(kind, (byKind = new Map()));
    const key = from.n * 2 ** 26 + to.n;
    if (byKind.has(key)) {
      this.merged.edges += 1;
      return;
    }
    byKind.set(key, { kind, from, to, attrs });
  }

  /**
   * Each item of every page of these calls: pages must be arrays (Management API) or,
   * with `wrapped`, objects whose `data` is an array (Identity Governance API).
   */
  eachItem(template: string, keys: string[], wrapped: boolean, visit: (item: Record<string, unknown>, path: () => string, key: string) => void): void {
    const indexed = keys.length > 1 || template.includes("{id}");
    keys.forEach((key, k) => {
      const pages = this.bundle.pages(key) ?? [];
      pages.forEach((page, p) => {
        const where = at(template, indexed ? k : null, p, "");
        let list: unknown = page;
        if (wrapped) {
          if (!isRecord(page) || !Array.isArray(own(page, "data")))
            return this.errors.add(where, 'must be an object whose "data" is an array (the Identity Governance list shape)');
          list = own(page, "data");
        } else if (!Array.isArray(page)) return this.errors.add(where, "must be an array (the Management API list shape)");
        (list as unknown[]).forEach((item, i) => {
          // Built only when a problem is found: a million items must not mean a million strings.
          const path = () => at(template, indexed ? k : null, p, `${wrapped ? ".data" : ""}[${i}]`);
          if (!isRecord(item)) return this.errors.add(path(), "must be an object");
          visit(item, path, key);
        });
      });
    });
  }

  /** An item's `id`, or an error at its path. */
  id(item: Record<string, unknown>, path: () => string): string | undefined {
    const id = own(item, "id");
    if (typeof id === "string" && id.trim() !== "" && id.length <= 200) return id.trim();
    this.errors.add(`${path()}.id`, "is required: the object's Okta id (a string)");
    return undefined;
  }
}

function readUsers(b: Builder): void {
  const patterns = b.mapping.serviceAccountLogins.map(globToRegExp);
  const types = new Set(b.mapping.serviceAccountUserTypes);
  b.eachItem(OKTA_CALLS.users, [OKTA_CALLS.users], false, (u, path) => {
    const id = b.id(u, path);
    const profile = own(u, "profile");
    if (!isRecord(profile)) return b.errors.add(`${path()}.profile`, "is required: the user's profile object");
    const status = own(u, "status");
    if (status !== undefined && typeof status !== "string") return b.errors.add(`${path()}.status`, "must be a string");
    if (!id) return;
    if (b.users.has(id)) {
      b.merged.nodes += 1;
      return;
    }
    const login = text(own(profile, "login"));
    const typeRaw = own(u, "type");
    const typeId = isRecord(typeRaw) ? text(own(typeRaw, "id")) : undefined;
    const service = (login !== undefined && patterns.some((r) => r.test(login))) || (typeId !== undefined && types.has(typeId));
    const kind: NodeKind = service ? "service_account" : "human";
    const first = text(own(profile, "firstName"));
    const last = text(own(profile, "lastName"));
    const name = text(own(profile, "displayName")) ?? ([first, last].filter(Boolean).join(" ") || login || id);
    const attrs: Record<string, unknown> = {};
    if (login) attrs.login = login;
    const okStatus = typeof status === "string" ? status : undefined;
    const email = text(own(profile, "email"))?.toLowerCase();
    if (email) {
      const creds = own(u, "credentials");
      const emails = isRecord(creds) ? own(creds, "emails") : undefined;
      let verified: boolean;
      if (Array.isArray(emails))
        verified = emails.some(
          (e) => isRecord(e) && own(e, "type") === "PRIMARY" && own(e, "status") === "VERIFIED" && text(own(e, "value"))?.toLowerCase() === email,
        );
      else verified = b.mapping.trustActivatedEmail && ((okStatus !== undefined && ACTIVATED.has(okStatus)) || typeof own(u, "activated") === "string");
      if (verified) attrs.email = email;
      else {
        attrs.unverifiedEmail = email;
        b.warnings.add(
          "email-unverified",
          (n) => `${plural(n, "user")} with an e-mail address Okta has not verified (kept as unverifiedEmail; not used to link accounts)`,
        );
      }
    }
    if (okStatus) {
      attrs.oktaStatus = okStatus;
      attrs.accountEnabled = ENABLED.has(okStatus);
      attrs.status = ENABLED.has(okStatus) ? "active" : okStatus === "DEPROVISIONED" && kind === "human" ? "terminated" : "inactive";
    }
    if (typeId) attrs.userTypeId = typeId;
    for (const k of ["department", "title", "employeeNumber", "userType", "organization", "division", "costCenter", "manager", "managerId"]) {
      const v = text(own(profile, k));
      if (v) attrs[k] = v;
    }
    for (const k of ["created", "activated", "statusChanged", "lastLogin", "lastUpdated", "passwordChanged"]) {
      const v = text(own(u, k));
      if (v) attrs[k] = v;
    }
    b.users.set(id, b.node(kind, id, name, attrs));
  });
}

function appIdFromHref(v: unknown): string | undefined {
  const href = isRecord(v) ? text(own(v, "href")) : undefined;
  const m = href ? /\/api\/v1\/apps\/([^/?#]+)/.exec(href) : null;
  return m?.[1];
}

function readGroups(b: Builder): void {
  b.eachItem(OKTA_CALLS.groups, [OKTA_CALLS.groups], false, (g, path) => {
    const id = b.id(g, path);
    const profile = own(g, "profile");
    if (!isRecord(profile)) return b.errors.add(`${path()}.profile`, "is required: the group's profile object");
    if (!id) return;
    if (b.groups.has(id)) {
      b.merged.nodes += 1;
      return;
    }
    const attrs: Record<string, unknown> = {};
    const type = text(own(g, "type"));
    if (type) attrs.groupType = type;
    const description = text(own(profile, "description"));
    if (description) attrs.description = description;
    const links = own(g, "_links");
    const sourceApp = isRecord(links) ? appIdFromHref(own(links, "source")) : undefined;
    if (sourceApp) attrs.sourceAppId = sourceApp;
    for (const k of ["created", "lastUpdated", "lastMembershipUpdated"]) {
      const v = text(own(g, k));
      if (v) attrs[k] = v;
    }
    b.groups.set(id, b.node("group", id, text(own(profile, "name")) ?? id, attrs));
  });
}

function keysMatching(b: Builder, re: RegExp): { key: string; id: string }[] {
  const out: { key: string; id: string }[] = [];
  for (const key of b.bundle.keys()) {
    const m = re.exec(key);
    if (m) out.push({ key, id: m[1]! });
  }
  return out.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

function readMemberships(b: Builder): void {
  const keys = keysMatching(b, GROUP_USERS);
  const groupOf = new Map(keys.map((k) => [k.key, k.id]));
  b.eachItem(
    OKTA_CALLS.groupUsers,
    keys.map((k) => k.key),
    false,
    (u, path, key) => {
      const id = b.id(u, path);
      if (!id) return;
      const group = b.groups.get(groupOf.get(key)!);
      if (!group) return b.skip("member-nogroup", (n) => `skipped ${plural(n, "membership")} of groups not in ${OKTA_CALLS.groups}`);
      const user = b.users.get(id);
      if (!user)
        return b.skip(
          "member-nouser",
          (n) => `skipped ${plural(n, "membership")} of users not in ${OKTA_CALLS.users} (deprovisioned users are not listed there)`,
        );
      b.edge("member_of", user, group);
    },
  );
}

function readApps(b: Builder): void {
  b.eachItem(OKTA_CALLS.apps, [OKTA_CALLS.apps], false, (a, path) => {
    const id = b.id(a, path);
    if (!id) return;
    if (b.apps.has(id)) {
      b.merged.nodes += 1;
      return;
    }
    const label = text(own(a, "label")) ?? text(own(a, "name")) ?? id;
    const attrs: Record<string, unknown> = { resourceType: "okta_app" };
    for (const [k, as] of [
      ["name", "appName"],
      ["status", "oktaStatus"],
      ["signOnMode", "signOnMode"],
      ["orn", "orn"],
      ["created", "created"],
      ["lastUpdated", "lastUpdated"],
    ] as const) {
      const v = text(own(a, k));
      if (v) attrs[as] = v;
    }
    const settings = own(a, "settings");
    const appSettings = isRecord(settings) ? own(settings, "app") : undefined;
    const idp = isRecord(appSettings) ? text(own(appSettings, "identityProviderArn")) : undefined;
    const m = idp ? SAML_PROVIDER_ARN.exec(idp) : null;
    if (m) attrs.awsIdentityProviderArn = idp;
    b.apps.set(id, { node: b.node("resource", id, label, attrs), label, aws: m ? { partition: m[1]!, account: m[2]! } : undefined });
  });
}

/** The role values an assignment's profile carries, by attribute. */
function roleValues(b: Builder, profile: unknown): { attr: string; value: string }[] {
  if (!isRecord(profile)) return [];
  const out: { attr: string; value: string }[] = [];
  for (const attr of b.mapping.roleAttributes) {
    const v = own(profile, attr);
    const list = Array.isArray(v) ? v : [v];
    for (const x of list) {
      const s = text(x);
      if (s && s.length <= 2048) out.push({ attr, value: s });
    }
  }
  return out;
}

/** The IAM role ARNs a role value lets its holder assume, when it names one. */
function awsRoleArns(app: App, value: string): string[] {
  const parts = value.split(",").map((s) => s.trim());
  const arns = parts.filter((p) => ROLE_ARN.test(p));
  if (arns.length) return arns;
  if (app.aws && ROLE_NAME.test(value)) return [`arn:${app.aws.partition}:iam::${app.aws.account}:role/${value}`];
  return [];
}

function appEntitlement(b: Builder, app: App, role?: { attr: string; value: string }): Node {
  const externalId = role ? boundedId(`app:${app.node.externalId}:${role.attr}:`, role.value) : `app:${app.node.externalId}`;
  let node = b.entitlements.get(externalId);
  if (node) return node;
  const attrs: Record<string, unknown> = { app: app.node.externalId, entitlementType: role ? "app_role" : "app_assignment" };
  if (role) {
    attrs.attribute = role.attr;
    attrs.value = role.value;
    const arns = awsRoleArns(app, role.value);
    if (arns.length) attrs.awsRoleArns = arns;
  }
  const name = role ? `${app.label}: ${role.attr} ${role.value}` : `assigned to ${app.label}`;
  node = b.node("entitlement", externalId, name.slice(0, 1000), attrs);
  b.entitlements.set(externalId, node);
  b.edge("grants", node, app.node);
  return node;
}

function readAssignments(b: Builder): void {
  for (const [re, template, principals, what] of [
    [APP_USERS, OKTA_CALLS.appUsers, b.users, "user"],
    [APP_GROUPS, OKTA_CALLS.appGroups, b.groups, "group"],
  ] as const) {
    const keys = keysMatching(b, re);
    const appOf = new Map(keys.map((k) => [k.key, k.id]));
    b.eachItem(
      template,
      keys.map((k) => k.key),
      false,
      (a, path, key) => {
        const id = b.id(a, path);
        if (!id) return;
        const app = b.apps.get(appOf.get(key)!);
        if (!app) return b.skip(`assign-noapp:${what}`, (n) => `skipped ${plural(n, `${what} assignment`)} to apps not in ${OKTA_CALLS.apps}`);
        // An app user whose scope is GROUP holds the app through a group's assignment, read from that group.
        if (what === "user" && own(a, "scope") === "GROUP")
          return b.warnings.add(
            "assign-via-group",
            (n) => `${plural(n, "app user")} assigned through a group (read as the group's assignment, reached by membership)`,
          );
        const principal = principals.get(id);
        if (!principal)
          return b.skip(`assign-noprincipal:${what}`, (n) => `skipped ${plural(n, `${what} assignment`)} whose ${what} is not in the ${what}s list`);
        const attrs: Record<string, unknown> = { assignment: what === "user" ? "direct" : "group" };
        for (const k of what === "user" ? ["status", "syncState", "scope"] : ["priority"]) {
          const v = own(a, k);
          if (typeof v === "string" || typeof v === "number") attrs[k === "status" ? "appUserStatus" : k] = v;
        }
        if (what === "user") {
          const creds = own(a, "credentials");
          const userName = isRecord(creds) ? text(own(creds, "userName")) : undefined;
          if (userName) attrs.appUserName = userName;
        }
        const roles = roleValues(b, own(a, "profile"));
        if (roles.length === 0) b.edge("has_entitlement", principal, appEntitlement(b, app), attrs);
        for (const r of roles) b.edge("has_entitlement", principal, appEntitlement(b, app, r), attrs);
      },
    );
  }
}

function readGovernance(b: Builder): void {
  const hasEnt = b.bundle.has(OKTA_CALLS.oigEntitlements);
  const hasGrants = b.bundle.has(OKTA_CALLS.oigGrants);
  if (!hasEnt && !hasGrants) {
    b.warnings.add(
      "oig-missing",
      () =>
        "no Okta Identity Governance answers (governance/api/v1/entitlements, grants): the tenant may not have Identity Governance, or the credential lacks okta.governance.entitlements.read; entitlements and grants were not read",
    );
    return;
  }
  const props = new Map<string, { name: string; description?: string }>();
  b.eachItem(OKTA_CALLS.oigEntitlements, [OKTA_CALLS.oigEntitlements], true, (e, path) => {
    const id = b.id(e, path);
    if (!id) return;
    props.set(id, { name: text(own(e, "name")) ?? text(own(e, "externalValue")) ?? id, description: text(own(e, "description")) });
  });
  b.eachItem(OKTA_CALLS.oigGrants, [OKTA_CALLS.oigGrants], true, (g, path) => {
    const id = b.id(g, path);
    const target = own(g, "target");
    const principal = own(g, "targetPrincipal");
    if (!isRecord(target)) return b.errors.add(`${path()}.target`, "is required: the granted resource {externalId, type}");
    if (!isRecord(principal)) return b.errors.add(`${path()}.targetPrincipal`, "is required: the grantee {externalId, type}");
    if (!id) return;
    const status = own(g, "status");
    if ((status !== undefined && status !== "ACTIVE") || own(g, "action") === "DENY")
      return b.skip("oig-inactive", (n) => `skipped ${plural(n, "grant")} that are not active or deny access`);
    const grantType = text(own(g, "grantType")) ?? "UNKNOWN";
    if (own(target, "type") !== "APPLICATION") return b.skip("oig-target", (n) => `skipped ${plural(n, "grant")} on resources other than apps`);
    const app = b.apps.get(text(own(target, "externalId")) ?? "");
    if (!app) return b.skip("oig-noapp", (n) => `skipped ${plural(n, "grant")} on apps not in ${OKTA_CALLS.apps}`);
    const pType = own(principal, "type");
    const pid = text(own(principal, "externalId")) ?? "";
    const holder = pType === "OKTA_USER" ? b.users.get(pid) : pType === "OKTA_GROUP" ? b.groups.get(pid) : undefined;
    if (!holder) return b.skip("oig-noprincipal", (n) => `skipped ${plural(n, "grant")} whose grantee is not a listed user or group`);
    const attrs = { grantId: id, grantType };
    if (grantType === "POLICY")
      return b.skip(
        "oig-policy",
        (n) => `skipped ${plural(n, "POLICY grant")}: their entitlements follow the app's policy rules (principal-entitlements), which are not read`,
      );
    if (grantType === "ENTITLEMENT-BUNDLE") {
      const bundleId = text(own(g, "entitlementBundleId"));
      if (!bundleId) return b.errors.add(`${path()}.entitlementBundleId`, "is required for an ENTITLEMENT-BUNDLE grant");
      const externalId = `oig-bundle:${bundleId}`;
      let node = b.entitlements.get(externalId);
      if (!node) {
        node = b.node("entitlement", externalId, `${app.label}: entitlement bundle ${bundleId}`, {
          app: app.node.externalId,
          entitlementType: "oig_bundle",
          bundleId,
        });
        b.entitlements.set(externalId, node);
        b.edge("grants", node, app.node);
      }
      return b.edge("has_entitlement", holder, node, attrs);
    }
    const ents = own(g, "entitlements");
    if (!Array.isArray(ents))
      return b.skip("oig-noents", (n) => `skipped ${plural(n, "grant")} that list no entitlements (read with include=full_entitlements)`);
    ents.forEach((ent, i) => {
      if (!isRecord(ent)) return b.errors.add(`${path()}.entitlements[${i}]`, "must be an object");
      const entId = text(own(ent, "id"));
      const values = own(ent, "values");
      if (!entId || !Array.isArray(values)) return b.errors.add(`${path()}.entitlements[${i}]`, "must have an id and a values array");
      const prop = props.get(entId);
      const propName = text(own(ent, "name")) ?? prop?.name ?? entId;
      values.forEach((v, j) => {
        const vid = isRecord(v) ? text(own(v, "id")) : undefined;
        if (!isRecord(v) || !vid) return b.errors.add(`${path()}.entitlements[${i}].values[${j}].id`, "is required: the entitlement value's id");
        const externalId = `oig:${vid}`;
        let node = b.entitlements.get(externalId);
        if (!node) {
          const external = text(own(v, "externalValue"));
          const label = text(own(v, "name")) ?? external ?? vid;
          const nattrs: Record<string, unknown> = { app: app.node.externalId, entitlementType: "oig_value", oigEntitlementId: entId, oigEntitlement: propName };
          if (external) nattrs.externalValue = external;
          const description = text(own(v, "description")) ?? prop?.description;
          if (description) nattrs.description = description;
          const arns = external ? awsRoleArns(app, external) : [];
          if (arns.length) nattrs.awsRoleArns = arns;
          node = b.node("entitlement", externalId, `${app.label}: ${propName} = ${label}`.slice(0, 1000), nattrs);
          b.entitlements.set(externalId, node);
          b.edge("grants", node, app.node);
        }
        b.edge("has_entitlement", holder, node, attrs);
      });
    });
  });
}

const toNode = (n: Node): GraphNodeRecord => ({ kind: n.kind, externalId: n.externalId, name: n.name, attributes: n.attrs });
const toEdge = (e: Edge): GraphEdgeRecord => ({
  kind: e.kind,
  from: { kind: e.from.kind, externalId: e.from.externalId },
  to: { kind: e.to.kind, externalId: e.to.externalId },
  attributes: e.attrs,
});

export function convertOkta(bundle: AnswerBundle, opts: ConvertOptions<OktaMapping>): ConversionResult {
  const b = new Builder(bundle, { ...DEFAULT_MAPPING, ...opts.settings });
  if (typeof opts.source !== "string" || !SOURCE_NAME_RE.test(opts.source))
    b.errors.add("source", "source must be 1-100 letters, digits, dot, dash or underscore");
  if (!bundle.has(OKTA_CALLS.users)) b.errors.add(OKTA_CALLS.users, "is required: the answers of GET /api/v1/users");
  if (b.errors.count) return { ok: false, errors: b.errors.items };
  readUsers(b);
  if (bundle.has(OKTA_CALLS.groups)) readGroups(b);
  else b.warnings.add("groups-missing", () => `no ${OKTA_CALLS.groups} answers: groups and memberships were not read`);
  readMemberships(b);
  if (bundle.has(OKTA_CALLS.apps)) readApps(b);
  else b.warnings.add("apps-missing", () => `no ${OKTA_CALLS.apps} answers: apps and their assignments were not read`);
  readAssignments(b);
  readGovernance(b);
  if (b.errors.count) return { ok: false, errors: b.errors.items };
  const nodes = [...b.users.values(), ...b.groups.values(), ...[...b.apps.values()].map((a) => a.node), ...b.entitlements.values()];
  const document: GraphDocument = {
    source: opts.source,
    mode: opts.mode,
    nodes: nodes.map(toNode),
    edges: [...b.edges.values()].flatMap((m) => [...m.values()].map(toEdge)),
  };
  const invalid = checkDocument(document);
  if (invalid.length) return { ok: false, errors: invalid.slice(0, 100) };
  return { ok: true, document, warnings: b.warnings.list(), skipped: { nodes: 0, edges: b.skippedEdges }, merged: b.merged };
}
