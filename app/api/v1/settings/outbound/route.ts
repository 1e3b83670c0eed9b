import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { getOutboundSettings, updateOutboundSettings } from "@/lib/admin/outbound-settings";

export const dynamic = "force-dynamic";

/** Where the server may send requests (MCP discovery and later connectors): admin only. */
export const GET = apiRoute(
  async ({ req, actor }) => {
    parseQuery(req, z.object({}).strict());
    return getOutboundSettings(await getDb(), actor);
  },
  { anyOf: ["admin.settings"] },
);

export const PUT = apiRoute(async ({ req, actor, requestId }) => updateOutboundSettings(await getDb(), actor, await readJsonBody(req, 64 * 1024), requestId), {
  anyOf: ["admin.settings"],
});
