import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { testConnector } from "@/lib/connectors/manage";

export const dynamic = "force-dynamic";

/** "Test connection": one authenticated call now, answered in words (`{ ok, code, message, run }`); recorded and audited (source.manage). */
export const POST = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => testConnector(await getDb(), actor, params.id, requestId), {
  anyOf: ["source.manage"],
});
