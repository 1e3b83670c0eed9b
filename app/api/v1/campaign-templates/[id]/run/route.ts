import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { runTemplateNow } from "@/lib/campaigns/template-instances";

export const dynamic = "force-dynamic";

/** An instance now: 202 with the campaign `launching`; the launch job snapshots its items (GET the campaign for progress). */
export const POST = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => {
  const c = await runTemplateNow(await getDb(), actor, params.id, { requestId });
  return NextResponse.json(c, { status: 202, headers: { "x-request-id": requestId } });
});
