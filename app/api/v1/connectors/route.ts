import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { createConnector, listConnectors } from "@/lib/connectors/manage";

export const dynamic = "force-dynamic";

/** Connectors with their last and open runs, and whether this server can store credentials (import.read). */
export const GET = apiRoute(
  async ({ req, actor }) => {
    parseQuery(req, z.object({}).strict());
    return listConnectors(await getDb(), actor);
  },
  { anyOf: ["import.read"] },
);

/** Creates a connector (source.manage); its credential, if given, is sealed and never answered. */
export const POST = apiRoute(async ({ req, actor, requestId }) => {
  // Permission before reading the body, so a caller without it learns nothing from validation.
  requirePermission(actor, "source.manage");
  const created = await createConnector(await getDb(), actor, await readJsonBody(req, 64 * 1024), requestId);
  return NextResponse.json(created, { status: 201, headers: { "x-request-id": requestId } });
});
