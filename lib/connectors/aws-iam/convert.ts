import { createHash } from "node:crypto";
import type { EdgeKind, NodeKind } from "@/lib/graph/model";
import { checkDocument, type ConversionResult, ErrorList, isRecord, isUnsafeKey, own, plural, WarningList } from "@/lib/ingest/convert-util";
import { SOURCE_NAME_RE, importModeSchema, type GraphDocument, type GraphEdgeRecord, type GraphNodeRecord } from "@/lib/ingest/graph-document";
import type { AnswerBundle } from "../bundle";
import type { ConvertOptions } from "../types";
import { CALL } from "./collect";
import { globMatch, isPattern, readPolicy, resourcesOverlap, trustActions, type Statement } from "./policy";
import type { AwsIamSettings, UserRules } from "./settings";

/**
 * GetAccountAuthorizationDetails answers (the CLI's JSON, one object per page)
 * → Attest graph document. Pure and deterministic: no clock, no I/O, never
 * throws on bad input; errors name the page and JSON path, never a value.
 *
 * users → human | service_account (settings.userRules), roles → service_account,
 * groups → group, managed and inline policies → entitlement, resources named by
 * Allow statements → resource; member_of, has_entitlement, grants, assumes.
 */

const MAX_ID = 512;
const MAX_NAME = 1000;
const MAX_LIST = 1000;
const MAX_CONDITIONS = 20;
const MAX_DENY = 20;
const MAX_TAGS = 50;
const MAX_TRUST_ITEMS = 100;

interface Node {
  /** Position in the output, a short key for edges. */
  seq: number;
  kind: NodeKind;
  externalId: string;
  name: string;
  attrs: Record<string, unknown>;
}

interface Inline {
  name: string;
  document: unknown;
  path: string;
}

interface Attachment {
  arn: string;
  name?: string;
}

interface Principal {
  kind: "user" | "group" | "role";
  raw: Record<string, unknown>;
  arn: string;
  name: string;
  account?: string;
  path: string;
  inline: Inline[];
  attached: Attachment[];
}

interface Managed {
  raw: Record<string, unknown>;
  arn: string;
  name: string;
  path: string;
  /** Where it sits in the answers (for warnings). */
  at: string;
}

/** The grants of one entitlement to one resource, merged over its Allow statements. */
interface Grant {
  actions: Set<string>;
  notActions: Set<string>;
  notResources: Set<string>;
  conditions: { actions?: string[]; notActions?: string[]; condition: Record<string, unknown> }[];
  conditionsDropped: number;
}

interface Deny {
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  condition?: Record<string, unknown>;
}

const ARN_RE = /^arn:([a-z-]+):([a-z0-9-]*):([a-z0-9-]*):([^:]*):(.*)$/;
const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;

function accountOf(arn: string): string | undefined {
  const acct = ARN_RE.exec(arn)?.[4];
  return acct && /^\d{12}$/.test(acct) ? acct : undefined;
}

/** An externalId within the import limit: a longer ARN keeps its head and gains a hash of the whole. */
function fitId(id: string, warnings: WarningList): string {
  if (id.length <= MAX_ID) return id;
  warnings.add(
    "long-id",
    (n) => `${plural(n, "ARN or resource")} longer than ${MAX_ID} characters: the externalId keeps the first 440 and a hash of the whole`,
  );
  return `${id.slice(0, 440)}#sha256:${createHash("sha256").update(id).digest("hex").slice(0, 40)}`;
}

const clip = (s: string) => (s.length > MAX_NAME ? s.slice(0, MAX_NAME) : s);

/** An ISO date from the CLI's (`2014-07-30T17:09:20Z`), boto3's (`2019-12-18 19:10:08+00:00`) or the SDK's spelling. */
function isoDate(v: unknown): string | undefined {
  if (typeof v !== "string" && typeof v !== "number") return undefined;
  const t = typeof v === "number" ? v * 1000 : Date.parse(v.includes("T") ? v : v.replace(" ", "T"));
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
}

function uniq(list: Iterable<string>): string[] {
  return [...new Set(list)];
}

function cap(list: string[], attrs: Record<string, unknown>, key: string): void {
  if (list.length === 0) return;
  attrs[key] = list.length > MAX_LIST ? list.slice(0, MAX_LIST) : list;
  if (list.length > MAX_LIST) attrs[`${key}Omitted`] = list.length - MAX_LIST;
}

