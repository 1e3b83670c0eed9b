import { commonErrors, errorResponse, page, pathParam, queryParams, type JsonSchema, type PathItems } from "@/lib/api/openapi-kit";
import { JOB_STATES, listJobsQuery } from "./admin";

const job: JsonSchema = {
  type: "object",
  required: ["id", "name", "state", "createdAt", "retryCount", "retryLimit"],
  properties: {
    id: { type: "string", format: "uuid" },
    name: { type: "string", example: "findings.full-evaluation" },
    state: { enum: JOB_STATES, description: "created = queued; retry = queued again after a failure; active = running" },
    createdAt: { type: "string", format: "date-time" },
    startedAt: { type: ["string", "null"], format: "date-time" },
    completedAt: { type: ["string", "null"], format: "date-time" },
    retryCount: { type: "integer" },
    retryLimit: { type: "integer" },
    durationMs: { type: ["integer", "null"] },
    errorClass: {
      type: ["string", "null"],
      description:
        "The failure's class, e.g. Interrupted (its process died), Expired, AppError:validation. The error's own text is never shown, except a safe AppError message.",
    },
    errorMessage: { type: ["string", "null"] },
    instanceId: { type: ["string", "null"], description: "The app instance that ran the last attempt" },
  },
};

export const jobsPaths: PathItems = {
  "/api/v1/jobs": {
    get: {
      summary: "Background jobs, newest first: queued, running, failed and finished in the last week (admin)",
      parameters: queryParams(listJobsQuery),
      responses: { "200": { description: "`{ items, total, nextCursor }`", content: { "application/json": { schema: page(job) } } }, ...commonErrors },
    },
  },
  "/api/v1/jobs/{id}/retry": {
    post: {
      summary: "Queue a failed job again, with one more attempt (admin); audited as job.retry",
      parameters: [pathParam("id", "The job's id (a UUID)")],
      responses: {
        "200": { description: "The job, now in state retry", content: { "application/json": { schema: job } } },
        ...commonErrors,
        "404": errorResponse("No such job."),
        "409": errorResponse("The job is not failed, or is archived (older than a week)."),
      },
    },
  },
};
