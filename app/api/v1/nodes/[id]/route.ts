import { z } from "zod";
import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { getNodeFor } from "@/lib/graph/node-api";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => {
    parseQuery(req, z.object({}).strict());
    return getNodeFor(await getDb(), actor, params.id);
  },
  { anyOf: ["graph.read"] },
);
