import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { nodeFindingsQuerySchema } from "@/lib/hub/findings";
import { listNodeFindings } from "@/lib/hub/findings";

export const dynamic = "force-dynamic";

/** The node's findings, most severe first (open and accepted; `status=all` adds resolved ones). Pages with `limit` and `cursor`. */
export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => listNodeFindings(await getDb(), actor, params.id, parseQuery(req, nodeFindingsQuerySchema)),
  { anyOf: ["graph.read"] },
);
