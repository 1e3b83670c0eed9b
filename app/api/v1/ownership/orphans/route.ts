import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { listOrphans, orphansQuerySchema } from "@/lib/ownership/orphans";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "owner.read");
  parseQuery(req, orphansQuerySchema);
  return listOrphans(await getDb(), actor, Object.fromEntries(new URL(req.url).searchParams));
});
