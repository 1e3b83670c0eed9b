import { createLocalJWKSet, createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ssfTransmitters } from "@/db/schema";
import { loadOutboundPolicy } from "@/lib/admin/outbound-settings";
import { createOutboundFetch } from "@/lib/net/outbound";

/**
 * Verifies a Security Event Token (RFC 8417) pushed per RFC 8935: a compact
 * JWS, signed with an asymmetric key of the configured transmitter named by
 * its `iss`, typed `secevent+jwt`, for our audience, issued recently, with a
 * `jti` and an `events` claim. A refusal carries one of RFC 8935's error codes
 * (§2.4) and a description that never quotes the token.
 */

/** RFC 8935 §2.4 error codes. */
export const SET_ERROR_CODES = ["invalid_request", "invalid_key", "invalid_issuer", "invalid_audience", "authentication_failed", "access_denied"] as const;
export type SetErrorCode = (typeof SET_ERROR_CODES)[number];

export class SetRefused extends Error {
  constructor(
    readonly err: SetErrorCode,
    readonly description: string,
    /** The transmitter, when the SET named a configured one (its issuer may then be recorded). */
    readonly transmitter: { id: string; issuer: string } | null = null,
  ) {
    super(description);
    this.name = "SetRefused";
  }
}

/** The transmitter's key set could not be had (unreachable, not allowed, not a key set): not the SET's fault; try later. */
export class KeysUnavailable extends Error {
  constructor(readonly transmitter: { id: string; issuer: string }) {
    super("the transmitter's signing keys could not be fetched");
    this.name = "KeysUnavailable";
  }
}

/** Asymmetric signatures only: `none` is no signature, and an HMAC key would be a secret both sides hold. */
export const SET_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];

export interface VerifyOptions {
  now?: Date;
  /** How far in the future `iat` may be (clock skew), seconds. */
  skewSeconds?: number;
  /** How long ago `iat` may be, seconds. */
  maxAgeSeconds?: number;
}

export function verifyOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Required<Omit<VerifyOptions, "now">> {
  const num = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);
  return { skewSeconds: num(env.ATTEST_SSF_CLOCK_SKEW_SECONDS, 300), maxAgeSeconds: num(env.ATTEST_SSF_MAX_AGE_SECONDS, 86_400) };
}

export interface VerifiedSet {
  transmitter: typeof ssfTransmitters.$inferSelect;
  payload: JWTPayload & { jti: string; iat: number; events: Record<string, Record<string, unknown>> };
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

type KeySet = ReturnType<typeof createLocalJWKSet>;
/** Remote key sets per database handle and URL: jose caches the keys (10 minutes) and refetches on an unknown kid (30 s cooldown). */
const g = globalThis as typeof globalThis & { __attestSsfJwks?: WeakMap<object, Map<string, KeySet>> };
const remoteSets = (g.__attestSsfJwks ??= new WeakMap());

/** Forgets cached remote keys (a transmitter's URL changed or it was disabled). */
export function forgetRemoteKeys(db: Db): void {
  remoteSets.delete(db);
}

function remoteKeySet(db: Db, url: string): KeySet {
  let perDb = remoteSets.get(db);
  if (!perDb) remoteSets.set(db, (perDb = new Map()));
  let set = perDb.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), {
      timeoutDuration: 5_000,
      // Through the app's outbound client: only hosts an admin allowed (the transmitter's own key host is), no private
      // address unless an admin opened it, no redirects, bounded size.
      [customFetch]: async (u: string, init: { headers: Headers; method: "GET"; redirect: "manual"; signal: AbortSignal }) => {
        const policy = await loadOutboundPolicy(db);
        const host = new URL(u).host;
        const fetchOut = createOutboundFetch({
          policy: { allowHosts: [...policy.allowHosts, host], allowPrivateRanges: policy.allowPrivateRanges },
          timeoutMs: 5_000,
          maxResponseBytes: 256 * 1024,
        });
        return fetchOut(u, { method: init.method, headers: init.headers, signal: init.signal });
      },
    }) as unknown as KeySet;
    perDb.set(url, set);
  }
  return set;
}

function claimError(e: errors.JWTClaimValidationFailed | errors.JWTExpired, t: { id: string; issuer: string }): SetRefused {
  if (e.claim === "typ") return new SetRefused("invalid_request", "the SET's header must have typ secevent+jwt", t);
  if (e.claim === "exp") return new SetRefused("invalid_request", "the SET has expired (exp)", t);
  if (e.claim === "nbf") return new SetRefused("invalid_request", "the SET is not valid yet (nbf)", t);
  return new SetRefused("invalid_request", `the SET's ${e.claim} claim is invalid`, t);
}

