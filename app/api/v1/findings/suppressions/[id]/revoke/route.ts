import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { revokeSuppression } from "@/lib/findings/manage-suppressions";

export const dynamic = "force-dynamic";

/** Revokes a suppression: it accepts nothing more, and a job reopens the findings it accepted. */
export const POST = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => revokeSuppression(await getDb(), actor, params.id, { requestId }), {
  anyOf: ["findings.manage"],
});
