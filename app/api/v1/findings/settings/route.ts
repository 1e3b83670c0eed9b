import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { getFindingSettings, updateFindingSettings } from "@/lib/findings/settings";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => {
  parseQuery(req, z.object({}).strict());
  return getFindingSettings(await getDb(), actor);
});

export const PUT = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "findings.manage");
  return updateFindingSettings(await getDb(), actor, await readJsonBody(req, 32 * 1024), requestId);
});