/** Verifies a compact SET; throws SetRefused (or KeysUnavailable) when it may not be accepted. Reads the database; writes nothing. */
export async function verifySet(db: Db, token: string, opts: VerifyOptions = {}): Promise<VerifiedSet> {
  const { skewSeconds, maxAgeSeconds } = { ...verifyOptionsFromEnv(), ...opts };
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (!COMPACT_JWS.test(token)) throw new SetRefused("invalid_request", "the body is not a signed SET (a compact JWS)");
  let header: ReturnType<typeof decodeProtectedHeader>;
  let unverified: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    unverified = decodeJwt(token);
  } catch {
    throw new SetRefused("invalid_request", "the SET's header or claims are not valid JSON");
  }
  if (typeof header.alg !== "string" || header.alg.toLowerCase() === "none") throw new SetRefused("authentication_failed", "the SET is not signed");
  if (!SET_ALGORITHMS.includes(header.alg)) throw new SetRefused("invalid_key", "the SET must be signed with an asymmetric algorithm (RS*, PS*, ES*, EdDSA)");
  if (typeof unverified.iss !== "string" || !unverified.iss) throw new SetRefused("invalid_request", "the SET has no iss claim");

  const [transmitter] = await db.select().from(ssfTransmitters).where(eq(ssfTransmitters.issuer, unverified.iss)).limit(1);
  if (!transmitter) throw new SetRefused("invalid_issuer", "the SET's issuer is not a configured transmitter");
  const t = { id: transmitter.id, issuer: transmitter.issuer };
  if (!transmitter.enabled) throw new SetRefused("access_denied", "the transmitter is disabled", t);
  const keys = transmitter.jwks
    ? createLocalJWKSet(transmitter.jwks as Parameters<typeof createLocalJWKSet>[0])
    : transmitter.jwksUrl
      ? remoteKeySet(db, transmitter.jwksUrl)
      : null;
  if (!keys) throw new SetRefused("invalid_key", "the transmitter has no signing keys configured", t);

  let payload: JWTPayload;
  try {
    // Signature (with the algorithm the key allows), typ; the other claims are checked below with their own codes.
    ({ payload } = await jwtVerify(token, keys, { algorithms: SET_ALGORITHMS, typ: "secevent+jwt", currentDate: new Date(now * 1000) }));
  } catch (e) {
    if (e instanceof errors.JWSSignatureVerificationFailed)
      throw new SetRefused("authentication_failed", "the SET's signature does not verify with the transmitter's keys", t);
    if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys)
      throw new SetRefused("invalid_key", "no single key of the transmitter matches the SET's header (kid, alg)", t);
    if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported || e instanceof errors.JWKInvalid)
      throw new SetRefused("invalid_key", "the SET's algorithm or key is not acceptable", t);
    if (e instanceof errors.JWTClaimValidationFailed || e instanceof errors.JWTExpired) throw claimError(e, t);
    if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) throw new SetRefused("invalid_request", "the SET is not a valid JWT", t);
    // The remote key set could not be fetched or read (timeout, refused, not allowed, not a JWKS).
    throw new KeysUnavailable(t);
  }

  const aud = payload.aud;
  if (!(aud === transmitter.audience || (Array.isArray(aud) && aud.includes(transmitter.audience))))
    throw new SetRefused("invalid_audience", "the SET is not addressed to this receiver (aud)", t);
  if (typeof payload.iat !== "number" || !Number.isFinite(payload.iat)) throw new SetRefused("invalid_request", "the SET has no iat claim", t);
  if (payload.iat > now + skewSeconds) throw new SetRefused("invalid_request", `the SET was issued in the future (iat more than ${skewSeconds} s ahead)`, t);
  if (payload.iat < now - maxAgeSeconds) throw new SetRefused("invalid_request", `the SET was issued too long ago (iat more than ${maxAgeSeconds} s old)`, t);
  if (typeof payload.jti !== "string" || payload.jti.length === 0 || payload.jti.length > 256)
    throw new SetRefused("invalid_request", "the SET has no jti claim (a string of at most 256 characters)", t);
  const events = payload.events;
  if (!events || typeof events !== "object" || Array.isArray(events) || Object.keys(events).length === 0)
    throw new SetRefused("invalid_request", "the SET has no events claim", t);
  if (Object.values(events).some((v) => !v || typeof v !== "object" || Array.isArray(v)))
    throw new SetRefused("invalid_request", "each event of the SET must be a JSON object", t);
  if (Object.keys(events).length > 20) throw new SetRefused("invalid_request", "the SET carries too many events", t);
  return { transmitter, payload: payload as VerifiedSet["payload"] };
}