/** A glob as the admin wrote it, against a name, case-insensitively. */
const globHit = (patterns: readonly string[], value: string) => patterns.some((p) => globMatch(p, value, true));
const prefixHit = (prefixes: readonly string[], path: string) => prefixes.some((p) => path.toLowerCase().startsWith(p.toLowerCase()));

function tagsOf(raw: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  const tags = own(raw, "Tags");
  if (!Array.isArray(tags)) return out;
  for (const t of tags) {
    if (!isRecord(t)) continue;
    const k = text(own(t, "Key"));
    const v = own(t, "Value");
    if (k && !isUnsafeKey(k) && typeof v === "string") out.set(k, v);
  }
  return out;
}

function tagValue(tags: Map<string, string>, key: string): string | undefined {
  const want = key.toLowerCase();
  for (const [k, v] of tags) if (k.toLowerCase() === want) return v;
  return undefined;
}

export interface UserDecision {
  kind: "human" | "service_account";
  rule: string;
  email?: string;
}

/** Person or workload, by the settings' rules (see settings.ts); the e-mail is kept only for a person. */
export function classifyUser(name: string, path: string, tags: Map<string, string>, raw: Record<string, unknown>, rules: UserRules): UserDecision {
  const emailFromName = EMAIL_RE.test(name) ? name.toLowerCase() : undefined;
  const tagEmail = rules.emailTagKeys.map((k) => tagValue(tags, k)?.trim()).find((v) => v !== undefined && EMAIL_RE.test(v));
  const email = emailFromName ?? tagEmail?.toLowerCase();
  const person = (rule: string): UserDecision => ({ kind: "human", rule, ...(email ? { email } : {}) });
  const tagged = tagValue(tags, rules.kindTagKey)?.trim().toLowerCase();
  if (tagged === "human") return person(`tag ${rules.kindTagKey}`);
  if (tagged === "service_account" || tagged === "service-account" || tagged === "service") return { kind: "service_account", rule: `tag ${rules.kindTagKey}` };
  if (globHit(rules.serviceNamePatterns, name)) return { kind: "service_account", rule: "serviceNamePatterns" };
  if (prefixHit(rules.servicePathPrefixes, path)) return { kind: "service_account", rule: "servicePathPrefixes" };
  if (globHit(rules.humanNamePatterns, name)) return person("humanNamePatterns");
  if (prefixHit(rules.humanPathPrefixes, path)) return person("humanPathPrefixes");
  if (rules.emailMeansHuman && email) return person(emailFromName ? "name is an e-mail address" : "e-mail tag");
  if (rules.consoleLoginMeansHuman && (own(raw, "PasswordLastUsed") !== undefined || isRecord(own(raw, "LoginProfile")))) return person("console password");
  return rules.defaultUserKind === "human" ? person("defaultUserKind") : { kind: "service_account", rule: "defaultUserKind" };
}

class Converter {
  readonly errors = new ErrorList();
  readonly warnings = new WarningList();
  readonly users = new Map<string, Principal>();
  readonly groups = new Map<string, Principal>();
  readonly roles = new Map<string, Principal>();
  readonly policies = new Map<string, Managed>();
  readonly nodes = new Map<string, Node>();
  readonly edges = new Map<string, GraphEdgeRecord>();
  /** account/lower-case group name → its node, once built (GroupList names groups by name). */
  readonly groupNodes = new Map<string, Node>();
  /** Managed policy ARNs something in the answers attaches (or uses as a boundary). */
  readonly referenced = new Set<string>();
  merged = { nodes: 0, edges: 0 };
  skipped = { nodes: 0, edges: 0 };

  constructor(private readonly settings: AwsIamSettings) {}

  /** A list where IAM answers a list: absent is empty, one object is read as a list of one (the CLI's documented example does that). */
  list(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    if (isRecord(v)) {
      this.warnings.add(
        `one:${path.replace(/\[\d+\]/g, "[]")}`,
        (n) => `${plural(n, "answer")} had an object where a list is documented (first: ${path}); read as a list of one`,
      );
      return [v];
    }
    this.errors.add(path, "must be a list");
    return [];
  }

