import { unzipSync } from "fflate";
import { IMPORT_JSON_LIMITS, jsonShapeProblem } from "@/lib/api/json-limits";
import { jsonErrorMessage } from "@/lib/api/json-error";
import type { ErrorDetail } from "@/lib/errors";

/**
 * The answers of a vendor's API, keyed by the call that produced them: what a
 * live connector collects, and what an air-gapped customer exports. One
 * converter per vendor reads it, so a live run and an offline import of the
 * same answers make the same graph.
 *
 * A call's key is its path relative to the API's base, without query and
 * without leading slash or API version (`users`, `groups/0a1b/members`,
 * `orgs/acme/teams`); its value is the list of the answers' bodies, one per
 * page, in order.
 *
 * Offline layouts (README "Offline formats"):
 * - JSON: `{"format": "<name>", "calls": {"GET /users": [page1, page2], ...}}`; a key
 *   may carry the method and a leading slash or version (`GET /v1.0/users`); a value
 *   that is not an array of pages is read as a single page only when the format's
 *   answers are never arrays (flag `singleAnswerObjects`).
 * - zip: one entry per page; the entry's name is the call's path with `.json`
 *   (`users.json`); later pages `users~2.json`, `users~3.json`.
 */
export class AnswerBundle {
  private readonly calls = new Map<string, unknown[]>();

  /** Canonical key of a call: `GET /v1.0/users?$top=5` → `users`. */
  static key(call: string, versionPrefixes: readonly string[] = []): string {
    let k = call.trim().replace(/^(GET|POST)\s+/i, "");
    k = k.replace(/^https?:\/\/[^/]+/i, "");
    k = k.split("?")[0]!.replace(/^\/+/, "").replace(/\/+$/, "");
    for (const v of versionPrefixes) if (k.startsWith(`${v}/`)) k = k.slice(v.length + 1);
    return k;
  }

  constructor(private readonly versionPrefixes: readonly string[] = []) {}

  /** Records one page of a call's answer (a live connector, as it reads). */
  add(call: string, body: unknown): void {
    const k = AnswerBundle.key(call, this.versionPrefixes);
    const pages = this.calls.get(k);
    if (pages) pages.push(body);
    else this.calls.set(k, [body]);
  }

  has(call: string): boolean {
    return this.calls.has(AnswerBundle.key(call, this.versionPrefixes));
  }

  /** The pages of one call, or undefined when the bundle does not hold it. */
  pages(call: string): unknown[] | undefined {
    return this.calls.get(AnswerBundle.key(call, this.versionPrefixes));
  }

  keys(): string[] {
    return [...this.calls.keys()];
  }

  get size(): number {
    return this.calls.size;
  }

  /** The bundle as its offline JSON layout (what `?format=<name>` takes back). */
  toJSON(format: string): { format: string; calls: Record<string, unknown[]> } {
    return { format, calls: Object.fromEntries(this.calls) };
  }
}

export type BundleResult = { ok: true; bundle: AnswerBundle } | { ok: false; errors: ErrorDetail[] };

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const MAX_ZIP_ENTRIES = 100_000;
const PAGE_SUFFIX = /~(\d{1,6})\.json$/i;

export function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

function parseJson(text: string, path: string): { ok: true; value: unknown } | { ok: false; error: ErrorDetail } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: { path, message: jsonErrorMessage(text, e) } };
  }
  const problem = jsonShapeProblem(value, IMPORT_JSON_LIMITS);
  if (problem) return { ok: false, error: { path: path === "body" ? problem.path : `${path}: ${problem.path}`, message: problem.message } };
  return { ok: true, value };
}

export interface ReadBundleOptions {
  /** The format's name, which the JSON layout's `format` must equal when given. */
  format: string;
  versionPrefixes?: readonly string[];
  /** The JSON layout's values may be one answer instead of a list of pages (the vendor never answers with an array). */
  singleAnswerObjects?: boolean;
  /** Largest total of uncompressed bytes a zip may hold. */
  maxBytes: number;
}

