import { isAppError } from "@/lib/errors";

export const SCIM_CONTENT_TYPE = "application/scim+json";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

/** The scimType values of RFC 7644 §3.12 that this service provider answers with. */
export type ScimType =
  "invalidFilter" | "tooMany" | "uniqueness" | "mutability" | "invalidSyntax" | "invalidPath" | "noTarget" | "invalidValue" | "invalidVers" | "sensitive";

/**
 * The only errors whose detail reaches a SCIM client. Messages name the attribute,
 * path or character at fault and never carry internal state.
 */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = "ScimError";
  }
}

export const invalidFilter = (detail: string) => new ScimError(400, "invalidFilter", detail);
export const invalidValue = (detail: string) => new ScimError(400, "invalidValue", detail);
export const invalidSyntax = (detail: string) => new ScimError(400, "invalidSyntax", detail);
export const invalidPath = (detail: string) => new ScimError(400, "invalidPath", detail);
export const noTarget = (detail: string) => new ScimError(400, "noTarget", detail);
export const mutability = (detail: string) => new ScimError(400, "mutability", detail);
/** 404 naming the kind of resource only: the id is the client's input and is never echoed. */
export const scimNotFound = (what: string) => new ScimError(404, undefined, `${what} not found`);

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** JSON with the SCIM media type (RFC 7644 §3.1: clients may also ask for application/json; both parse alike). */
export function scimJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": SCIM_CONTENT_TYPE, ...headers } });
}

function errorBody(status: number, detail: string, scimType?: ScimType): ScimErrorBody {
  return { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/**
 * Maps anything thrown while serving a SCIM request to the RFC 7644 §3.12 error
 * form. AppErrors from the shared body reader keep their status (413, 415) and
 * become invalidSyntax when the body is not JSON; anything unexpected is logged
 * with the request id and answers a generic 500 that says nothing else.
 */
export function scimErrorResponse(err: unknown, requestId: string): Response {
  const headers: Record<string, string> = { "x-request-id": requestId };
  if (err instanceof ScimError) {
    if (err.status === 401) headers["www-authenticate"] = 'Bearer realm="scim"';
    return scimJson(errorBody(err.status, err.message, err.scimType), err.status, headers);
  }
  if (isAppError(err)) {
    const scimType: ScimType | undefined = err.code === "bad_request" ? "invalidSyntax" : err.code === "validation" ? "invalidValue" : undefined;
    return scimJson(errorBody(err.status, err.message, scimType), err.status, headers);
  }
  console.error(`[scim] request ${requestId} failed:`, err);
  return scimJson(errorBody(500, `something went wrong on our side; quote request id ${requestId}`), 500, headers);
}
