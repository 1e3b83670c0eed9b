import { ignoreOr, type Leniency } from "./config";
import { invalidValue } from "./errors";
import { COMMON_ATTRIBUTES, extensionOf, findByName, subAttribute, type AttributeDef, type ResourceSchema } from "./schema";

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * One attribute value in canonical form: sub-attribute names spelt as the schema
 * spells them, types checked. Lenient where IdPs are known to deviate: a single
 * value for a multi-valued attribute is wrapped, "True"/"False" strings become
 * booleans (Entra ID), and a bare string for a complex attribute with a `value`
 * sub-attribute becomes `{ value }` (Entra ID sends `manager` that way).
 * When lenient (`lx` not strict), an unknown sub-attribute is ignored (its path is
 * recorded) and a one-element list for a single-valued attribute is unwrapped
 * (Entra ID adds a manager as `[{ "value": … }]`).
 * Returns undefined for null, which callers treat as "unassigned".
 */
export function normalizeValue(def: AttributeDef, v: unknown, where: string, lx?: Leniency): unknown {
  if (v === null || v === undefined) return undefined;
  if (def.multiValued) {
    const list = Array.isArray(v) ? v : [v];
    const out = list.map((el, i) => single(def, el, `${where}[${i}]`, lx)).filter((el) => el !== undefined);
    return out;
  }
  if (Array.isArray(v)) {
    if (v.length === 1 && lx && !lx.strict) return single(def, v[0], where, lx);
    throw invalidValue(`${where} takes one value, not a list`);
  }
  return single(def, v, where, lx);
}

function single(def: AttributeDef, v: unknown, where: string, lx?: Leniency): unknown {
  if (v === null || v === undefined) return undefined;
  switch (def.type) {
    case "complex": {
      if (typeof v === "string" && subAttribute(def, "value")) return { value: v };
      if (!isObj(v)) throw invalidValue(`${where} must be an object`);
      const out: Obj = {};
      for (const [k, x] of Object.entries(v)) {
        const sub = subAttribute(def, k);
        if (!sub) {
          ignoreOr(lx, `${where}.${k}`, () => invalidValue(`${where}.${k} is not an attribute of ${def.name}`));
          continue;
        }
        const nv = normalizeValue(sub, x, `${where}.${sub.name}`, lx);
        if (nv !== undefined) out[sub.name] = nv;
      }
      return out;
    }
    case "boolean":
      if (typeof v === "boolean") return v;
      if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
      throw invalidValue(`${where} must be true or false`);
    case "integer":
    case "decimal":
      if (typeof v === "number" && Number.isFinite(v) && (def.type === "decimal" || Number.isInteger(v))) return v;
      throw invalidValue(`${where} must be ${def.type === "integer" ? "an integer" : "a number"}`);
    case "dateTime":
      if (typeof v === "string" && ISO_RE.test(v) && !Number.isNaN(Date.parse(v))) return v;
      throw invalidValue(`${where} must be an xsd:dateTime such as 2011-05-13T04:42:34Z`);
    default:
      if (typeof v !== "string") throw invalidValue(`${where} must be a string`);
      if (v.length > 4096) throw invalidValue(`${where} is longer than 4096 characters`);
      return v;
  }
}

/** The definition of a top-level key of a resource body: a core or common attribute, not an extension's. */
export function bodyAttribute(rs: ResourceSchema, key: string): AttributeDef | undefined {
  return findByName(rs.core.attributes, key) ?? findByName(COMMON_ATTRIBUTES, key);
}

/**
 * A client-sent resource (POST, PUT, or the result of PATCH) in canonical form.
 * Unknown attributes and extensions are a 400 naming them when strict (the
 * default); a lenient source ignores them and records their paths in `lx`
 * (RFC 7644 §3.3 lets a service provider ignore what it does not support).
 * Read-only attributes (id, meta, groups) are dropped as RFC 7643 §2.2 says;
 * `schemas` is checked and then recomputed by the server. Required attributes
 * must be present.
 */
export function normalizeResource(raw: unknown, rs: ResourceSchema, lx?: Leniency): Obj {
  if (!isObj(raw)) throw invalidValue(`the body must be a ${rs.name} object`);
  const out: Obj = {};
  for (const [key, v] of Object.entries(raw)) {
    if (key.toLowerCase() === "schemas") {
      checkSchemas(v, rs, lx);
      continue;
    }
    const ext = extensionOf(rs, key);
    if (ext) {
      if (v === null) continue;
      if (!isObj(v)) throw invalidValue(`${ext.id} must be an object`);
      const inner: Obj = {};
      for (const [k, x] of Object.entries(v)) {
        const def = findByName(ext.attributes, k);
        if (!def) {
          ignoreOr(lx, `${ext.id}:${k}`, () => invalidValue(`${k} is not an attribute of ${ext.id}`));
          continue;
        }
        if (def.mutability === "readOnly") continue;
        const nv = normalizeValue(def, x, def.name, lx);
        if (nv !== undefined) inner[def.name] = nv;
      }
      if (Object.keys(inner).length) out[ext.id] = inner;
      continue;
    }
    const def = bodyAttribute(rs, key);
    if (!def) {
      ignoreOr(lx, key, () => invalidValue(`${key} is not an attribute of ${rs.name}${/^urn:/i.test(key) ? " (unknown schema extension)" : ""}`));
      continue;
    }
    if (def.mutability === "readOnly" || def.name === "schemas") continue;
    const nv = normalizeValue(def, v, def.name, lx);
    if (nv !== undefined && !(Array.isArray(nv) && nv.length === 0)) out[def.name] = nv;
  }
  for (const def of rs.core.attributes) {
    if (def.required && (typeof out[def.name] !== "string" || !(out[def.name] as string).trim())) throw invalidValue(`${def.name} is required`);
  }
  return out;
}

/** `schemas` must list URNs; one a resource of this type does not carry is refused when strict, ignored (as `schemas[i]`) when lenient. */
function checkSchemas(v: unknown, rs: ResourceSchema, lx?: Leniency): void {
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw invalidValue("schemas must be a list of schema URNs");
  (v as string[]).forEach((s, i) => {
    if (s.toLowerCase() !== rs.core.id.toLowerCase() && !extensionOf(rs, s)) {
      ignoreOr(lx, `schemas[${i}]`, () => invalidValue(`schemas[${i}] names a schema that a ${rs.name} does not carry`));
    }
  });
}

/** The `schemas` a stored resource answers with: its core schema and each extension it has data for. */
export function schemasOf(resource: Obj, rs: ResourceSchema): string[] {
  return [rs.core.id, ...rs.extensions.filter((e) => isObj(resource[e.id])).map((e) => e.id)];
}
