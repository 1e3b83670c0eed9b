import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { sectionQuerySchema } from "@/lib/hub/common";
import { listNodeHistory } from "@/lib/hub/history";

export const dynamic = "force-dynamic";

/** The node's timeline from validity periods: relationships that began or ended, newest first. Pages with `limit` and `cursor`. */
export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => listNodeHistory(await getDb(), actor, params.id, parseQuery(req, sectionQuerySchema)),
  { anyOf: ["graph.read"] },
);
