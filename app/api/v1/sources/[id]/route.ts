import { getDb } from "@/db/client";
import { setSourceStatus } from "@/lib/admin/sources";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";

export const dynamic = "force-dynamic";

/** Disables or enables a source (source.manage); a disabled SCIM source's token is refused by /scim/v2. */
export const PATCH = apiRoute<{ id: string }>(async ({ req, actor, params, requestId }) => {
  requirePermission(actor, "source.manage");
  return setSourceStatus(await getDb(), actor, params.id, await readJsonBody(req, 16 * 1024), requestId);
});
