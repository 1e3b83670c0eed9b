import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { createSource, listSources, listSourcesQuerySchema } from "@/lib/admin/sources";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";

export const dynamic = "force-dynamic";

/** Sources with their node counts and last import (graph.read). */
export const GET = apiRoute(async ({ req, actor }) => {
  return listSources(await getDb(), actor, parseQuery(req, listSourcesQuerySchema));
});

/** Creates a SCIM source (source.manage); its token is in this answer only. */
export const POST = apiRoute(async ({ req, actor, requestId }) => {
  // Permission before reading the body, so a caller without it learns nothing from validation.
  requirePermission(actor, "source.manage");
  const created = await createSource(await getDb(), actor, await readJsonBody(req, 16 * 1024), requestId);
  return NextResponse.json(created, { status: 201 });
});