  required(obj: Record<string, unknown>, key: string, path: string, check?: (s: string) => boolean): string | undefined {
    const v = text(own(obj, key));
    if (v === undefined) this.errors.add(`${path}.${key}`, "is required (a non-empty string)");
    else if (check && !check(v))
      this.errors.add(`${path}.${key}`, key === "Arn" || key.endsWith("Arn") ? "must be an ARN (arn:partition:service:…)" : "has an unexpected form");
    else return v;
    return undefined;
  }

  readInline(raw: Record<string, unknown>, key: string, path: string): Inline[] {
    const out: Inline[] = [];
    this.list(own(raw, key), `${path}.${key}`).forEach((p, i) => {
      const at = `${path}.${key}[${i}]`;
      if (!isRecord(p)) return this.errors.add(at, "must be an object with PolicyName and PolicyDocument");
      const name = this.required(p, "PolicyName", at);
      if (name) out.push({ name, document: own(p, "PolicyDocument"), path: `${at}.PolicyDocument` });
    });
    return out;
  }

  readAttached(raw: Record<string, unknown>, path: string): Attachment[] {
    const out: Attachment[] = [];
    this.list(own(raw, "AttachedManagedPolicies"), `${path}.AttachedManagedPolicies`).forEach((p, i) => {
      const at = `${path}.AttachedManagedPolicies[${i}]`;
      if (!isRecord(p)) return this.errors.add(at, "must be an object with PolicyArn");
      const arn = this.required(p, "PolicyArn", at, (s) => ARN_RE.test(s));
      if (arn) {
        out.push({ arn, name: text(own(p, "PolicyName")) });
        this.referenced.add(arn);
      }
    });
    const boundary = own(raw, "PermissionsBoundary");
    if (isRecord(boundary)) {
      const arn = text(own(boundary, "PermissionsBoundaryArn"));
      if (arn) this.referenced.add(arn);
    }
    return out;
  }

  readPrincipal(kind: Principal["kind"], raw: unknown, path: string): void {
    if (!isRecord(raw)) return this.errors.add(path, `must be an object (an IAM ${kind})`);
    const nameKey = kind === "user" ? "UserName" : kind === "group" ? "GroupName" : "RoleName";
    const before = this.errors.count;
    const arn = this.required(raw, "Arn", path, (s) => ARN_RE.test(s));
    const name = this.required(raw, nameKey, path);
    const inline = this.readInline(raw, kind === "user" ? "UserPolicyList" : kind === "group" ? "GroupPolicyList" : "RolePolicyList", path);
    const attached = this.readAttached(raw, path);
    if (kind === "user") {
      this.list(own(raw, "GroupList"), `${path}.GroupList`).forEach((g, i) => {
        if (typeof g !== "string") this.errors.add(`${path}.GroupList[${i}]`, "must be a group name (a string)");
      });
    }
    if (this.errors.count > before || !arn || !name) return;
    const map = kind === "user" ? this.users : kind === "group" ? this.groups : this.roles;
    if (map.has(arn)) {
      this.merged.nodes++;
      this.warnings.add(`dup-${kind}`, (n) => `${plural(n, `${kind} was`, `${kind}s were`)} listed twice (on two pages); the first listing is kept`);
      return;
    }
    const p: Principal = { kind, raw, arn, name, account: accountOf(arn), path: text(own(raw, "Path")) ?? "/", inline, attached };
    map.set(arn, p);
  }

  readManaged(raw: unknown, path: string): void {
    if (!isRecord(raw)) return this.errors.add(path, "must be an object (a managed policy)");
    const before = this.errors.count;
    const arn = this.required(raw, "Arn", path, (s) => ARN_RE.test(s));
    const name = this.required(raw, "PolicyName", path);
    this.list(own(raw, "PolicyVersionList"), `${path}.PolicyVersionList`).forEach((v, i) => {
      if (!isRecord(v)) this.errors.add(`${path}.PolicyVersionList[${i}]`, "must be an object with Document and IsDefaultVersion");
    });
    if (this.errors.count > before || !arn || !name) return;
    if (this.policies.has(arn)) {
      this.merged.nodes++;
      return;
    }
    this.policies.set(arn, { raw, arn, name, path: text(own(raw, "Path")) ?? "/", at: path });
  }

