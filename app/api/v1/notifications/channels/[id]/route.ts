import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { deleteChannel, getChannel, updateChannel } from "@/lib/notifications/channels";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => {
    parseQuery(req, z.object({}).strict());
    return getChannel(await getDb(), actor, params.id);
  },
  { anyOf: ["admin.settings"] },
);

/** `{ name?, url?, events?, enabled? }` (admin); audited. */
export const PATCH = apiRoute<{ id: string }>(
  async ({ req, actor, params, requestId }) => updateChannel(await getDb(), actor, params.id, await readJsonBody(req, 8 * 1024), { requestId }),
  { anyOf: ["admin.settings"] },
);

export const DELETE = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => deleteChannel(await getDb(), actor, params.id, { requestId }), {
  anyOf: ["admin.settings"],
});
