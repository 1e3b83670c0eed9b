import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { getPreferences, updatePreferences } from "@/lib/notifications/preferences";

export const dynamic = "force-dynamic";

/** The caller's own notification choices (any role). */
export const GET = apiRoute(async ({ req, actor }) => {
  parseQuery(req, z.object({}).strict());
  return getPreferences(await getDb(), actor);
});

/** `{ digestOptOut }`: digests only; reminders, overdue notices and escalations are always sent. Audited. */
export const PUT = apiRoute(async ({ req, actor, requestId }) => updatePreferences(await getDb(), actor, await readJsonBody(req, 1024), { requestId }));
