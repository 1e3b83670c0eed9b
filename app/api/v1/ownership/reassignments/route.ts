import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { listReassignments, listReassignmentsQuerySchema, queueReassignments } from "@/lib/ownership/reassignments";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "owner.read");
  return listReassignments(await getDb(), actor, parseQuery(req, listReassignmentsQuerySchema));
});

/** Offboards people by hand: everything they own goes into the queue. */
export const POST = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "owner.assign");
  parseQuery(req, z.object({}).strict());
  return queueReassignments(await getDb(), actor, await readJsonBody(req, 64 * 1024), requestId);
});
