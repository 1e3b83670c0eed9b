import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { getImportRun, importRunQuerySchema } from "@/lib/ingest/import-run";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => getImportRun(await getDb(), actor, params.id, parseQuery(req, importRunQuerySchema)),
  { anyOf: ["import.read"] },
);
