import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { AUTHZEN_BODY_LIMIT, authzenRoute } from "@/lib/pdp/http";
import { searchSubjects } from "@/lib/pdp/search";

export const dynamic = "force-dynamic";

/** AuthZEN 1.0 Subject Search, paged with `page.token`; needs graph.read besides pdp.evaluate. */
export const POST = authzenRoute(async ({ req, actor }) => searchSubjects(await getDb(), actor, await readJsonBody(req, AUTHZEN_BODY_LIMIT)), {
  anyOf: ["pdp.evaluate"],
});
