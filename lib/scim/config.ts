/**
 * How lenient SCIM is for one source, from the environment (read per request, so
 * tests and operators can change it without a restart):
 * - `ATTEST_SCIM_STRICT`: `1` (or `*`) for every SCIM source, or a comma-separated
 *   list of source names. A strict source refuses what a lenient one ignores with a
 *   warning: unknown attributes and extension schemas, extra PatchOp members, a
 *   manager that is not (yet) a User of the source.
 * - `ATTEST_SCIM_PATCH_RETURN`: `representation` (default: PATCH answers 200 with the
 *   resource) or `minimal` (204 No Content). A request's `Prefer: return=…` header wins.
 */
export interface ScimSettings {
  strict: boolean;
  patchReturn: "representation" | "minimal";
}

function listed(value: string | undefined, name: string): boolean {
  const v = value?.trim();
  if (!v) return false;
  if (v === "1" || v === "*" || v.toLowerCase() === "true") return true;
  return v.split(",").some((s) => s.trim() === name);
}

export function scimSettings(sourceName: string, env: Record<string, string | undefined> = process.env): ScimSettings {
  return {
    strict: listed(env.ATTEST_SCIM_STRICT, sourceName),
    patchReturn: env.ATTEST_SCIM_PATCH_RETURN?.trim().toLowerCase() === "minimal" ? "minimal" : "representation",
  };
}

/**
 * What a request may let pass: `strict` refuses unknown input as before; otherwise
 * the path of everything ignored is collected here, for the Warning header and the
 * log (paths only, never values).
 */
export interface Leniency {
  strict: boolean;
  ignored: string[];
}

export const STRICT: Leniency = Object.freeze({ strict: true, ignored: [] as string[] }) as Leniency;

/** Records an ignored path in lenient mode; in strict mode throws the refusal instead. */
export function ignoreOr(lx: Leniency | undefined, path: string, refusal: () => Error): void {
  if (!lx || lx.strict) throw refusal();
  if (!lx.ignored.includes(path)) lx.ignored.push(path);
}

const MAX_NAMED = 20;

/**
 * The Warning header (RFC 7234 §5.5, code 199 "miscellaneous warning") naming the
 * ignored paths. Paths come from the client's keys, so anything outside a safe set
 * of characters is replaced and each is cut short: a header can never be broken or
 * made to carry a value.
 */
export function ignoredWarning(paths: readonly string[]): string | undefined {
  if (paths.length === 0) return undefined;
  const safe = paths.slice(0, MAX_NAMED).map((p) => p.replace(/[^A-Za-z0-9_$.:\-[\]]/g, "?").slice(0, 120));
  const more = paths.length > MAX_NAMED ? ` and ${paths.length - MAX_NAMED} more` : "";
  return `199 - "ignored attributes: ${safe.join(", ")}${more}"`;
}
