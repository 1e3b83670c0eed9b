import { NextResponse } from "next/server";
import type { z } from "zod";
import type { Actor } from "@/lib/authz/actor";
import { can, requirePermission, type Permission } from "@/lib/authz/permissions";
import { requestActor } from "@/lib/authz/session";
import { AppError, isAppError, zodDetails } from "@/lib/errors";
import { errorForLog } from "@/lib/errors/log-safe";
import { newId } from "@/lib/ids";

export interface HandlerContext<P> {
  req: Request;
  params: P;
  requestId: string;
  actor: Actor;
}

type RouteContext<P> = { params: Promise<P> };

/** Maps any thrown value to the one JSON error shape; unexpected errors never leak their message. */
export function errorResponse(err: unknown, requestId: string): NextResponse {
  // PostgreSQL cancelled the statement at its time limit (statement_timeout): say so, do not hang or 500.
  const pgCode = (err as { code?: string; cause?: { code?: string } } | null)?.cause?.code ?? (err as { code?: string } | null)?.code;
  if (pgCode === "57014")
    err = new AppError("timeout", "the query took longer than the time limit and was stopped; narrow it (a smaller depth, a kind filter) and try again");
  if (isAppError(err)) {
    return NextResponse.json(
      { error: { code: err.code, message: err.message, details: err.details, requestId } },
      { status: err.status, headers: { "x-request-id": requestId } },
    );
  }
  console.error(`[api] request ${requestId} failed: ${errorForLog(err)}`);
  return NextResponse.json(
    { error: { code: "internal", message: "something went wrong on our side; quote this request id", details: [], requestId } },
    { status: 500, headers: { "x-request-id": requestId } },
  );
}

export interface RouteOptions {
  /** The caller must hold one of these, checked before the request is read (so no input is parsed for, or
   * revealed to, a caller who may not call at all). Domain functions check again, wherever they are called from. */
  anyOf?: [Permission, ...Permission[]];
}

/**
 * Wraps an API route handler: request id, authentication (bearer token or
 * session), the CSRF check for session writes, the route's permission, JSON
 * answer and the error mapping.
 */
export function apiRoute<P = Record<string, never>>(fn: (ctx: HandlerContext<P>) => Promise<unknown>, options: RouteOptions = {}) {
  return async (req: Request, ctx: RouteContext<P>): Promise<Response> => {
    const requestId = req.headers.get("x-request-id")?.slice(0, 64) || newId("req");
    try {
      const actor = await requestActor(req);
      // Only a session rides on an ambient cookie; bearer calls cannot be forged cross-site.
      if (actor.type === "user") checkSameOrigin(req);
      // No role, no data: a first OIDC sign-in waits for an admin's grant, on every route (even "my own" ones).
      if (actor.roles.length === 0) throw new AppError("forbidden", "your account has no role yet; ask an administrator to grant one");
      if (options.anyOf && !options.anyOf.some((p) => can(actor, p))) requirePermission(actor, options.anyOf[0]);
      const params = (await ctx?.params) ?? ({} as P);
      const out = await fn({ req, params, requestId, actor });
      if (out instanceof Response) return out;
      return NextResponse.json(out, { headers: { "x-request-id": requestId } });
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence for cookie-authenticated writes: a state-changing request that
 * relies on the session cookie must come from this origin. Bearer-token calls
 * carry no ambient credential and are exempt.
 */
export function checkSameOrigin(req: Request): void {
  if (SAFE_METHODS.has(req.method) || req.headers.has("authorization")) return;
  const origin = req.headers.get("origin");
  const site = req.headers.get("sec-fetch-site");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  const sameOrigin = origin
    ? (() => {
        try {
          return new URL(origin).host === host;
        } catch {
          return false;
        }
      })()
    : site === "same-origin";
  if (!sameOrigin) throw new AppError("forbidden", "cross-site request refused: send writes from this site or with a bearer token");
}

/** Parses URL query parameters with a zod schema; unknown parameters are an error. */
export function parseQuery<T extends z.ZodType>(req: Request, schema: T): z.infer<T> {
  const url = new URL(req.url);
  const raw: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k in raw) throw new AppError("validation", `query parameter "${k}" is given more than once`, [{ path: k, message: "given more than once" }]);
    raw[k] = v;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const details = zodDetails(parsed.error.issues);
    throw new AppError("validation", `invalid query: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, details);
  }
  return parsed.data;
}

/** A file download answer (Content-Disposition: attachment); `filename` must be built from safe characters only. */
export function downloadResponse(body: string | Uint8Array, contentType: string, filename: string, requestId: string): Response {
  return new Response(body as BodyInit, {
    headers: {
      "content-type": contentType,
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
      "x-request-id": requestId,
    },
  });
}
