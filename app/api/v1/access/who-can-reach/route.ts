import { getDb } from "@/db/client";
import { apiRoute, downloadResponse, parseQuery } from "@/lib/api/handler";
import { whoCanReachFor, whoCanReachQuerySchema } from "@/lib/graph/access-api";
import { whoCanReachCsv } from "@/lib/graph/access-csv";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async ({ req, actor, requestId }) => {
    const q = parseQuery(req, whoCanReachQuerySchema);
    if (q.format !== "csv") return whoCanReachFor(await getDb(), actor, q);
    const f = await whoCanReachCsv(await getDb(), actor, q);
    return downloadResponse(f.body, "text/csv; charset=utf-8", f.filename, requestId);
  },
  { anyOf: ["graph.read"] },
);
