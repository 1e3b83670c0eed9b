import type { LocalDenyCode } from "./types";

/**
 * The PDP's metadata (AuthZEN 1.0 "Policy Decision Point Metadata"): `GET /.well-known/authzen-configuration`, inserted
 * between host and path (RFC 8615), naming the endpoints to call. Absent (404, unreachable, not JSON) → the default
 * paths, asked again within 30 s. Present but naming another `policy_decision_point` (the spec: "MUST NOT be used"),
 * lacking `access_evaluation_endpoint`, or placing an endpoint on another origin (the bearer token would follow it)
 * → a failure, and every call is denied.
 */
export interface AuthzenEndpoints {
  evaluation: string;
  /** Null when the PDP's metadata omits it: the batch then goes item by item to `evaluation`. */
  evaluations: string | null;
  /** Where the endpoints came from. */
  source: "metadata" | "default";
}

export type EndpointsOrFailure = AuthzenEndpoints | { failed: LocalDenyCode; detail: string };

const WELL_KNOWN = "/.well-known/authzen-configuration";
const DEFAULT_EVALUATION = "/access/v1/evaluation";
const DEFAULT_EVALUATIONS = "/access/v1/evaluations";
/** How long "no metadata" is believed before asking again. */
const ABSENT_TTL_MS = 30_000;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function trimSlash(u: string): string {
  return u.endsWith("/") ? u.slice(0, -1) : u;
}

/** `https://pdp/x` → `https://pdp/.well-known/authzen-configuration/x` (RFC 8615 insertion, as the spec says). */
export function metadataUrl(pdpUrl: string): string {
  const u = new URL(pdpUrl);
  const path = u.pathname === "/" ? "" : trimSlash(u.pathname);
  return `${u.origin}${WELL_KNOWN}${path}`;
}

/** A response body as text, or null when it is larger than `maxBytes` (read no further). */
export async function readBounded(res: Response, maxBytes: number): Promise<string | null> {
  const declared = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    return null;
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The endpoints to use, discovered once and reused for `ttlMs` (one discovery in flight at a time). */
export function createEndpointResolver(opts: {
  pdpUrl: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  maxBytes: number;
  discover: boolean;
  ttlMs: number;
}): () => Promise<EndpointsOrFailure> {
  const base = new URL(opts.pdpUrl);
  const pdpId = trimSlash(base.href);
  const fetchImpl = opts.fetch;
  const timeoutMs = opts.timeoutMs;
  const ttl = opts.ttlMs;
  const defaults: AuthzenEndpoints = { evaluation: pdpId + DEFAULT_EVALUATION, evaluations: pdpId + DEFAULT_EVALUATIONS, source: "default" };
  let cached: { at: number; value: EndpointsOrFailure } | null = null;
  let inflight: Promise<EndpointsOrFailure> | null = null;
  const readBody = (res: Response) => readBounded(res, opts.maxBytes);

  async function discover(): Promise<EndpointsOrFailure> {
    let res: Response;
    try {
      res = await fetchImpl(metadataUrl(opts.pdpUrl), { headers: { accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
    } catch {
      return defaults; // not cached long: see endpoints()
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return defaults;
    }
    const text = res.status === 200 ? await readBody(res).catch(() => null) : (await res.body?.cancel(), null);
    let doc: unknown;
    try {
      doc = text === null ? null : JSON.parse(text);
    } catch {
      doc = null;
    }
    if (!isObject(doc)) return defaults;
    // "The policy_decision_point value returned MUST be identical to the Policy Decision Point identifier … If these
    // values are not identical, the data contained in the response MUST NOT be used." A mix-up: refuse, do not guess.
    if (typeof doc.policy_decision_point !== "string" || trimSlash(doc.policy_decision_point) !== pdpId) {
      return { failed: "pdp_metadata_invalid", detail: "the PDP metadata names another policy_decision_point" };
    }
    const endpoint = (key: string): string | null | undefined => {
      const v = doc[key];
      if (v === undefined) return null;
      if (typeof v !== "string") return undefined;
      try {
        // The bearer token goes to these URLs: only to the PDP's own origin.
        return new URL(v).origin === base.origin ? v : undefined;
      } catch {
        return undefined;
      }
    };
    const evaluation = endpoint("access_evaluation_endpoint");
    const evaluations = endpoint("access_evaluations_endpoint");
    if (!evaluation || evaluations === undefined) {
      return { failed: "pdp_metadata_invalid", detail: "the PDP metadata lacks access_evaluation_endpoint or names an endpoint on another origin" };
    }
    return { evaluation, evaluations, source: "metadata" };
  }

  async function endpoints(): Promise<EndpointsOrFailure> {
    if (!opts.discover) return defaults;
    const now = Date.now();
    if (cached && now - cached.at < (cached.value === defaults ? Math.min(ttl, ABSENT_TTL_MS) : ttl)) return cached.value;
    inflight ??= discover().finally(() => (inflight = null));
    const value = await inflight;
    cached = { at: Date.now(), value };
    return value;
  }
  return endpoints;
}
