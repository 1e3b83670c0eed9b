import { invalidFilter } from "./errors";
import type { AttrPath, Filter, FilterValue } from "./filter";

type Json = unknown;
type Obj = Record<string, Json>;

/** What the evaluator needs from a schema. */
export interface MatchOptions {
  /** String comparison at this attribute (top-level name, then sub-attribute names) is case-exact; default false (RFC 7643 §2.2). */
  caseExact?(urn: string | undefined, names: readonly string[]): boolean;
}

const ISO_DATE_RE = /^-?\d{4}-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?$/i;

const isObj = (v: Json): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The value of `key` in `o`, matching the name case-insensitively (RFC 7643 §2.1). */
export function getCi(o: Obj, key: string): Json {
  if (key in o) return o[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

/** Present in the sense of `pr`: not null, not an empty string, array or object. */
export function isPresent(v: Json): boolean {
  if (v === undefined || v === null || v === "") return false;
  if (Array.isArray(v)) return v.some(isPresent);
  if (isObj(v)) return Object.values(v).some(isPresent);
  return true;
}

/**
 * Whether `resource` matches `filter`. A test on a multi-valued attribute matches
 * when any value does (`ne` is the negation of `eq`, so it matches when none is
 * equal); a complex value is compared through its `value` sub-attribute.
 */
export function matchesFilter(resource: Obj, filter: Filter, opts: MatchOptions = {}): boolean {
  return evaluate(resource, filter, opts, [], undefined);
}

function evaluate(root: Obj, f: Filter, opts: MatchOptions, prefix: string[], urn: string | undefined): boolean {
  switch (f.type) {
    case "and":
      return f.filters.every((g) => evaluate(root, g, opts, prefix, urn));
    case "or":
      return f.filters.some((g) => evaluate(root, g, opts, prefix, urn));
    case "not":
      return !evaluate(root, f.filter, opts, prefix, urn);
    case "test": {
      const { values, names, urn: at } = resolve(root, f.path, opts, prefix, urn);
      if (f.op === "exists") return values.length > 0;
      if (f.op === "pr") return values.some(isPresent);
      // `eq null` asks for absence, `ne null` for presence (SCIMMY's tables; RFC 7644 leaves it open).
      if (f.value === null) return f.op === "eq" ? !values.some(isPresent) : f.op === "ne" ? values.some(isPresent) : false;
      const caseExact = opts.caseExact?.(at, names) ?? false;
      const scalars = values.map((v) => (isObj(v) ? getCi(v, "value") : v));
      if (f.op === "ne") return !scalars.some((v) => compare(v, "eq", f.value!, caseExact));
      return scalars.some((v) => compare(v, f.op as CompareOp, f.value!, caseExact));
    }
  }
}

type CompareOp = "eq" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";

/** Follows a path from `root`, flattening multi-valued attributes and keeping only elements that pass each segment's value filter. */
function resolve(root: Obj, path: AttrPath, opts: MatchOptions, prefix: string[], outerUrn: string | undefined) {
  let start: Json = root;
  const urn = path.urn ?? outerUrn;
  if (path.urn) {
    // An extension's attributes sit under its URN; a core-schema URN qualifies top-level attributes.
    const ext = getCi(root, path.urn);
    const schemas = getCi(root, "schemas");
    const isCore = Array.isArray(schemas) && schemas.some((s) => typeof s === "string" && s.toLowerCase() === path.urn!.toLowerCase());
    start = ext !== undefined ? ext : isCore ? root : undefined;
  }
  let values: Json[] = start === undefined ? [] : [start];
  const names = [...prefix];
  for (const seg of path.segments) {
    names.push(seg.name);
    const next: Json[] = [];
    for (const v of values) {
      if (!isObj(v)) continue;
      const child = getCi(v, seg.name);
      if (child === undefined || child === null) continue;
      if (Array.isArray(child)) next.push(...child.filter((c) => c !== null && c !== undefined));
      else next.push(child);
    }
    values = seg.filter ? next.filter((el) => isObj(el) && evaluate(el, seg.filter!, opts, [...names], urn)) : next;
  }
  return { values, names, urn };
}

function fold(s: string, caseExact: boolean): string {
  return caseExact ? s : s.toLowerCase();
}

function asInstant(v: Json): number | undefined {
  if (typeof v !== "string" || !ISO_DATE_RE.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function compare(actual: Json, op: CompareOp, expected: Exclude<FilterValue, null>, caseExact: boolean): boolean {
  if (actual === undefined || actual === null) return false;
  if (typeof actual === "boolean") {
    if (op !== "eq") throw invalidFilter(`"${op}" cannot compare a boolean attribute`);
    // Some clients quote booleans ("True"); compare them as booleans, not as text.
    const e = typeof expected === "string" && /^(true|false)$/i.test(expected) ? expected.toLowerCase() === "true" : expected;
    return actual === e;
  }
  if (typeof actual === "number") {
    if (typeof expected !== "number") return false;
    return ordered(actual, expected, op);
  }
  if (typeof actual !== "string" || typeof expected !== "string") return false;
  // Timestamps (meta.lastModified, dateTime extensions) compare as instants, so
  // "2011-05-13T04:42:34Z" equals "2011-05-13T04:42:34.000Z" and a bare date orders before its times.
  const a = asInstant(actual);
  const b = asInstant(expected);
  if (a !== undefined && b !== undefined && op !== "co" && op !== "sw" && op !== "ew") return ordered(a, b, op);
  const x = fold(actual, caseExact);
  const y = fold(expected, caseExact);
  switch (op) {
    case "co":
      return x.includes(y);
    case "sw":
      return x.startsWith(y);
    case "ew":
      return x.endsWith(y);
    default:
      return ordered(x, y, op);
  }
}

function ordered<T extends number | string>(a: T, b: T, op: CompareOp): boolean {
  switch (op) {
    case "eq":
      return a === b;
    case "gt":
      return a > b;
    case "ge":
      return a >= b;
    case "lt":
      return a < b;
    case "le":
      return a <= b;
    default:
      return false;
  }
}
