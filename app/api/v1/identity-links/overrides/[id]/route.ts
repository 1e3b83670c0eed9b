import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { deleteLinkOverride } from "@/lib/connectors/link-overrides";
import { queueLinking } from "../../enqueue";

export const dynamic = "force-dynamic";

/** Withdraws an override: the rules decide again when the linking job runs, queued now (source.manage). */
export const DELETE = apiRoute<{ id: string }>(
  async ({ actor, params, requestId }) => {
    await deleteLinkOverride(await getDb(), actor, params.id, requestId);
    return { deleted: params.id, linkingQueued: await queueLinking() };
  },
  { anyOf: ["source.manage"] },
);
