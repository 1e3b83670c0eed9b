import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { whoCanReachFor, whoCanReachQuerySchema } from "@/lib/graph/access-api";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => whoCanReachFor(await getDb(), actor, parseQuery(req, whoCanReachQuerySchema)), { anyOf: ["graph.read"] });
