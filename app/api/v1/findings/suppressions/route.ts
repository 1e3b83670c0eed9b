import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { createSuppression, listSuppressions, listSuppressionsQuerySchema } from "@/lib/findings/manage-suppressions";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => listSuppressions(await getDb(), actor, parseQuery(req, listSuppressionsQuerySchema)));

/** Accept findings by rule and scope until a date; applied to existing findings by a job. */
export const POST = apiRoute(async ({ req, actor, requestId }) => {
  // Permission before reading the body, so a caller without it learns nothing from validation.
  requirePermission(actor, "findings.manage");
  const created = await createSuppression(await getDb(), actor, await readJsonBody(req, 16 * 1024), { requestId });
  return NextResponse.json(created, { status: 201, headers: { "x-request-id": requestId } });
});
