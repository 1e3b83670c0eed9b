import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { reachableFromFor, reachableFromQuerySchema } from "@/lib/graph/access-api";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => reachableFromFor(await getDb(), actor, parseQuery(req, reachableFromQuerySchema)), { anyOf: ["graph.read"] });
