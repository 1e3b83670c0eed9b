import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { createTemplate, listTemplates } from "@/lib/campaigns/templates";

export const dynamic = "force-dynamic";

/** No filters yet: an unknown query parameter is a 400 naming it. */
const listQuery = z.object({}).strict();

export const GET = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "campaign.read");
  parseQuery(req, listQuery);
  return listTemplates(await getDb(), actor);
});

export const POST = apiRoute(async ({ req, actor, requestId }) => {
  const created = await createTemplate(await getDb(), actor, await readJsonBody(req, 64 * 1024), { requestId });
  return NextResponse.json(created, { status: 201 });
});
