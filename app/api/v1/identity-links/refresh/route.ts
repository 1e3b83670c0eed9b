import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { queueLinking } from "../enqueue";

export const dynamic = "force-dynamic";

/** Queues the identity-linking job now (source.manage); 202 `{ queued }` (false when this process runs no job engine). */
export const POST = apiRoute(
  async ({ actor, requestId }) => {
    requirePermission(actor, "source.manage");
    return NextResponse.json({ queued: await queueLinking() }, { status: 202, headers: { "x-request-id": requestId } });
  },
  { anyOf: ["source.manage"] },
);
