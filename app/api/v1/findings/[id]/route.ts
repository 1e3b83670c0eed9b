import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { getFinding } from "@/lib/findings/queries";
import { updateFinding } from "@/lib/findings/update-finding";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ actor, params }) => getFinding(await getDb(), actor, params.id));

export const PATCH = apiRoute<{ id: string }>(async ({ req, actor, params, requestId }) => {
  // Permission before reading the body, so a caller without it learns nothing from validation.
  requirePermission(actor, "findings.manage");
  return updateFinding(await getDb(), actor, params.id, await readJsonBody(req, 16 * 1024), { requestId });
});
