import { z } from "zod";
import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { listReviewerCandidates } from "@/lib/campaigns/queries";

export const dynamic = "force-dynamic";

/** People who may review: delegation targets and named reviewers. */
export const GET = apiRoute(async ({ req, actor }) => {
  const db = await getDb();
  const items = await listReviewerCandidates(db, actor);
  parseQuery(req, z.object({}).strict());
  return { items, total: items.length, nextCursor: null };
});
