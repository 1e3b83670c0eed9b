import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { createTransmitter, listTransmitters, transmittersQuerySchema } from "@/lib/campaigns/ssf/transmitters";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async ({ req, actor }) => {
    parseQuery(req, transmittersQuerySchema);
    return listTransmitters(await getDb(), actor);
  },
  { anyOf: ["admin.settings"] },
);

export const POST = apiRoute(
  async ({ req, actor, requestId }) =>
    NextResponse.json(await createTransmitter(await getDb(), actor, await readJsonBody(req, 128 * 1024), { requestId }), { status: 201 }),
  { anyOf: ["admin.settings"] },
);
