import { ScimError } from "@/lib/scim/errors";
import { scimRoute } from "@/lib/scim/route";

export const dynamic = "force-dynamic";

/**
 * Any other /scim/v2 path (Bulk, Me, typos) answers in SCIM's error form rather
 * than as an HTML page, after the token check like every SCIM endpoint.
 */
const notImplemented = scimRoute<{ rest: string[] }>(async (c) => {
  const path = `/${c.params.rest.join("/")}`;
  if (/^\/(Bulk|Me)$/i.test(path)) throw new ScimError(501, undefined, `${path} is not supported by this service provider (see ServiceProviderConfig)`);
  throw new ScimError(404, undefined, "no SCIM endpoint at this path");
});

export const GET = notImplemented;
export const POST = notImplemented;
export const PUT = notImplemented;
export const PATCH = notImplemented;
export const DELETE = notImplemented;
