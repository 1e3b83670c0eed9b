import { canonicalJson } from "@/lib/audit/canonical-json";
import { ignoreOr, type Leniency } from "./config";
import { ScimError, invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from "./errors";
import { parsePath, type AttrPath, type Filter } from "./filter";
import { getCi, matchesFilter } from "./filter-match";
import { isObj, normalizeValue, type Obj } from "./resource-shape";
import { caseExactAt, extensionOf, PATCH_OP_SCHEMA, subAttribute, topAttribute, type AttributeDef, type ResourceSchema } from "./schema";

/**
 * SCIM PATCH (RFC 7644 §3.5.2) applied to a resource object, without I/O.
 *
 * Where the RFC is silent or clients deviate, the choices are those of SCIMMY's
 * tables and of the IdPs that push to us:
 * - op names are case-insensitive (Entra ID sends "Replace", "Add", "Remove");
 * - without a path, each key of the value object is itself a path
 *   (`"name.givenName"`, `"urn:…:enterprise:2.0:User:manager"`), and read-only
 *   keys in it (id, meta, schemas) are ignored, since Okta echoes them;
 * - replace with a path to a complex attribute replaces it whole (SCIMMY);
 * - add/replace through a value filter that matches nothing appends a new element
 *   built from the filter's `eq` terms (`emails[type eq "work"].value` on a user
 *   without a work email), and answers noTarget when the filter is not such a conjunction;
 * - remove through a filter that matches nothing changes nothing, so retries are idempotent;
 * - remove of a multi-valued attribute with a value removes the listed elements
 *   (Entra ID removes group members this way; `"$ref": null` matches an element without $ref);
 * - lenient sources (`lx` not strict) ignore, recording their paths: members of the
 *   message or of an operation other than schemas/Operations and op/path/value (the
 *   reference collection sends `"name": "addMember"`, Okta and others an `id`), and
 *   operations on attributes or extensions the schema does not have.
 */

export type PatchOpName = "add" | "remove" | "replace";
export interface PatchOperation {
  op: PatchOpName;
  path?: string;
  value?: unknown;
}

const MAX_OPERATIONS = 1000;

/** Validates a PatchOp message (schemas, Operations) and returns its operations with lower-cased op names. */
export function parsePatchRequest(body: unknown, lx?: Leniency): PatchOperation[] {
  if (!isObj(body)) throw invalidSyntax("the body must be a PatchOp message object");
  const raw = getCi(body, "schemas");
  // A lenient source also takes the URN as a bare string instead of a list.
  const schemas = typeof raw === "string" && lx && !lx.strict ? [raw] : raw;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`schemas must be ["${PATCH_OP_SCHEMA}"]`);
  }
  for (const k of Object.keys(body)) {
    if (!["schemas", "operations"].includes(k.toLowerCase())) ignoreOr(lx, k, () => invalidSyntax(`${k} is not a field of a PatchOp message`));
  }
  const ops = getCi(body, "Operations");
  if (!Array.isArray(ops) || ops.length === 0) throw invalidValue("Operations must be a non-empty list");
  if (ops.length > MAX_OPERATIONS) throw invalidValue(`Operations may hold at most ${MAX_OPERATIONS} operations`);
  return ops.map((o, i) => {
    const where = `Operations[${i}]`;
    if (!isObj(o)) throw invalidSyntax(`${where} must be an object`);
    for (const k of Object.keys(o)) {
      if (!["op", "path", "value"].includes(k)) ignoreOr(lx, `${where}.${k}`, () => invalidSyntax(`${where}.${k} is not a field of a patch operation`));
    }
    const op = typeof o.op === "string" ? o.op.toLowerCase() : "";
    if (op !== "add" && op !== "remove" && op !== "replace") throw invalidSyntax(`${where}.op must be add, remove or replace`);
    if (o.path !== undefined && typeof o.path !== "string") throw invalidPath(`${where}.path must be a string`);
    if (op === "remove" && !o.path) throw noTarget(`${where}: remove needs a path`);
    if (op !== "remove" && o.value === undefined) throw invalidValue(`${where}: ${op} needs a value`);
    return { op, path: o.path as string | undefined, value: o.value };
  });
}

/** Applies the operations in order to a copy of `resource`; any failing operation fails the whole request. */
export function applyPatch(resource: Obj, ops: readonly PatchOperation[], rs: ResourceSchema, lx?: Leniency): Obj {
  const target = structuredClone(resource);
  for (const op of ops) {
    if (op.path) apply(target, op.op, parsePath(op.path), op.value, rs, lx);
    else applyWithoutPath(target, op, rs, lx);
  }
  return target;
}

