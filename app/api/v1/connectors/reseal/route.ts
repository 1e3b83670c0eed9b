import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { resealCredentials } from "@/lib/connectors/manage";

export const dynamic = "force-dynamic";

/** After a key rotation: re-wraps every stored credential under the current ATTEST_SECRET_KEY (source.manage). */
export const POST = apiRoute(async ({ actor, requestId }) => resealCredentials(await getDb(), actor, requestId), { anyOf: ["source.manage"] });
