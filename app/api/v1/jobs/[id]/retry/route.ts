import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { retryJob } from "@/lib/jobs/admin";

export const dynamic = "force-dynamic";

/** Queues a failed job again (audited). */
export const POST = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => retryJob(await getDb(), actor, params.id, requestId), {
  anyOf: ["admin.jobs"],
});
