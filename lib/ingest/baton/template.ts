import { edgeKindMismatch, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { importModeSchema, SOURCE_NAME_RE, type GraphDocument, type GraphEdgeRecord, type GraphNodeRecord, type ImportMode } from "@/lib/ingest/graph-document";
import { checkDocument, type ConversionResult, ErrorList, isRecord, own, plural, safeEntries, WarningList } from "@/lib/ingest/convert-util";
import { normaliseDate } from "./dates";
import { isDateKey, isMembershipSlug, optionalObject, optionalText, requiredText, resourceKind, section, userKind, userStatus } from "./fields";

/**
 * ConductorOne Baton file-connector template (the JSON form of baton-file's
 * users / resources / entitlements / grants) → Attest graph document. Pure and
 * never throws. YAML and XLSX templates are not parsed here (that needs a
 * dependency); a caller that has parsed them into the same object can pass it in.
 */
export interface BatonOptions {
  source: string;
  mode?: ImportMode;
}
export type { ConversionResult };

interface Node {
  kind: NodeKind;
  externalId: string;
  name: string;
  attrs: Map<string, unknown>;
}
interface Entitlement {
  node: Node;
  /** The group this entitlement is membership of; grants of it become member_of edges. */
  membershipOf?: Node;
}
interface Edge {
  kind: EdgeKind;
  from: Node;
  to: Node;
  attrs: Map<string, unknown>;
}

class Builder {
  readonly errors = new ErrorList();
  readonly warnings = new WarningList();
  readonly users = new Map<string, Node>();
  readonly resources = new Map<string, Node>();
  readonly entitlements = new Map<string, Entitlement>();
  readonly edges = new Map<string, Edge>();
  skippedEdges = 0;
  merged = { nodes: 0, edges: 0 };

  /** Copies untrusted keys through a Map, dropping prototype-reaching ones with a warning naming the path. */
  copyInto(attrs: Map<string, unknown>, obj: Record<string, unknown>, path: string, dates: boolean): void {
    const { map, dropped } = safeEntries(obj);
    for (const k of dropped) this.warnings.add(`unsafe:${path}.${k}`, () => `${path}.${k}: field dropped (the name "${k}" is reserved)`);
    for (const [k, v] of map) attrs.set(k, dates && isDateKey(k) ? this.date(v, `${path}.${k}`) : v);
  }

  /** ISO 8601 when readable; otherwise the raw value stays and a warning says where. */
  date(v: unknown, path: string): unknown {
    if (v === undefined || v === null || v === "") return v;
    const iso = normaliseDate(v);
    if (iso) return iso;
    this.warnings.add(
      `date:${path}`,
      () => `${path}: "${String(v)}" is not a date we can read (YYYY-MM-DD, MM/DD/YYYY, ISO 8601 or an Excel serial); kept as given`,
    );
    return v;
  }

  /** False for a repeated identifier: the first record wins, later ones are counted and named in a warning. */
  isNew(map: Map<string, unknown>, key: string, what: string, path: string): boolean {
    if (!map.has(key)) return true;
    this.merged.nodes += 1;
    this.warnings.add(`dup:${what}:${key}`, (n) => `${path}: ${what} "${key}" appears ${n + 1} times; the first one is kept`);
    return false;
  }

  skip(key: string, render: (n: number) => string): void {
    this.skippedEdges += 1;
    this.warnings.add(key, render);
  }

  edge(kind: EdgeKind, from: Node, to: Node, attrs: Map<string, unknown>, path: string): void {
    const misfit = edgeKindMismatch(kind, from.kind, to.kind);
    if (misfit) return this.skip(`misfit:${kind}:${from.kind}:${to.kind}`, (n) => `skipped ${plural(n, `${kind} edge`)} (first: ${path}): ${misfit}`);
    if (from === to) return this.skip(`self:${path}`, () => `${path}: skipped a ${kind} edge from "${from.externalId}" to itself`);
    const key = [kind, from.kind, from.externalId, to.kind, to.externalId].join("\u0000");
    if (!this.edges.has(key)) return void this.edges.set(key, { kind, from, to, attrs });
    this.merged.edges += 1;
    this.warnings.add(
      `dup-edge:${key}`,
      (n) => `${path}: the same ${kind} edge from "${from.externalId}" to "${to.externalId}" is given ${n + 1} times; kept once`,
    );
  }
}

function readUsers(b: Builder, list: unknown[]): void {
  list.forEach((raw, i) => {
    const path = `users[${i}]`;
    if (!isRecord(raw)) return b.errors.add(path, "each user must be an object with name and display_name");
    const before = b.errors.count;
    const name = requiredText(raw, "name", path, b.errors);
    const display = optionalText(raw, "display_name", path, b.errors);
    const email = optionalText(raw, "email", path, b.errors);
    const status = optionalText(raw, "status", path, b.errors);
    const type = optionalText(raw, "type", path, b.errors);
    const profile = optionalObject(raw, "profile", path, b.errors);
    // Excel serials arrive as numbers, so last_login is read raw rather than as text.
    const lastLogin = own(raw, "last_login");
    if (lastLogin !== undefined && lastLogin !== null && typeof lastLogin !== "string" && typeof lastLogin !== "number")
      b.errors.add(`${path}.last_login`, "last_login must be a date string or an Excel serial number");
    if (b.errors.count > before || !name) return;
    const { kind, known } = userKind(type);
    if (!known) b.warnings.add(`type:${type}`, (n) => `${plural(n, "user")} with type "${type}" (first: ${path}.type) read as human, Baton's default`);
    const attrs = new Map<string, unknown>();
    if (profile) b.copyInto(attrs, profile, `${path}.profile`, true);
    if (email) attrs.set("email", email);
    const mapped = userStatus(kind, status);
    if (mapped) attrs.set("status", mapped);
    else b.warnings.add(`status:${status}`, (n) => `${plural(n, "user")} with status "${status}" (first: ${path}.status): unknown status, none recorded`);
    if (status) attrs.set("batonStatus", status);
    if (type) attrs.set("batonType", type);
    if (lastLogin !== undefined && lastLogin !== null && lastLogin !== "") attrs.set("lastLogin", b.date(lastLogin, `${path}.last_login`));
    if (b.isNew(b.users, name, "user", path)) b.users.set(name, { kind, externalId: name, name: display ?? name, attrs });
  });
}

function readResources(b: Builder, list: unknown[]): void {
  list.forEach((raw, i) => {
    const path = `resources[${i}]`;
    if (!isRecord(raw)) return b.errors.add(path, "each resource must be an object with resource_type, resource_function, name and display_name");
    const before = b.errors.count;
    const name = requiredText(raw, "name", path, b.errors);
    const type = optionalText(raw, "resource_type", path, b.errors);
    const fn = optionalText(raw, "resource_function", path, b.errors);
    const display = optionalText(raw, "display_name", path, b.errors);
    const description = optionalText(raw, "description", path, b.errors);
    const parent = optionalText(raw, "parent_resource", path, b.errors);
    if (b.errors.count > before || !name) return;
    const attrs = new Map<string, unknown>([
      ["resourceType", type ?? ""],
      ["resourceFunction", fn ?? ""],
    ]);
    if (description) attrs.set("description", description);
    // Baton's parent is scope (a role inside a workspace), not membership; Attest has no edge for it, so it stays an attribute.
    if (parent) attrs.set("parentResource", parent);
    if (b.users.has(name)) b.warnings.add(`shadow:${name}`, () => `${path}.name: "${name}" is also a user; grants to "${name}" go to the user`);
    if (b.isNew(b.resources, name, "resource", path)) b.resources.set(name, { kind: resourceKind(type, fn), externalId: name, name: display ?? name, attrs });
  });
  for (const r of b.resources.values()) {
    const parent = r.attrs.get("parentResource");
    if (typeof parent === "string" && !b.resources.has(parent) && !b.users.has(parent))
      b.warnings.add(`parent:${r.externalId}`, () => `resources: parent_resource "${parent}" of "${r.externalId}" is not a user or resource in this file`);
  }
}

function readEntitlements(b: Builder, list: unknown[]): void {
  list.forEach((raw, i) => {
    const path = `entitlements[${i}]`;
    if (!isRecord(raw)) return b.errors.add(path, "each entitlement must be an object with resource_name, entitlement and display_name");
    const before = b.errors.count;
    const resourceName = requiredText(raw, "resource_name", path, b.errors);
    const slug = requiredText(raw, "entitlement", path, b.errors);
    const display = optionalText(raw, "display_name", path, b.errors);
    const description = optionalText(raw, "description", path, b.errors);
    if (b.errors.count > before || !resourceName || !slug) return;
    const key = `${resourceName}:${slug}`;
    if (key.length > 512) return b.errors.add(path, "resource_name:entitlement is longer than 512 characters");
    if (!b.isNew(b.entitlements, key, "entitlement", path)) return;
    const resource = b.resources.get(resourceName);
    const attrs = new Map<string, unknown>([
      ["batonResource", resourceName],
      ["slug", slug],
    ]);
    if (description) attrs.set("description", description);
    // Baton display names often repeat the resource's ("Development Workspace"); add the slug so the two read apart.
    const name = display && display !== resource?.name ? display : `${display ?? resourceName} (${slug})`;
    const node: Node = { kind: "entitlement", externalId: key, name, attrs };
    const membership = resource?.kind === "group" && isMembershipSlug(slug);
    if (membership) attrs.set("membership", true);
    b.entitlements.set(key, { node, membershipOf: membership ? resource : undefined });
    // Membership of a group is expressed by member_of edges, so such entitlements need no grants edge.
    if (membership) return;
    if (!resource)
      return b.skip(`nores:${resourceName}`, () => `${path}.resource_name: "${resourceName}" is not a resource in this file; ${key} grants nothing`);
    b.edge("grants", node, resource, new Map([["batonEntitlement", key]]), path);
  });
}

function readGrants(b: Builder, list: unknown[]): void {
  list.forEach((raw, i) => {
    const path = `grants[${i}]`;
    if (!isRecord(raw)) return b.errors.add(path, "each grant must be an object with principal and entitlement_id");
    const before = b.errors.count;
    const principal = requiredText(raw, "principal", path, b.errors);
    const entitlementId = requiredText(raw, "entitlement_id", path, b.errors);
    if (b.errors.count > before || !principal || !entitlementId) return;
    const ent = b.entitlements.get(entitlementId);
    if (!ent)
      return b.skip(
        `noent:${entitlementId}`,
        (n) => `skipped ${plural(n, "grant")} of "${entitlementId}" (first: ${path}.entitlement_id): no such entitlement in this file`,
      );
    // A principal is a user or resource name, or an entitlement key: "everyone holding X" (Baton grant expansion).
    const expansion = b.users.has(principal) || b.resources.has(principal) ? undefined : b.entitlements.get(principal);
    const from = b.users.get(principal) ?? b.resources.get(principal) ?? expansion?.membershipOf;
    if (!from) {
      const why = expansion
        ? "its holders are not a group, and Attest cannot grant to holders of an entitlement"
        : "no user, resource or entitlement has that name";
      return b.skip(`noprin:${principal}`, (n) => `skipped ${plural(n, "grant")} to "${principal}" (first: ${path}.principal): ${why}`);
    }
    const attrs = new Map<string, unknown>([
      ["batonPrincipal", principal],
      ["batonEntitlement", entitlementId],
    ]);
    if (expansion) attrs.set("batonExpansion", true);
    if (ent.membershipOf) b.edge("member_of", from, ent.membershipOf, attrs, path);
    else b.edge("has_entitlement", from, ent.node, attrs, path);
  });
}

const toNode = (n: Node): GraphNodeRecord => ({ kind: n.kind, externalId: n.externalId, name: n.name.slice(0, 1000), attributes: Object.fromEntries(n.attrs) });
const toEdge = (e: Edge): GraphEdgeRecord => ({
  kind: e.kind,
  from: { kind: e.from.kind, externalId: e.from.externalId },
  to: { kind: e.to.kind, externalId: e.to.externalId },
  attributes: Object.fromEntries(e.attrs),
});

const SECTIONS = ["users", "resources", "entitlements", "grants"] as const;

export function convertBatonTemplate(input: unknown, opts: BatonOptions): ConversionResult {
  const b = new Builder();
  // typeof first: RegExp.test would turn undefined into the string "undefined", which matches.
  if (typeof opts?.source !== "string" || !SOURCE_NAME_RE.test(opts.source))
    b.errors.add("source", "source must be 1-100 letters, digits, dot, dash or underscore");
  const mode = importModeSchema.safeParse(opts?.mode ?? "incremental");
  if (!mode.success) b.errors.add("mode", "mode must be full or incremental");
  if (!isRecord(input) || !SECTIONS.some((k) => Object.hasOwn(input, k))) {
    b.errors.add("(root)", "a Baton template must be a JSON object with users, resources, entitlements and grants arrays");
    return { ok: false, errors: b.errors.items };
  }
  const [users, resources, entitlements, grants] = SECTIONS.map((k) => section(input, k, b.errors)) as [unknown[], unknown[], unknown[], unknown[]];
  // Order matters: entitlements look up resources, grants look up all three.
  readUsers(b, users);
  readResources(b, resources);
  readEntitlements(b, entitlements);
  readGrants(b, grants);
  if (b.errors.count > 0 || !mode.success) return { ok: false, errors: b.errors.items };
  const nodes = [...b.users.values(), ...b.resources.values(), ...[...b.entitlements.values()].map((e) => e.node)];
  const document: GraphDocument = { source: opts.source, mode: mode.data, nodes: nodes.map(toNode), edges: [...b.edges.values()].map(toEdge) };
  const invalid = checkDocument(document);
  if (invalid.length > 0) return { ok: false, errors: invalid };
  return { ok: true, document, warnings: b.warnings.list(), skipped: { nodes: 0, edges: b.skippedEdges }, merged: b.merged };
}
