import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { pathsFor, pathsQuerySchema } from "@/lib/graph/access-api";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => pathsFor(await getDb(), actor, parseQuery(req, pathsQuerySchema)), { anyOf: ["graph.read"] });
