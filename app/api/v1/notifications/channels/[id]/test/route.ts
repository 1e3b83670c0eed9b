import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { testChannel } from "@/lib/notifications/channels";

export const dynamic = "force-dynamic";

/** Posts a test message to the channel now; answers `{ ok, to, reason }` (admin; audited). */
export const POST = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => testChannel(await getDb(), actor, params.id, { requestId }), {
  anyOf: ["admin.settings"],
});
