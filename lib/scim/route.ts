import { getDb, type Db } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { newId } from "@/lib/ids";
import { authenticateScim, type ScimSource } from "./auth";
import { ignoredWarning, scimSettings, type Leniency, type ScimSettings } from "./config";
import { scimErrorResponse } from "./errors";

/** Largest SCIM request body: a group PUT with several thousand members fits; anything larger is a 413. */
export const SCIM_MAX_BODY = 1024 * 1024;

export interface ScimRequest<P> {
  req: Request;
  db: Db;
  source: ScimSource;
  params: P;
  requestId: string;
  /** Absolute URL of the SCIM root (`https://host/scim/v2`), for meta.location and Location headers. */
  base: string;
  settings: ScimSettings;
  /** Strict or lenient for this source; lenient collects the paths it ignored. */
  lx: Leniency;
}

/**
 * Wraps a /scim/v2 route handler: request id, the source's bearer token, and
 * errors in the RFC 7644 §3.12 form. Every SCIM endpoint, discovery included,
 * needs the token: each request names the source it speaks for. What a lenient
 * source ignored is named (paths only) in a Warning header and in the log.
 */
export function scimRoute<P = Record<string, never>>(fn: (ctx: ScimRequest<P>) => Promise<Response>) {
  return async (req: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    const requestId = req.headers.get("x-request-id")?.slice(0, 64) || newId("req");
    try {
      const db = await getDb();
      const source = await authenticateScim(db, req);
      const params = (await ctx?.params) ?? ({} as P);
      const base = `${new URL(req.url).origin}/scim/v2`;
      const settings = scimSettings(source.name);
      const lx: Leniency = { strict: settings.strict, ignored: [] };
      const res = await fn({ req, db, source, params, requestId, base, settings, lx });
      res.headers.set("x-request-id", requestId);
      const warning = ignoredWarning(lx.ignored);
      if (warning) {
        res.headers.set("warning", warning);
        console.warn(`[scim] request ${requestId} from source ${source.name}: ${warning.slice(7, -1)}`);
      }
      return res;
    } catch (err) {
      return scimErrorResponse(err, requestId);
    }
  };
}

/** Reads a SCIM JSON body (application/scim+json or application/json), size-limited while streaming. */
export function readScimBody(req: Request): Promise<unknown> {
  return readJsonBody(req, SCIM_MAX_BODY);
}
