import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { listFindings, listFindingsQuerySchema } from "@/lib/findings/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => listFindings(await getDb(), actor, parseQuery(req, listFindingsQuerySchema)));
