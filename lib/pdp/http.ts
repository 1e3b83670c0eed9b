import { NextResponse } from "next/server";
import { checkSameOrigin, errorResponse, type HandlerContext, type RouteOptions } from "@/lib/api/handler";
import type { Actor } from "@/lib/authz/actor";
import { can, requirePermission } from "@/lib/authz/permissions";
import { requestActor } from "@/lib/authz/session";
import { hashToken } from "@/lib/authz/tokens";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";

/** Request bodies of the AuthZEN endpoints: a batch of 1,000 evaluations fits. */
export const AUTHZEN_BODY_LIMIT = 512 * 1024;

/**
 * How long a gateway's token (one whose roles are `pdp` alone) is trusted without re-reading it
 * (ATTEST_PDP_TOKEN_CACHE_MS, default 5000; 0 = never cached). The decision path must not wait for the database on
 * every call; the price is that a revoked or expired gateway token keeps working for at most this long on each
 * instance. Tokens with any other role are read every time, as everywhere else.
 */
export function pdpTokenCacheMs(): number {
  const v = Number(process.env.ATTEST_PDP_TOKEN_CACHE_MS ?? 5000);
  return Number.isFinite(v) && v >= 0 ? Math.min(v, 60_000) : 5000;
}

type Cached = { actor: Actor; until: number };
const g = globalThis as typeof globalThis & { __attestPdpTokens?: Map<string, Cached> };
const tokenCache: Map<string, Cached> = (g.__attestPdpTokens ??= new Map());
const CACHE_MAX = 10_000;

/** node:http's headers as WHATWG Headers (single values; node joins repeats of most headers already). */
export function headersOf(raw: Record<string, string | string[] | undefined>): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) if (typeof v === "string") h.set(k, v);
  return h;
}

/**
 * Who calls, from the request's headers (WHATWG, or node:http's on the decision port, turned into Headers only when
 * the token is not cached): a cached gateway token, else authenticated as every route does.
 */
export async function authzenActor(headers: Headers | Record<string, string | string[] | undefined>, req?: Request): Promise<Actor> {
  const ttl = pdpTokenCacheMs();
  const authorization = headers instanceof Headers ? headers.get("authorization") : typeof headers.authorization === "string" ? headers.authorization : null;
  const full = () => req ?? new Request("http://pdp.invalid/", { headers: headers instanceof Headers ? headers : headersOf(headers) });
  const m = ttl > 0 ? /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "") : null;
  if (!m) return requestActor(full());
  const key = hashToken(m[1]!);
  const now = Date.now();
  const hit = tokenCache.get(key);
  if (hit && hit.until > now) return hit.actor;
  // A miss authenticates as every route does (failed-attempt limits included).
  const actor = await requestActor(full());
  if (actor.type === "token" && actor.roles.length === 1 && actor.roles[0] === "pdp") {
    if (tokenCache.size >= CACHE_MAX) for (const [k, v] of tokenCache) if (v.until <= now || tokenCache.size >= CACHE_MAX) tokenCache.delete(k);
    tokenCache.set(key, { actor, until: now + ttl });
  }
  return actor;
}

/** Forgets cached gateway tokens (tests). */
export function clearPdpTokenCache(): void {
  tokenCache.clear();
}

/**
 * An AuthZEN endpoint: the house route wrapper's duties (request id, authentication, CSRF for sessions, the route's
 * permission, the one error shape) with two differences the decision path needs — a gateway's token is cached
 * briefly (pdpTokenCacheMs), and the specification's request identification: when the PEP sent X-Request-ID, the
 * response carries the same value (printable ASCII up to 256 characters; ids kept for logs are cut at 64).
 */
export function authzenRoute<P = Record<string, never>>(fn: (ctx: HandlerContext<P>) => Promise<unknown>, options: RouteOptions = {}) {
  return async (req: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    const sent = req.headers.get("x-request-id");
    const echo = echoRequestId(sent);
    const requestId = sent?.slice(0, 64) || newId("req");
    let res: Response;
    try {
      const actor = await authzenActor(req.headers, req);
      if (actor.type === "user") checkSameOrigin(req);
      if (actor.roles.length === 0) throw new AppError("forbidden", "your account has no role yet; ask an administrator to grant one");
      if (options.anyOf && !options.anyOf.some((p) => can(actor, p))) requirePermission(actor, options.anyOf[0]);
      const params = (await ctx?.params) ?? ({} as P);
      const out = await fn({ req, params, requestId, actor });
      res = out instanceof Response ? out : NextResponse.json(out, { headers: { "x-request-id": requestId } });
    } catch (err) {
      res = errorResponse(err, requestId);
    }
    if (echo) res.headers.set("x-request-id", echo);
    return res;
  };
}

/** The X-Request-ID to send back: the PEP's own, when it is printable ASCII of at most 256 characters. */
export function echoRequestId(sent: string | null): string | null {
  return sent && sent.length <= 256 && /^[\x21-\x7e][\x20-\x7e]*$/.test(sent) ? sent : null;
}

/** The metadata document (§ Policy Decision Point Metadata): endpoints under this deployment's base URL. */
export function pdpMetadata(base: string): Record<string, string> {
  const b = base.replace(/\/+$/, "");
  return {
    policy_decision_point: b,
    access_evaluation_endpoint: `${b}/access/v1/evaluation`,
    access_evaluations_endpoint: `${b}/access/v1/evaluations`,
    search_subject_endpoint: `${b}/access/v1/search/subject`,
    search_resource_endpoint: `${b}/access/v1/search/resource`,
    search_action_endpoint: `${b}/access/v1/search/action`,
  };
}
