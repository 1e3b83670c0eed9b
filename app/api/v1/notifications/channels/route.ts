import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { createChannel, listChannels } from "@/lib/notifications/channels";

export const dynamic = "force-dynamic";

/** Chat channels (Slack-compatible webhooks, Teams workflows), each shown by host only (admin). */
export const GET = apiRoute(
  async ({ req, actor }) => {
    parseQuery(req, z.object({}).strict());
    return listChannels(await getDb(), actor);
  },
  { anyOf: ["admin.settings"] },
);

/** `{ kind, name, url, events, enabled? }`: the URL is sealed and never shown again; 201 with the channel. */
export const POST = apiRoute(
  async ({ req, actor, requestId }) => {
    const ch = await createChannel(await getDb(), actor, await readJsonBody(req, 8 * 1024), { requestId });
    return NextResponse.json(ch, { status: 201, headers: { "x-request-id": requestId } });
  },
  { anyOf: ["admin.settings"] },
);
