import { getDb } from "@/db/client";
import { apiRoute, downloadResponse, parseQuery } from "@/lib/api/handler";
import { reachableFromFor, reachableFromQuerySchema } from "@/lib/graph/access-api";
import { reachableFromCsv } from "@/lib/graph/access-csv";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async ({ req, actor, requestId }) => {
    const q = parseQuery(req, reachableFromQuerySchema);
    if (q.format !== "csv") return reachableFromFor(await getDb(), actor, q);
    const f = await reachableFromCsv(await getDb(), actor, q);
    return downloadResponse(f.body, "text/csv; charset=utf-8", f.filename, requestId);
  },
  { anyOf: ["graph.read"] },
);