  readPage(page: unknown, at: string): void {
    if (!isRecord(page)) return this.errors.add(at, "must be an object (one GetAccountAuthorizationDetails answer)");
    const keys = ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"];
    if (!keys.some((k) => own(page, k) !== undefined) && own(page, "IsTruncated") === undefined)
      return this.errors.add(at, "has none of UserDetailList, GroupDetailList, RoleDetailList, Policies (not a GetAccountAuthorizationDetails answer)");
    this.list(own(page, "UserDetailList"), `${at}.UserDetailList`).forEach((u, i) => this.readPrincipal("user", u, `${at}.UserDetailList[${i}]`));
    this.list(own(page, "GroupDetailList"), `${at}.GroupDetailList`).forEach((g, i) => this.readPrincipal("group", g, `${at}.GroupDetailList[${i}]`));
    this.list(own(page, "RoleDetailList"), `${at}.RoleDetailList`).forEach((r, i) => this.readPrincipal("role", r, `${at}.RoleDetailList[${i}]`));
    this.list(own(page, "Policies"), `${at}.Policies`).forEach((p, i) => this.readManaged(p, `${at}.Policies[${i}]`));
  }

  // ---- graph building ----

  node(kind: NodeKind, externalId: string, name: string, attrs: Record<string, unknown>): Node {
    const id = fitId(externalId, this.warnings);
    const key = `${kind}\u0000${id}`;
    const existing = this.nodes.get(key);
    if (existing) return existing;
    const n: Node = { seq: this.nodes.size, kind, externalId: id, name: clip(name.trim() || id), attrs };
    this.nodes.set(key, n);
    return n;
  }

  edge(kind: EdgeKind, from: Node, to: Node, attrs?: Record<string, unknown>): void {
    if (from === to) {
      this.skipped.edges++;
      this.warnings.add(`self:${kind}`, (n) => `skipped ${plural(n, `${kind} edge`)} from a node to itself (a role that trusts itself)`);
      return;
    }
    const key = `${from.seq},${to.seq},${kind}`;
    if (this.edges.has(key)) {
      this.merged.edges++;
      return;
    }
    const e: GraphEdgeRecord = { kind, from: { kind: from.kind, externalId: from.externalId }, to: { kind: to.kind, externalId: to.externalId } };
    if (attrs && Object.keys(attrs).length) e.attributes = attrs;
    this.edges.set(key, e);
  }

  resource(value: string): Node {
    if (value === "*") return this.node("resource", "*", "all resources", { awsResource: "*", pattern: true, allResources: true });
    const attrs: Record<string, unknown> = { awsResource: value, pattern: isPattern(value) };
    const m = ARN_RE.exec(value);
    if (m) {
      attrs.partition = m[1];
      if (m[2]) attrs.service = m[2];
      if (m[3]) attrs.region = m[3];
      if (m[4]) attrs.awsAccountId = m[4];
    }
    return this.node("resource", value, value, attrs);
  }

  /** The entitlement of one policy document, its grants edges and the Deny statements shown on them. */
  policyGrants(ent: Node, document: unknown, path: string): void {
    const read = readPolicy(document);
    if (!read.ok) {
      this.warnings.add("doc", (n) => `${plural(n, "policy document")} could not be read (first: ${path} ${read.problem}); their entitlements have no grants`);
      ent.attrs.documentUnreadable = true;
      return;
    }
    const grants = new Map<string, Grant>();
    const denies: Deny[] = [];
    let fullAccess = false;
    for (const st of read.statements) {
      if (st.effect === "Deny") {
        if (denies.length < MAX_DENY) denies.push(denyOf(st));
        else ent.attrs.denyOmitted = ((ent.attrs.denyOmitted as number | undefined) ?? 0) + 1;
        continue;
      }
      if (!st.actions && !st.notActions) continue;
      const targets = st.notResources ? ["*"] : (st.resources ?? []);
      if (!st.condition && st.actions?.includes("*") && targets.includes("*") && !st.notResources) fullAccess = true;
      for (const r of targets) {
        let g = grants.get(r);
        if (!g) grants.set(r, (g = { actions: new Set(), notActions: new Set(), notResources: new Set(), conditions: [], conditionsDropped: 0 }));
        for (const a of st.actions ?? []) g.actions.add(a);
        for (const a of st.notActions ?? []) g.notActions.add(a);
        for (const nr of st.notResources ?? []) g.notResources.add(nr);
        if (st.condition) {
          if (g.conditions.length < MAX_CONDITIONS)
            g.conditions.push({
              ...(st.actions ? { actions: st.actions } : {}),
              ...(st.notActions ? { notActions: st.notActions } : {}),
              condition: st.condition,
            });
          else g.conditionsDropped++;
        }
      }
    }
    if (denies.length) ent.attrs.deny = denies;
    if (fullAccess) ent.attrs.fullAccess = true;
    ent.attrs.statements = read.statements.length;
    for (const [r, g] of grants) {
      const attrs: Record<string, unknown> = { actions: [...g.actions].slice(0, MAX_LIST) };
      if (g.actions.size > MAX_LIST) attrs.actionsOmitted = g.actions.size - MAX_LIST;
      cap([...g.notActions], attrs, "notActions");
      cap([...g.notResources], attrs, "notResources");
      if (g.conditions.length) attrs.conditions = g.conditions;
      if (g.conditionsDropped) attrs.conditionsOmitted = g.conditionsDropped;
      const cutting = denies.filter((d) => d.notResources !== undefined || (d.resources ?? []).some((dr) => resourcesOverlap(dr, r)));
      if (cutting.length) attrs.deny = cutting;
      this.edge("grants", ent, this.resource(r), attrs);
    }
  }

