import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { listJobs, listJobsQuery } from "@/lib/jobs/admin";

export const dynamic = "force-dynamic";

/** Background jobs, newest first: queued, running and finished (admins). */
export const GET = apiRoute(async ({ req, actor }) => listJobs(await getDb(), actor, parseQuery(req, listJobsQuery)), { anyOf: ["admin.jobs"] });
