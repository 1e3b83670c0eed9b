import { z } from "zod";
import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { listNodeLinks } from "@/lib/hub/node-links";

export const dynamic = "force-dynamic";

/** The same person's accounts in other systems, each with the rule that linked it (graph.read). */
export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => {
    parseQuery(req, z.object({}).strict());
    return listNodeLinks(await getDb(), actor, params.id);
  },
  { anyOf: ["graph.read"] },
);
