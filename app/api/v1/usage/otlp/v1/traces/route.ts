import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { ingestOtlpTraces } from "@/lib/usage/otlp-ingest";
import { readOtlpJson } from "@/lib/usage/otlp-request";

export const dynamic = "force-dynamic";

/**
 * OTLP/HTTP JSON trace export from MCP gateways (usage.ingest): MCP tool-call spans become "last used" per (agent,
 * tool). Answers an ExportTraceServiceResponse: `{}`, or `{ partialSuccess: { rejectedSpans, errorMessage } }`.
 */
export const POST = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "usage.ingest");
  const result = await ingestOtlpTraces(await getDb(), actor, await readOtlpJson(req));
  return result.response;
});
