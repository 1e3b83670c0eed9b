import type { AttrPath, Filter } from "./filter";
import { matchesFilter } from "./filter-match";
import { isObj, type Obj } from "./resource-shape";
import { caseExactAt, extensionOf, subAttribute, topAttribute, type ResourceSchema } from "./schema";

/** Returned whatever `attributes` or `excludedAttributes` say (RFC 7643 §7 "returned: always"). */
const ALWAYS = new Set(["schemas", "id"]);

interface Target {
  /** Key in the resource (a core attribute) or extension URN holding the attribute. */
  container?: string;
  key?: string;
  sub?: string;
  /** A value filter on a multi-valued attribute: only matching elements are concerned. */
  select?: (el: unknown) => boolean;
}

/** Where a listed attribute lives in a rendered resource; undefined when the schema has no such attribute (ignored, as RFC 7644 §3.4.2.5 allows). */
function locate(rs: ResourceSchema, p: AttrPath): Target | undefined {
  const [first, second] = p.segments;
  if (!first) return p.urn && extensionOf(rs, p.urn) ? { container: extensionOf(rs, p.urn)!.id } : undefined;
  const top = topAttribute(rs, first.name, p.urn);
  if (!top) return undefined;
  const sub = second ? subAttribute(top.def, second.name)?.name : undefined;
  if (second && !sub) return undefined;
  if (!first.filter || !top.def.multiValued) return { container: top.extension, key: top.def.name, sub };
  const filter: Filter = first.filter;
  const caseExact = (urn: string | undefined, names: readonly string[]) => caseExactAt(rs, urn ?? top.extension, [top.def.name, ...names]);
  return { container: top.extension, key: top.def.name, sub, select: (el) => isObj(el) && matchesFilter(el, filter, { caseExact }) };
}

function copyInto(out: Obj, from: Obj, t: Target): void {
  const src = t.container ? from[t.container] : from;
  if (!isObj(src)) return;
  if (t.container && !t.key) {
    out[t.container] = src;
    return;
  }
  const key = t.key!;
  const v = src[key];
  if (v === undefined) return;
  const dst = t.container ? ((out[t.container] ??= {}) as Obj) : out;
  if (t.select && Array.isArray(v)) {
    // emails[type eq "work"] and emails[type eq "work"].value: the matching elements, whole or one sub-attribute of each.
    const picked = v.filter(t.select).map((el) => (t.sub ? (isObj(el) && el[t.sub] !== undefined ? { [t.sub]: el[t.sub] } : undefined) : el));
    const prev = Array.isArray(dst[key]) ? (dst[key] as unknown[]) : [];
    const all = [...prev, ...picked.filter((el) => el !== undefined && !prev.includes(el))];
    if (all.length) dst[key] = all;
    return;
  }
  if (!t.sub) {
    dst[key] = v;
    return;
  }
  const sub = t.sub;
  // Several sub-attributes of one attribute (emails.type, emails.value) fill the same elements.
  const withSub = (el: unknown, prev: Obj): Obj => (isObj(el) && el[sub] !== undefined ? { ...prev, [sub]: el[sub] } : prev);
  if (Array.isArray(v)) {
    const prev = Array.isArray(dst[key]) ? (dst[key] as Obj[]) : [];
    dst[key] = v.map((el, i) => withSub(el, prev[i] ?? {}));
  } else {
    const merged = withSub(v, isObj(dst[key]) ? (dst[key] as Obj) : {});
    if (Object.keys(merged).length) dst[key] = merged;
  }
}

function removeFrom(out: Obj, t: Target): void {
  if (t.container && !t.key) {
    delete out[t.container];
    return;
  }
  const holder = t.container ? out[t.container] : out;
  if (!isObj(holder) || ALWAYS.has(t.key!)) return;
  if (!t.sub) {
    const v = holder[t.key!];
    if (t.select && Array.isArray(v)) {
      const kept = v.filter((el) => !t.select!(el));
      if (kept.length) holder[t.key!] = kept;
      else delete holder[t.key!];
    } else delete holder[t.key!];
    return;
  }
  const v = holder[t.key!];
  for (const el of Array.isArray(v) ? v : [v]) if (isObj(el) && (!t.select || t.select(el))) delete el[t.sub];
}

/**
 * Applies `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) to a
 * rendered resource. With `attributes`, only those (and schemas, id) are
 * returned; `excludedAttributes` removes attributes from the default set.
 */
export function project(resource: Obj, rs: ResourceSchema, attributes?: AttrPath[], excluded?: AttrPath[]): Obj {
  if (attributes?.length) {
    const out: Obj = {};
    for (const k of ALWAYS) if (resource[k] !== undefined) out[k] = resource[k];
    for (const p of attributes) {
      const t = locate(rs, p);
      if (t) copyInto(out, resource, t);
    }
    return out;
  }
  if (excluded?.length) {
    const out = structuredClone(resource);
    for (const p of excluded) {
      const t = locate(rs, p);
      if (t) removeFrom(out, t);
    }
    return out;
  }
  return resource;
}
