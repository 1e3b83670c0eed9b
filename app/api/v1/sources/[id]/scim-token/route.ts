import { getDb } from "@/db/client";
import { rotateScimToken } from "@/lib/admin/sources";
import { apiRoute } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

/** Issues a new SCIM token for the source (source.manage); the previous token stops working at once. */
export const POST = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => rotateScimToken(await getDb(), actor, params.id, requestId));
