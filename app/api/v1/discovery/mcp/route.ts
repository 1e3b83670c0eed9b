import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";
import { importResponse } from "@/lib/ingest/http-import";
import { discoverAndImport } from "@/lib/ingest/mcp-discovery/run-discovery";

export const dynamic = "force-dynamic";

/** Lists a live MCP server's tools over streamable HTTP and imports them. */
export const POST = apiRoute(
  async ({ req, actor, requestId }) => {
    const record = await discoverAndImport(await getDb(), actor, await readJsonBody(req, 64 * 1024), requestId);
    return importResponse(record, requestId);
  },
  { anyOf: ["import.run"] },
);