function applyWithoutPath(target: Obj, op: PatchOperation, rs: ResourceSchema, lx?: Leniency): void {
  if (!isObj(op.value)) throw invalidValue(`${op.op} without a path needs an object value`);
  for (const [key, v] of Object.entries(op.value)) {
    if (["schemas", "meta"].includes(key.toLowerCase())) continue;
    if (key.toLowerCase() === "id") {
      if (v !== getCi(target, "id")) throw mutability("id is read-only");
      continue;
    }
    const ext = extensionOf(rs, key);
    if (ext) {
      if (!isObj(v)) throw invalidValue(`${ext.id} must be an object`);
      for (const [k, x] of Object.entries(v)) apply(target, op.op, { urn: ext.id, segments: [{ name: k }] }, x, rs, lx);
      continue;
    }
    let path: AttrPath;
    try {
      path = parsePath(key);
    } catch (e) {
      // A key that is not even a path (a custom extension's odd URN) is unknown like any other.
      if (!(e instanceof ScimError)) throw e;
      ignoreOr(lx, key, () => e);
      continue;
    }
    apply(target, op.op, path, v, rs, lx);
  }
}

/** A path that is only an extension's URN: remove drops the extension, add and replace apply to each attribute given. */
function applyToExtension(target: Obj, op: PatchOpName, path: AttrPath, value: unknown, rs: ResourceSchema, lx?: Leniency): void {
  const ext = path.urn ? extensionOf(rs, path.urn) : undefined;
  if (!ext) return ignoreOr(lx, path.urn ?? "", () => invalidPath(`${path.urn ?? "the path"} is not a schema extension of ${rs.name}`));
  if (op === "remove" || value === null) {
    deleteCi(target, ext.id);
    return;
  }
  if (!isObj(value)) throw invalidValue(`${ext.id} must be an object`);
  for (const [k, x] of Object.entries(value)) apply(target, op, { urn: ext.id, segments: [{ name: k }] }, x, rs, lx);
}

interface Resolved {
  container: Obj;
  key: string;
  def: AttributeDef;
  filter?: Filter;
  sub?: AttributeDef;
  urn?: string;
}

/** Where a path points: the object holding the attribute, its key there, its definition, and any value filter and sub-attribute. */
function resolve(target: Obj, path: AttrPath, rs: ResourceSchema, create: boolean, lx?: Leniency): Resolved | undefined {
  const [first, second, ...rest] = path.segments;
  const shown = JSON.stringify([path.urn, ...path.segments.map((s) => s.name)].filter(Boolean).join(":"));
  if (!first) throw invalidPath(`path ${shown} names a schema, not an attribute`);
  if (rest.length || second?.filter) throw invalidPath(`path ${shown} is deeper than attribute.subAttribute`);
  const top = topAttribute(rs, first.name, path.urn);
  const named = [path.urn, path.segments.map((s) => s.name).join(".")].filter(Boolean).join(":");
  if (!top) return void ignoreOr(lx, named, () => invalidPath(`${first.name} is not an attribute of ${rs.name}`));
  if (top.def.mutability === "readOnly") throw mutability(`${top.def.name} is read-only`);
  if (first.filter && !top.def.multiValued) throw invalidPath(`${top.def.name} is not multi-valued, so it takes no value filter`);
  let container: Obj | undefined = target;
  if (top.extension) {
    const key = Object.keys(target).find((k) => k.toLowerCase() === top.extension!.toLowerCase()) ?? top.extension;
    if (!isObj(target[key])) {
      if (!create) return undefined;
      target[key] = {};
    }
    container = target[key] as Obj;
  }
  const sub = second ? subAttribute(top.def, second.name) : undefined;
  if (second && !sub) return void ignoreOr(lx, named, () => invalidPath(`${second.name} is not a sub-attribute of ${top.def.name}`));
  if (sub?.mutability === "readOnly") throw mutability(`${top.def.name}.${sub.name} is read-only`);
  const key = Object.keys(container).find((k) => k.toLowerCase() === top.def.name.toLowerCase()) ?? top.def.name;
  return { container, key, def: top.def, filter: first.filter, sub, urn: top.extension };
}

