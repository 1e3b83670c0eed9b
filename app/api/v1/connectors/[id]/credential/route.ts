import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";
import { setConnectorCredential } from "@/lib/connectors/manage";

export const dynamic = "force-dynamic";

/** Replaces the credential (rotation): `{ credential: { ... } }`; answers the connector, never the value (source.manage). */
export const PUT = apiRoute<{ id: string }>(
  async ({ req, actor, params, requestId }) => setConnectorCredential(await getDb(), actor, params.id, await readJsonBody(req, 64 * 1024), requestId),
  { anyOf: ["source.manage"] },
);
