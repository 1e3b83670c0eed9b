import { getDb } from "@/db/client";
import { updateAppUser } from "@/lib/admin/app-users";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

/** Change a user's status and/or roles. */
export const PATCH = apiRoute<{ id: string }>(
  async ({ req, actor, params, requestId }) => {
    return updateAppUser(await getDb(), actor, params.id, await readJsonBody(req, 16 * 1024), requestId);
  },
  { anyOf: ["admin.users"] },
);
