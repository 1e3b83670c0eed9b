import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { deleteConnector, getConnector, updateConnector } from "@/lib/connectors/manage";

export const dynamic = "force-dynamic";

/** One connector, with its last and open runs (import.read). */
export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => {
    parseQuery(req, z.object({}).strict());
    return getConnector(await getDb(), actor, params.id);
  },
  { anyOf: ["import.read"] },
);

/** Name, settings, schedule, mode, enabled; `expectedVersion` answers 409 instead of overwriting a newer change (source.manage). */
export const PATCH = apiRoute<{ id: string }>(
  async ({ req, actor, params, requestId }) => updateConnector(await getDb(), actor, params.id, await readJsonBody(req, 64 * 1024), requestId),
  { anyOf: ["source.manage"] },
);

/** Removes the connector and its run history; the graph source it wrote stays (source.manage). */
export const DELETE = apiRoute<{ id: string }>(
  async ({ actor, params, requestId }) => {
    await deleteConnector(await getDb(), actor, params.id, requestId);
    return new Response(null, { status: 204, headers: { "x-request-id": requestId } });
  },
  { anyOf: ["source.manage"] },
);
