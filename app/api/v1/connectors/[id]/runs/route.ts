import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { CONNECTOR_RUN } from "@/lib/connectors/jobs";
import { listConnectorRuns, requestRun } from "@/lib/connectors/manage";
import { currentEngine, enqueueJob } from "@/lib/jobs";

export const dynamic = "force-dynamic";

export const listRunsQuerySchema = z
  .object({
    limit: z
      .string()
      .regex(/^[0-9]{1,4}$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().min(1, "at least 1").max(100, "at most 100"))
      .optional(),
  })
  .strict();

/** The connector's latest runs, tests included, newest first (import.read). */
export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => {
    const q = parseQuery(req, listRunsQuerySchema);
    return listConnectorRuns(await getDb(), actor, params.id, q.limit ?? 20);
  },
  { anyOf: ["import.read"] },
);

/** Queues a run (`{ mode?: "full" | "incremental" }`) and starts its job once the run is committed; 202 with the run (source.manage). */
export const POST = apiRoute<{ id: string }>(
  async ({ req, actor, params, requestId }) => {
    const body = !req.body ? {} : await readJsonBody(req, 4 * 1024);
    const run = await requestRun(await getDb(), actor, params.id, body, { requestId });
    if (currentEngine()) await enqueueJob(CONNECTOR_RUN, { runId: run.id }, { singletonKey: run.id });
    return NextResponse.json(run, { status: 202, headers: { "x-request-id": requestId } });
  },
  { anyOf: ["source.manage"] },
);
