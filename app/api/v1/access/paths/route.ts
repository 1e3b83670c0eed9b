import { getDb } from "@/db/client";
import { apiRoute, downloadResponse, parseQuery } from "@/lib/api/handler";
import { pathsFor, pathsQuerySchema } from "@/lib/graph/access-api";
import { pathsCsv } from "@/lib/graph/access-csv";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async ({ req, actor, requestId }) => {
    const q = parseQuery(req, pathsQuerySchema);
    if (q.format !== "csv") return pathsFor(await getDb(), actor, q);
    const f = await pathsCsv(await getDb(), actor, q);
    return downloadResponse(f.body, "text/csv; charset=utf-8", f.filename, requestId);
  },
  { anyOf: ["graph.read"] },
);
