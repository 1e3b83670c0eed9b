import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { listFindingGroups, listGroupsQuerySchema } from "@/lib/findings/group-queries";

export const dynamic = "force-dynamic";

/** The root-cause groups, highest score first: the work queue. */
export const GET = apiRoute(async ({ req, actor }) => listFindingGroups(await getDb(), actor, parseQuery(req, listGroupsQuerySchema)));
