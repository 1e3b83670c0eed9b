import { getDb } from "@/db/client";
import { apiRoute, downloadResponse, parseQuery } from "@/lib/api/handler";
import { neighborsCsv } from "@/lib/graph/access-csv";
import { listNeighborsFor, neighborsQuerySchema } from "@/lib/graph/node-api";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params, requestId }) => {
    const q = parseQuery(req, neighborsQuerySchema);
    if (q.format !== "csv") return listNeighborsFor(await getDb(), actor, params.id, q);
    const f = await neighborsCsv(await getDb(), actor, params.id, q);
    return downloadResponse(f.body, "text/csv; charset=utf-8", f.filename, requestId);
  },
  { anyOf: ["graph.read"] },
);
