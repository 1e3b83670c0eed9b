import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";
import { updateTransmitter } from "@/lib/campaigns/ssf/transmitters";

export const dynamic = "force-dynamic";

/** Change or disable (`enabled: false`) a transmitter. */
export const PATCH = apiRoute<{ id: string }>(
  async ({ req, actor, params, requestId }) => updateTransmitter(await getDb(), actor, params.id, await readJsonBody(req, 128 * 1024), { requestId }),
  { anyOf: ["admin.settings"] },
);
