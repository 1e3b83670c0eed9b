import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { testEmail } from "@/lib/notifications/channels";

export const dynamic = "force-dynamic";

/** Sends a test e-mail to the caller's own address now; answers `{ ok, to, reason }` (admin; audited). 409 when SMTP is not configured. */
export const POST = apiRoute(async ({ actor, requestId }) => testEmail(await getDb(), actor, { requestId }), { anyOf: ["admin.settings"] });
