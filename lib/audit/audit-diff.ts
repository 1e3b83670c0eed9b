/**
 * An audit event's before/after as a reader wants it: one line per field that
 * changed, "before → after", with fields that appeared or went away marked as
 * added or removed, and lists compared by their items. Pure; the page and the
 * JSON export use it, tests pin it.
 */
export type AuditChange =
  | { field: string; kind: "added"; after: string }
  | { field: string; kind: "removed"; before: string }
  | { field: string; kind: "changed"; before: string; after: string }
  /** A list of plain values whose items came and went (roles, targets). */
  | { field: string; kind: "list"; added: string[]; removed: string[] };

/** Nested objects are followed this deep (paths like `scope › targets`); deeper values are shown as compact JSON. */
const MAX_DEPTH = 3;
/** A value's text is cut here, so a long description cannot swamp the table. */
const MAX_TEXT = 400;

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);

/** `scimTokenPrefix` → `scim token prefix`; `dueAt` → `due at`; snake_case too. */
export function fieldLabel(key: string): string {
  return key
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase();
}

/** A value as text: strings as they are, null as "none", lists and objects as compact JSON; cut at MAX_TEXT. */
export function valueText(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = "none";
  else if (typeof v === "string") s = v === "" ? '""' : v;
  else if (typeof v === "number" || typeof v === "boolean") s = String(v);
  else if (Array.isArray(v) && v.every(isScalar)) s = v.length ? v.map(valueText).join(", ") : "(empty)";
  else if (Array.isArray(v) && v.every(isPlainObject)) s = v.map(objectText).join("; ");
  else s = JSON.stringify(v);
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

/** A small record in words: its id or name first, the rest as "key value" in brackets: `usr_01… (email a@b, roles admin)`. */
function objectText(o: Record<string, unknown>): string {
  const head = ["id", "name"].map((k) => o[k]).find((x) => typeof x === "string") as string | undefined;
  const rest = Object.entries(o)
    .filter(([k]) => !(head !== undefined && o[k] === head))
    .map(([k, x]) => `${fieldLabel(k)} ${isScalar(x) || (Array.isArray(x) && x.every(isScalar)) ? valueText(x) : JSON.stringify(x)}`);
  return head ? (rest.length ? `${head} (${rest.join(", ")})` : head) : rest.join(", ");
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function walk(before: unknown, after: unknown, path: string[], depth: number, out: AuditChange[]): void {
  const field = path.map(fieldLabel).join(" › ") || "value";
  if (before === undefined && after === undefined) return;
  // A field recorded as empty on the only side there is says nothing ("description added none").
  if ((before === undefined && after === null) || (after === undefined && before === null)) return;
  if (before === undefined) {
    if (isPlainObject(after) && depth < MAX_DEPTH && Object.keys(after).length) {
      for (const [k, v] of Object.entries(after)) walk(undefined, v, [...path, k], depth + 1, out);
      return;
    }
    out.push({ field, kind: "added", after: valueText(after) });
    return;
  }
  if (after === undefined) {
    if (isPlainObject(before) && depth < MAX_DEPTH && Object.keys(before).length) {
      for (const [k, v] of Object.entries(before)) walk(v, undefined, [...path, k], depth + 1, out);
      return;
    }
    out.push({ field, kind: "removed", before: valueText(before) });
    return;
  }
  if (same(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after) && depth < MAX_DEPTH) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    for (const k of keys) walk(before[k], after[k], [...path, k], depth + 1, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.every(isScalar) && after.every(isScalar)) {
    const b = new Set(before.map(valueText));
    const a = new Set(after.map(valueText));
    const added = [...a].filter((x) => !b.has(x));
    const removed = [...b].filter((x) => !a.has(x));
    // Same items in another order: say so as a plain change rather than an empty list change.
    if (added.length || removed.length) out.push({ field, kind: "list", added, removed });
    else out.push({ field, kind: "changed", before: valueText(before), after: valueText(after) });
    return;
  }
  out.push({ field, kind: "changed", before: valueText(before), after: valueText(after) });
}

/**
 * The changes an event records. An event with only `after` (a creation) lists
 * every field as added; one with only `before` lists them as removed; fields
 * equal on both sides are left out.
 */
export function auditChanges(before: unknown, after: unknown): AuditChange[] {
  const out: AuditChange[] = [];
  walk(before ?? undefined, after ?? undefined, [], 0, out);
  return out;
}
