import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { listMyOwnership, mineQuerySchema } from "@/lib/ownership/owned-by";

export const dynamic = "force-dynamic";

/** What the caller's person owns, with co-owners and gaps. Every signed-in person may read their own. */
export const GET = apiRoute(async ({ req, actor }) => listMyOwnership(await getDb(), actor, parseQuery(req, mineQuerySchema)));
