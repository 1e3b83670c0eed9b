import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { listLinkOverrides, setLinkOverride } from "@/lib/connectors/link-overrides";
import { queueLinking } from "../enqueue";

export const dynamic = "force-dynamic";

/** Admins' decisions on which accounts are (`link`) or are not (`never`) the same person (graph.read). */
export const GET = apiRoute(
  async ({ req, actor }) => {
    parseQuery(req, z.object({}).strict());
    return listLinkOverrides(await getDb(), actor);
  },
  { anyOf: ["graph.read"] },
);

/** `{ personNodeId, accountNodeId, decision: "link" | "never", reason? }`: applies when the linking job runs, queued now (source.manage). */
export const POST = apiRoute(
  async ({ req, actor, requestId }) => {
    const override = await setLinkOverride(await getDb(), actor, await readJsonBody(req, 8 * 1024), requestId);
    const linkingQueued = await queueLinking();
    return NextResponse.json({ ...override, linkingQueued }, { status: 201, headers: { "x-request-id": requestId } });
  },
  { anyOf: ["source.manage"] },
);
