import { z } from "zod";
import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { handleImportRequest } from "@/lib/ingest/http-import";
import { listImports } from "@/lib/ingest/run-import";
// The connectors' offline formats (aws-iam, entra-graph, okta-api, github-rest) register their converters.
import "@/lib/connectors/offline-formats";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async ({ req, actor }) => {
    const q = parseQuery(req, z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict());
    const items = await listImports(await getDb(), actor, q.limit);
    return { items, total: items.length, nextCursor: null };
  },
  { anyOf: ["import.read"] },
);

export const POST = apiRoute(async ({ req, actor, requestId }) => handleImportRequest(await getDb(), actor, req, requestId), { anyOf: ["import.run"] });
