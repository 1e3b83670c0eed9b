import { z } from "zod";
import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { listMcpServerTable } from "@/lib/inventory/mcp-servers";

export const dynamic = "force-dynamic";

/** `?q&risk&sort&dir&limit&cursor`: one sorted, filtered page of MCP servers with their counts (lib/inventory/mcp-servers.ts). */
export const GET = apiRoute(async ({ req, actor }) => listMcpServerTable(await getDb(), actor, parseQuery(req, z.record(z.string(), z.string()))), {
  anyOf: ["graph.read"],
});
