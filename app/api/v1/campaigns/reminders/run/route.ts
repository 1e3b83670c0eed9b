import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { runReminders } from "@/lib/campaigns/reminders";

export const dynamic = "force-dynamic";

/** Records the reminders and escalations due now across active campaigns (idempotent; a scheduler may call it). */
export const POST = apiRoute(async ({ actor, requestId }) => runReminders(await getDb(), actor, { requestId }));
