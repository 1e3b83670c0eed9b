import { apiRoute, type HandlerContext, type RouteOptions } from "@/lib/api/handler";

/** Request bodies of the AuthZEN endpoints: a batch of 1,000 evaluations fits. */
export const AUTHZEN_BODY_LIMIT = 512 * 1024;

/**
 * An AuthZEN endpoint: the house route wrapper (authentication, permission, error shape), plus the specification's
 * request identification — when the PEP sent X-Request-ID, the response carries the same value (printable ASCII up
 * to 256 characters; the house wrapper keeps 64 for its own logs).
 */
export function authzenRoute<P = Record<string, never>>(fn: (ctx: HandlerContext<P>) => Promise<unknown>, options: RouteOptions = {}) {
  const inner = apiRoute<P>(fn, options);
  return async (req: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    const sent = req.headers.get("x-request-id");
    const res = await inner(req, ctx);
    if (sent && sent.length <= 256 && /^[\x21-\x7e][\x20-\x7e]*$/.test(sent)) res.headers.set("x-request-id", sent);
    return res;
  };
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
