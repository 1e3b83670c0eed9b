import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { sectionQuerySchema } from "@/lib/hub/common";
import { listNodeCertifications } from "@/lib/hub/certifications";

export const dynamic = "force-dynamic";

/** Campaign decisions on the node's access, newest first, with the last approval. Pages with `limit` and `cursor`. */
export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => listNodeCertifications(await getDb(), actor, params.id, parseQuery(req, sectionQuerySchema)),
  { anyOf: ["graph.read"] },
);
