import { z } from "zod";
import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { evaluateFindings } from "@/lib/findings/evaluate";

export const dynamic = "force-dynamic";

/** Evaluates every rule now (analysts and admins). */
export const POST = apiRoute(async ({ req, actor, requestId }) => {
  parseQuery(req, z.object({}).strict());
  return evaluateFindings(await getDb(), actor, { trigger: "manual", requestId });
});
