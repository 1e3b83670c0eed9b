import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { optionalJsonBody } from "@/lib/campaigns/http";
import { completeRemediationTask } from "@/lib/campaigns/remediation";

export const dynamic = "force-dynamic";

/** Marks the revocation carried out (`{ note?, ticket? }`); the next import of its source verifies it. */
export const POST = apiRoute<{ id: string }>(async ({ req, actor, params, requestId }) => {
  requirePermission(actor, "campaign.manage");
  return completeRemediationTask(await getDb(), actor, params.id, await optionalJsonBody(req), { requestId });
});
