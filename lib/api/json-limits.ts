import { AppError, type ErrorDetail } from "@/lib/errors";

/**
 * Bounds on the shape of JSON taken from requests. The byte limit bounds the
 * total; these bound what a small body can still do: nesting deep enough to
 * exhaust a recursive consumer, and objects with so many keys that per-key work
 * (validation, hashing, canonical JSON for the audit chain) balloons.
 */
export interface JsonLimits {
  maxDepth: number;
  /** Keys in any one object. */
  maxKeys: number;
}

/** API request bodies (small, hand-written or from a UI). */
export const API_JSON_LIMITS: JsonLimits = { maxDepth: 32, maxKeys: 1_000 };
/** Imported documents: big arrays are fine (the byte limit bounds them), deep or key-stuffed objects are not. */
export const IMPORT_JSON_LIMITS: JsonLimits = { maxDepth: 64, maxKeys: 10_000 };

/**
 * Keys that mean something to JavaScript objects. JSON.parse keeps `__proto__`
 * as an own property, but any later `target[key] = value` or merge would set a
 * prototype instead, and zod drops it silently; refusing it by name is clearer
 * than either. `constructor` and `prototype` are ordinary data and are kept.
 */
const FORBIDDEN_KEYS = new Set(["__proto__"]);

function pathOf(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  return parent ? (name.startsWith('"') ? `${parent}[${name}]` : `${parent}.${name}`) : name.startsWith('"') ? `[${name}]` : name;
}

/**
 * The first place where `value` breaks the limits, or null. Walks with an
 * explicit stack, so a hostile depth cannot overflow the call stack here.
 */
export function jsonShapeProblem(value: unknown, limits: JsonLimits, root = ""): ErrorDetail | null {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: root }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth >= limits.maxDepth) return { path: path || "body", message: `nesting deeper than ${limits.maxDepth} levels` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1, path: pathOf(path, i) });
      continue;
    }
    const keys = Object.keys(v);
    if (keys.length > limits.maxKeys) return { path: path || "body", message: `an object with ${keys.length} keys (at most ${limits.maxKeys})` };
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      if (FORBIDDEN_KEYS.has(k)) return { path: pathOf(path, k), message: `the key ${k} is not accepted` };
      stack.push({ v: (v as Record<string, unknown>)[k], depth: depth + 1, path: pathOf(path, k) });
    }
  }
  return null;
}

/** Throws 400 naming the place when `value` breaks the limits. */
export function assertJsonShape(value: unknown, limits: JsonLimits, what = "the body"): void {
  const problem = jsonShapeProblem(value, limits);
  if (problem) throw new AppError("bad_request", `${what} is refused at ${problem.path}: ${problem.message}`, [problem]);
}
