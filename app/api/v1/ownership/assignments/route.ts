import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { assignOwner } from "@/lib/ownership/assign";

export const dynamic = "force-dynamic";

/** Adds one owner in one role to many nodes, in one transaction. */
export const POST = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "owner.assign");
  parseQuery(req, z.object({}).strict());
  return assignOwner(await getDb(), actor, await readJsonBody(req, 256 * 1024), requestId);
});