function apply(target: Obj, op: PatchOpName, path: AttrPath, value: unknown, rs: ResourceSchema, lx?: Leniency): void {
  if (path.segments.length === 0) return applyToExtension(target, op, path, value, rs, lx);
  const r = resolve(target, path, rs, op !== "remove", lx);
  if (!r) return; // removing from an extension the resource does not have, or an ignored unknown attribute
  const { container, key, def, filter, sub } = r;
  const where = sub ? `${def.name}.${sub.name}` : def.name;
  // An explicit null is "unassigned": replace with null removes (as several IdPs send it).
  if (value === null && op !== "remove") return apply(target, "remove", path, undefined, rs, lx);

  if (!def.multiValued) {
    if (op === "remove") {
      if (!sub) delete container[key];
      else if (isObj(container[key])) {
        deleteCi(container[key] as Obj, sub.name);
        if (Object.keys(container[key] as Obj).length === 0) delete container[key];
      }
      return;
    }
    if (sub) {
      const obj = isObj(container[key]) ? (container[key] as Obj) : (container[key] = {});
      setCi(obj as Obj, sub.name, normalizeValue(sub, value, where, lx));
      return;
    }
    const nv = normalizeValue(def, value, where, lx);
    // add merges into a complex value (RFC 7644 §3.5.2.1); replace sets it whole.
    if (op === "add" && def.type === "complex" && isObj(container[key]) && isObj(nv)) Object.assign(container[key] as Obj, nv);
    else container[key] = nv;
    return;
  }

  const list = Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
  const caseExact = (urn: string | undefined, names: readonly string[]) => caseExactAt(rs, urn ?? r.urn, names);
  const matches = filter ? list.filter((el) => isObj(el) && matchesFilter(el, filter, { caseExact: (u, n) => caseExact(u, [def.name, ...n]) })) : list;

  if (op === "remove") {
    let keep: unknown[];
    if (sub) {
      for (const el of matches) if (isObj(el)) deleteCi(el, sub.name);
      keep = list;
    } else if (filter) keep = list.filter((el) => !matches.includes(el));
    else if (value !== undefined) keep = list.filter((el) => !selectedBy(el, value));
    else keep = [];
    if (keep.length) container[key] = keep;
    else delete container[key];
    return;
  }

  if (!filter && !sub) {
    const added = normalizeValue(def, value, where, lx) as unknown[];
    const base = op === "add" ? list : [];
    const seen = new Set(base.map((el) => canonicalJson(el)));
    container[key] = [...base, ...added.filter((el) => !seen.has(canonicalJson(el)))];
    keepOnePrimary(container[key] as unknown[], added);
    return;
  }

  // From here: a value filter, a sub-attribute, or both.
  const created = !(matches.length || (!filter && list.length));
  const targets = created ? [appendFromFilter(container, key, list, filter, where)] : matches;
  for (const [i, el] of targets.entries()) {
    if (!isObj(el)) continue;
    if (sub) setCi(el, sub.name, normalizeValue(sub, value, where, lx));
    else {
      const nv = normalizeValue({ ...def, multiValued: false }, value, where, lx) as Obj;
      // A new element keeps the filter's terms (type "work") under what the value says.
      if (op === "add" || created) Object.assign(el, nv);
      else {
        for (const k of Object.keys(el)) delete el[k];
        Object.assign(el, nv);
      }
    }
    if (i === targets.length - 1) keepOnePrimary(container[key] as unknown[], [el]);
  }
}

/** A new element for a filter that matched nothing: its `eq` terms become the element's attributes. */
function appendFromFilter(container: Obj, key: string, list: unknown[], filter: Filter | undefined, where: string): Obj {
  const el: Obj = {};
  const terms = !filter ? [] : filter.type === "and" ? filter.filters : [filter];
  for (const t of terms) {
    const seg = t.type === "test" ? t.path.segments : [];
    if (t.type !== "test" || t.op !== "eq" || t.path.urn || seg.length !== 1 || seg[0]!.filter || t.value === null) {
      throw noTarget(`the value filter of ${where} matches no value, and is not a conjunction of "eq" terms to create one from`);
    }
    el[seg[0]!.name] = t.value;
  }
  container[key] = [...list, el];
  return el;
}

/** Entra ID removes members with `{ op: remove, path: members, value: [{ value: id }] }`: each listed object names an element by its sub-attributes. */
function selectedBy(el: unknown, value: unknown): boolean {
  const wanted = Array.isArray(value) ? value : [value];
  return wanted.some((w) => {
    if (!isObj(w)) return canonicalJson(w) === canonicalJson(el);
    if (!isObj(el)) return false;
    return Object.entries(w).every(([k, v]) => (v === null ? getCi(el, k) === undefined : getCi(el, k) === v));
  });
}

/** RFC 7644 §3.5.2: setting primary on one value clears it on the others. */
function keepOnePrimary(list: unknown[], written: unknown[]): void {
  if (!written.some((el) => isObj(el) && el.primary === true)) return;
  const winner = [...written].reverse().find((el) => isObj(el) && el.primary === true);
  for (const el of list) if (isObj(el) && el !== winner && el.primary === true && !written.includes(el)) el.primary = false;
}

function setCi(o: Obj, name: string, v: unknown): void {
  deleteCi(o, name);
  if (v !== undefined) o[name] = v;
}

function deleteCi(o: Obj, name: string): void {
  for (const k of Object.keys(o)) if (k.toLowerCase() === name.toLowerCase()) delete o[k];
}
