import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { listNeighborsFor, neighborsQuerySchema } from "@/lib/graph/node-api";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ req, actor, params }) =>
  listNeighborsFor(await getDb(), actor, params.id, parseQuery(req, neighborsQuerySchema)), { anyOf: ["graph.read"] });