  managedNode(arn: string, name?: string): Node {
    const existing = this.nodes.get(`entitlement\u0000${fitId(arn, this.warnings)}`);
    if (existing) return existing;
    const m = this.policies.get(arn);
    const awsManaged = /^arn:[^:]+:iam::aws:policy\//.test(arn);
    const attrs: Record<string, unknown> = { awsType: "managed-policy", arn, managedBy: awsManaged ? "aws" : "customer" };
    if (!m) {
      this.warnings.add(
        "policy-missing",
        (n) => `${plural(n, "attached managed policy", "attached managed policies")} had no entry in Policies; their entitlements have no grants`,
      );
      attrs.documentRead = false;
      return this.node("entitlement", arn, name ?? arn.split("/").pop() ?? arn, attrs);
    }
    const r = m.raw;
    const put = (key: string, v: unknown) => v !== undefined && (attrs[key] = v);
    put("policyId", text(own(r, "PolicyId")));
    put("path", m.path);
    put("description", text(own(r, "Description")));
    put("defaultVersionId", text(own(r, "DefaultVersionId")));
    put("attachmentCount", typeof own(r, "AttachmentCount") === "number" ? own(r, "AttachmentCount") : undefined);
    put("permissionsBoundaryUsageCount", typeof own(r, "PermissionsBoundaryUsageCount") === "number" ? own(r, "PermissionsBoundaryUsageCount") : undefined);
    put("isAttachable", typeof own(r, "IsAttachable") === "boolean" ? own(r, "IsAttachable") : undefined);
    put("createDate", isoDate(own(r, "CreateDate")));
    put("updateDate", isoDate(own(r, "UpdateDate")));
    const account = accountOf(arn);
    if (account) attrs.awsAccountId = account;
    const ent = this.node("entitlement", arn, m.name, attrs);
    const versions = (
      Array.isArray(own(r, "PolicyVersionList"))
        ? (own(r, "PolicyVersionList") as unknown[])
        : isRecord(own(r, "PolicyVersionList"))
          ? [own(r, "PolicyVersionList")]
          : []
    ).filter(isRecord);
    const defaultId = text(own(r, "DefaultVersionId"));
    const chosen =
      versions.find((v) => own(v, "IsDefaultVersion") === true) ?? versions.find((v) => defaultId !== undefined && own(v, "VersionId") === defaultId);
    if (!chosen) {
      this.warnings.add(
        "no-default-version",
        (n) => `${plural(n, "managed policy", "managed policies")} without a default version in PolicyVersionList; their entitlements have no grants`,
      );
      attrs.documentRead = false;
      return ent;
    }
    this.policyGrants(ent, own(chosen, "Document"), `${m.at}.PolicyVersionList[${versions.indexOf(chosen)}].Document`);
    return ent;
  }

