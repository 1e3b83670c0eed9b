import { getDb } from "@/db/client";
import { createApiToken, listApiTokens } from "@/lib/admin/api-tokens";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { z } from "zod";
import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async ({ req, actor }) => {
    parseQuery(req, z.object({}).strict());
    return listApiTokens(await getDb(), actor);
  },
  { anyOf: ["admin.tokens"] },
);

export const POST = apiRoute(
  async ({ req, actor, requestId }) => {
    const db = await getDb();
    const created = await createApiToken(db, actor, await readJsonBody(req, 16 * 1024), requestId);
    return NextResponse.json(created, { status: 201 });
  },
  { anyOf: ["admin.tokens"] },
);
