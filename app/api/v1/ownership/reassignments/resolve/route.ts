import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { resolveReassignments } from "@/lib/ownership/reassignments";

export const dynamic = "force-dynamic";

/** Accepts the suggested successors, assigns an owner, or dismisses queue rows, in one transaction. */
export const POST = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "owner.assign");
  parseQuery(req, z.object({}).strict());
  return resolveReassignments(await getDb(), actor, await readJsonBody(req, 64 * 1024), requestId);
});