  principalAttrs(p: Principal): Record<string, unknown> {
    const r = p.raw;
    const attrs: Record<string, unknown> = { awsType: `iam-${p.kind}`, arn: p.arn, path: p.path };
    const idKey = p.kind === "user" ? "UserId" : p.kind === "group" ? "GroupId" : "RoleId";
    const id = text(own(r, idKey));
    if (id) attrs[p.kind === "user" ? "userId" : p.kind === "group" ? "groupId" : "roleId"] = id;
    if (p.account) attrs.awsAccountId = p.account;
    const created = isoDate(own(r, "CreateDate"));
    if (created) attrs.createDate = created;
    const boundary = own(r, "PermissionsBoundary");
    if (isRecord(boundary) && text(own(boundary, "PermissionsBoundaryArn"))) attrs.permissionsBoundaryArn = text(own(boundary, "PermissionsBoundaryArn"));
    const tags = tagsOf(r);
    if (tags.size) attrs.tags = Object.fromEntries([...tags].slice(0, MAX_TAGS));
    return attrs;
  }

  /** Inline policies and managed attachments of one principal (or group) node. */
  holdings(p: Principal, holder: Node): void {
    for (const a of p.attached) this.edge("has_entitlement", holder, this.managedNode(a.arn, a.name), { attachment: "managed" });
    for (const inl of p.inline) {
      const ent = this.node("entitlement", `${p.arn}#inline/${inl.name}`, `${inl.name} (inline on ${p.name})`, {
        awsType: "inline-policy",
        managedBy: "inline",
        policyName: inl.name,
        attachedTo: p.arn,
        ...(p.account ? { awsAccountId: p.account } : {}),
      });
      this.policyGrants(ent, inl.document, inl.path);
      this.edge("has_entitlement", holder, ent, { attachment: "inline" });
    }
  }

  build(): void {
    const rules = this.settings.userRules;
    for (const g of this.groups.values()) {
      const n = this.node("group", g.arn, g.name, this.principalAttrs(g));
      this.groupNodes.set(`${g.account ?? ""}/${g.name.toLowerCase()}`, n);
      this.holdings(g, n);
    }
    const principalNodes = new Map<string, Node>();
    for (const u of this.users.values()) {
      const attrs = this.principalAttrs(u);
      const tags = tagsOf(u.raw);
      const pwd = isoDate(own(u.raw, "PasswordLastUsed"));
      if (pwd) attrs.passwordLastUsed = pwd;
      if (own(u.raw, "PasswordLastUsed") !== undefined || isRecord(own(u.raw, "LoginProfile"))) attrs.consolePassword = true;
      const d = classifyUser(u.name, u.path, tags, u.raw, rules);
      attrs.classifiedBy = d.rule;
      if (d.kind === "human" && d.email) attrs.email = d.email;
      const n = this.node(d.kind, u.arn, u.name, attrs);
      principalNodes.set(u.arn, n);
      this.holdings(u, n);
      const memberOf = own(u.raw, "GroupList");
      for (const g of Array.isArray(memberOf) ? memberOf : []) {
        if (typeof g !== "string") continue;
        const group = this.groupNodes.get(`${u.account ?? ""}/${g.toLowerCase()}`);
        if (!group) {
          this.skipped.edges++;
          this.warnings.add("group-missing", (n) => `skipped ${plural(n, "membership")} in groups the answers do not list`);
          continue;
        }
        this.edge("member_of", n, group);
      }
    }
    for (const r of this.roles.values()) {
      const attrs = this.principalAttrs(r);
      const put = (key: string, v: unknown) => v !== undefined && (attrs[key] = v);
      put("description", text(own(r.raw, "Description")));
      put("maxSessionDuration", typeof own(r.raw, "MaxSessionDuration") === "number" ? own(r.raw, "MaxSessionDuration") : undefined);
      if (r.path.startsWith("/aws-service-role/")) attrs.serviceLinked = true;
      const lastUsed = own(r.raw, "RoleLastUsed");
      if (isRecord(lastUsed)) {
        put("lastUsed", isoDate(own(lastUsed, "LastUsedDate")));
        put("lastUsedRegion", text(own(lastUsed, "Region")));
      }
      const profiles = (Array.isArray(own(r.raw, "InstanceProfileList")) ? (own(r.raw, "InstanceProfileList") as unknown[]) : [])
        .map((ip) => (isRecord(ip) ? text(own(ip, "Arn")) : undefined))
        .filter((x): x is string => x !== undefined);
      if (profiles.length) attrs.instanceProfiles = profiles.slice(0, MAX_TRUST_ITEMS);
      const n = this.node("service_account", r.arn, r.name, attrs);
      principalNodes.set(r.arn, n);
      this.holdings(r, n);
    }
    // Trust: after every principal has its node, so a role trusting another role finds it.
    const byAccountName = new Map<string, Node | null>();
    for (const p of [...this.users.values(), ...this.roles.values()]) {
      const key = `${p.account ?? ""}/${p.kind}/${p.name.toLowerCase()}`;
      byAccountName.set(key, byAccountName.has(key) ? null : principalNodes.get(p.arn)!);
    }
    for (const r of this.roles.values()) this.trust(r, this.nodes.get(`service_account\u0000${fitId(r.arn, this.warnings)}`)!, principalNodes, byAccountName);
    // AWS managed policies nothing here uses are left out; customer managed ones are kept (an unused grant is still a grant to review).
    let unused = 0;
    for (const m of this.policies.values()) {
      const aws = /^arn:[^:]+:iam::aws:policy\//.test(m.arn);
      const count = (k: string) => (typeof own(m.raw, k) === "number" ? (own(m.raw, k) as number) : 0);
      if (aws && !this.referenced.has(m.arn) && count("AttachmentCount") === 0 && count("PermissionsBoundaryUsageCount") === 0) {
        unused++;
        continue;
      }
      this.managedNode(m.arn);
    }
    if (unused) {
      this.skipped.nodes += unused;
      this.warnings.add("aws-unused", () => `left out ${plural(unused, "AWS managed policy", "AWS managed policies")} that nothing in the account uses`);
    }
  }

