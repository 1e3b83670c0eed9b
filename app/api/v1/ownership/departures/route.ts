import { z } from "zod";
import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { listDepartures } from "@/lib/ownership/reassignments";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "owner.read");
  parseQuery(req, z.object({}).strict());
  return listDepartures(await getDb(), actor);
});