/** Reads the JSON or zip layout of a bundle; problems name the entry or key, never a value. */
export function readBundle(bytes: Uint8Array, opts: ReadBundleOptions): BundleResult {
  const bundle = new AnswerBundle(opts.versionPrefixes);
  if (isZip(bytes)) {
    let files: Record<string, Uint8Array>;
    let total = 0;
    let entries = 0;
    try {
      files = unzipSync(bytes, {
        filter: (f) => {
          entries++;
          total += f.originalSize;
          if (entries > MAX_ZIP_ENTRIES) throw new RangeError("entries");
          if (total > opts.maxBytes) throw new RangeError("size");
          return !f.name.endsWith("/") && /\.json$/i.test(f.name) && !/(^|\/)(__MACOSX|\.)/.test(f.name);
        },
      });
    } catch (e) {
      const message =
        e instanceof RangeError
          ? e.message === "entries"
            ? `the zip holds more than ${MAX_ZIP_ENTRIES} entries`
            : `the zip's contents are larger than ${opts.maxBytes} bytes uncompressed`
          : "the zip could not be read (damaged or not a zip)";
      return { ok: false, errors: [{ path: "file", message }] };
    }
    const errors: ErrorDetail[] = [];
    const byCall = new Map<string, { page: number; value: unknown }[]>();
    const names = Object.keys(files).sort();
    for (const [i, name] of names.entries()) {
      // Entries are named by position: their names hold ids and e-mail addresses from the customer's systems.
      const parsed = parseJson(new TextDecoder("utf-8", { fatal: false }).decode(files[name]!), `zip entry ${i + 1} of ${names.length}`);
      if (!parsed.ok) {
        errors.push(parsed.error);
        continue;
      }
      const m = PAGE_SUFFIX.exec(name);
      const page = m ? Number(m[1]) : 1;
      const call = name.replace(PAGE_SUFFIX, "").replace(/\.json$/i, "");
      const list = byCall.get(call) ?? [];
      list.push({ page, value: parsed.value });
      byCall.set(call, list);
    }
    if (errors.length) return { ok: false, errors: errors.slice(0, 100) };
    for (const [call, pages] of byCall) for (const p of pages.sort((a, b) => a.page - b.page)) bundle.add(call, p.value);
    if (bundle.size === 0) return { ok: false, errors: [{ path: "file", message: "the zip holds no .json answers" }] };
    return { ok: true, bundle };
  }
  const parsed = parseJson(new TextDecoder("utf-8", { fatal: false }).decode(bytes), "body");
  if (!parsed.ok) return { ok: false, errors: [parsed.error] };
  const doc = parsed.value;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    return { ok: false, errors: [{ path: "(root)", message: 'must be an object {"format": ..., "calls": {"GET /path": [pages]}}' }] };
  const obj = doc as Record<string, unknown>;
  if (obj.format !== undefined && obj.format !== opts.format)
    return { ok: false, errors: [{ path: "format", message: `must be "${opts.format}" for this import (or left out)` }] };
  const calls = obj.calls;
  if (typeof calls !== "object" || calls === null || Array.isArray(calls))
    return { ok: false, errors: [{ path: "calls", message: 'is required: an object whose keys are calls ("GET /path") and values the answers\' pages' }] };
  const errors: ErrorDetail[] = [];
  for (const [i, [call, value]] of Object.entries(calls as Record<string, unknown>).entries()) {
    // Keys are named by position: a call's path holds ids and e-mail addresses from the customer's systems.
    const where = `calls (key ${i + 1})`;
    if (!AnswerBundle.key(call)) {
      errors.push({ path: where, message: "is not a call's path" });
      continue;
    }
    if (Array.isArray(value)) for (const page of value) bundle.add(call, page);
    else if (opts.singleAnswerObjects && typeof value === "object" && value !== null) bundle.add(call, value);
    else errors.push({ path: where, message: "must be a list of the answer's pages" });
  }
  const extra = Object.keys(obj).filter((k) => k !== "format" && k !== "calls").length;
  if (extra) errors.push({ path: "(root)", message: `has ${extra} key${extra === 1 ? "" : "s"} that are not part of the layout (format, calls)` });
  if (errors.length) return { ok: false, errors: errors.slice(0, 100) };
  return { ok: true, bundle };
}