  trust(role: Principal, roleNode: Node, principalNodes: Map<string, Node>, byAccountName: Map<string, Node | null>): void {
    const doc = own(role.raw, "AssumeRolePolicyDocument");
    if (doc === undefined) return;
    const read = readPolicy(doc);
    if (!read.ok) {
      this.warnings.add("trust-doc", (n) => `${plural(n, "role trust policy", "role trust policies")} could not be read; those roles have no trust attributes`);
      return;
    }
    const accounts = new Set<string>();
    const services = new Set<string>();
    const federated = new Set<string>();
    const others = new Set<string>();
    const conditions: Record<string, unknown>[] = [];
    let anyone = false;
    let denies = 0;
    for (const st of read.statements) {
      if (st.effect === "Deny") {
        denies++;
        continue;
      }
      const actions = trustActions(st);
      if (actions.length === 0 || !st.principals) continue;
      const pr = st.principals;
      if (st.notPrincipal) {
        anyone = true;
        continue;
      }
      if (pr.any) anyone = true;
      for (const s of pr.service) services.add(s);
      for (const f of pr.federated) federated.add(f);
      for (const c of pr.canonicalUser) others.add(`canonical-user:${c}`);
      for (const a of pr.aws) {
        const target = this.trustedPrincipal(a, principalNodes, byAccountName);
        if (target.node) {
          this.edge("assumes", target.node, roleNode, { actions, ...(st.condition ? { conditions: [st.condition] } : {}) });
          continue;
        }
        if (target.account) accounts.add(target.account);
        if (target.other) others.add(target.other);
      }
      if (st.condition && conditions.length < MAX_CONDITIONS && (pr.any || pr.service.length || pr.federated.length || pr.aws.length))
        conditions.push({ principals: summary(pr), condition: st.condition });
    }
    const attrs = roleNode.attrs;
    if (accounts.size) attrs.trustedAccounts = [...accounts].slice(0, MAX_TRUST_ITEMS);
    if (role.account && accounts.has(role.account)) attrs.trustsOwnAccount = true;
    if (services.size) attrs.trustedServices = [...services].slice(0, MAX_TRUST_ITEMS);
    if (federated.size) attrs.federatedBy = [...federated].slice(0, MAX_TRUST_ITEMS);
    if (others.size) attrs.trustedPrincipals = [...others].slice(0, MAX_TRUST_ITEMS);
    if (anyone) attrs.trustsAnyone = true;
    if (conditions.length) attrs.trustConditions = conditions;
    if (denies) attrs.trustDenyStatements = denies;
    const parts: string[] = [];
    if (anyone) parts.push("anyone");
    if (accounts.size) parts.push(`${plural(accounts.size, "account")}`);
    if (services.size) parts.push(`services: ${[...services].slice(0, 5).join(", ")}${services.size > 5 ? ", …" : ""}`);
    if (federated.size) parts.push(`${plural(federated.size, "identity provider")}`);
    if (others.size) parts.push(`${plural(others.size, "other principal")}`);
    if (parts.length) attrs.trustSummary = parts.join("; ");
  }

