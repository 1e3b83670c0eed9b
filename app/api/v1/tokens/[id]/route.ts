import { getDb } from "@/db/client";
import { revokeApiToken } from "@/lib/admin/api-tokens";
import { apiRoute } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

/** Revokes the token. */
export const DELETE = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => revokeApiToken(await getDb(), actor, params.id, requestId), {
  anyOf: ["admin.tokens"],
});
