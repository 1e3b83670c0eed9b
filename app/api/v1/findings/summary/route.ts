import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { findingsSummary, summaryQuerySchema } from "@/lib/findings/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => findingsSummary(await getDb(), actor, parseQuery(req, summaryQuerySchema)));