  /** One `Principal.AWS` value: a user or role here (an assumes edge), or an account / outside principal (attributes). */
  trustedPrincipal(
    value: string,
    principalNodes: Map<string, Node>,
    byAccountName: Map<string, Node | null>,
  ): { node?: Node; account?: string; other?: string } {
    if (/^\d{12}$/.test(value)) return { account: value };
    const m = ARN_RE.exec(value);
    if (!m) return { other: value.slice(0, 300) }; // a unique id (AIDA…, AROA…): the principal was deleted and re-created
    const account = m[4] ?? "";
    const rest = m[5] ?? "";
    if (m[2] === "iam" && rest === "root") return { account };
    const exact = principalNodes.get(value);
    if (exact) return { node: exact };
    const typed = /^(user|role)\/(?:.*\/)?([^/]+)$/.exec(rest);
    if (m[2] === "iam" && typed) {
      const byName = byAccountName.get(`${account}/${typed[1]}/${typed[2]!.toLowerCase()}`);
      if (byName) return { node: byName };
    }
    if (m[2] === "sts" && /^assumed-role\//.test(rest)) {
      const roleName = rest.split("/")[1] ?? "";
      const byName = byAccountName.get(`${account}/role/${roleName.toLowerCase()}`);
      if (byName) return { node: byName };
    }
    return { other: value.slice(0, 300), ...(/^\d{12}$/.test(account) ? { account } : {}) };
  }

  document(source: string, mode: "full" | "incremental"): GraphDocument {
    const nodes: GraphNodeRecord[] = [];
    for (const n of this.nodes.values()) nodes.push({ kind: n.kind, externalId: n.externalId, name: n.name, attributes: n.attrs });
    return { source, mode, nodes, edges: [...this.edges.values()] };
  }
}

function denyOf(st: Statement): Deny {
  const d: Deny = {};
  if (st.actions) d.actions = st.actions.slice(0, MAX_LIST);
  if (st.notActions) d.notActions = st.notActions.slice(0, MAX_LIST);
  if (st.resources) d.resources = st.resources.slice(0, MAX_LIST);
  if (st.notResources) d.notResources = st.notResources.slice(0, MAX_LIST);
  if (st.condition) d.condition = st.condition;
  return d;
}

function summary(p: { any: boolean; aws: string[]; service: string[]; federated: string[] }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.any) out.any = true;
  if (p.aws.length) out.aws = uniq(p.aws).slice(0, MAX_TRUST_ITEMS);
  if (p.service.length) out.service = uniq(p.service).slice(0, MAX_TRUST_ITEMS);
  if (p.federated.length) out.federated = uniq(p.federated).slice(0, MAX_TRUST_ITEMS);
  return out;
}

/** The pages of GetAccountAuthorizationDetails in a bundle → graph document. */
export function convertIam(bundle: AnswerBundle, opts: ConvertOptions<AwsIamSettings>): ConversionResult {
  const c = new Converter(opts.settings);
  if (typeof opts.source !== "string" || !SOURCE_NAME_RE.test(opts.source))
    c.errors.add("source", "source must be 1-100 letters, digits, dot, dash or underscore");
  const mode = importModeSchema.safeParse(opts.mode);
  if (!mode.success) c.errors.add("mode", "mode must be full or incremental");
  const pages = bundle.pages(CALL);
  if (!pages || pages.length === 0) {
    c.errors.add(CALL, "the answers hold no GetAccountAuthorizationDetails page (the one call this format reads)");
    return { ok: false, errors: c.errors.items };
  }
  const other = bundle.keys().filter((k) => k !== CALL).length;
  if (other) c.warnings.add("other-calls", () => `ignored ${plural(other, "call")} this format does not read (only ${CALL})`);
  pages.forEach((page, i) => c.readPage(page, `${CALL}[page ${i + 1}]`));
  if (c.errors.count > 0 || !mode.success) return { ok: false, errors: c.errors.items };
  c.build();
  const document = c.document(opts.source, mode.data);
  const invalid = checkDocument(document);
  if (invalid.length > 0) return { ok: false, errors: invalid.slice(0, 100) };
  return { ok: true, document, warnings: c.warnings.list(), skipped: c.skipped, merged: c.merged };
}
