/** View state lives in the URL: helpers for pages that read filters from searchParams and link to variations. */
export type RawSearchParams = Record<string, string | string[] | undefined>;

/** The non-empty single values of `keys` (repeated or empty parameters are ignored). */
export function pickParams(raw: RawSearchParams, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = raw[k];
    if (typeof v === "string" && v !== "") out[k] = v;
  }
  return out;
}

/** `path` with `params` changed by `change` (undefined or "" removes a parameter). */
export function hrefWith(path: string, params: Record<string, string>, change: Record<string, string | undefined> = {}): string {
  const next = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...change })) if (v) next.set(k, v);
  const s = next.toString();
  return s ? `${path}?${s}` : path;
}
