import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { accessEvaluations } from "@/lib/pdp/authzen";
import { AUTHZEN_BODY_LIMIT, authzenRoute } from "@/lib/pdp/http";

export const dynamic = "force-dynamic";

/** AuthZEN 1.0 Access Evaluations: a batch with top-level defaults and `options.evaluations_semantic`. */
export const POST = authzenRoute(
  async ({ req, actor, requestId }) =>
    accessEvaluations(await getDb(), actor, await readJsonBody(req, AUTHZEN_BODY_LIMIT), { requestId: req.headers.get("x-request-id") ? requestId : null }),
  { anyOf: ["pdp.evaluate"] },
);
