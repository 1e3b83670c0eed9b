import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { handleSetPush } from "@/lib/campaigns/ssf/http";
import { listSsfEvents, ssfEventsQuerySchema } from "@/lib/campaigns/ssf/transmitters";

export const dynamic = "force-dynamic";

/** The latest SETs received (admin). */
export const GET = apiRoute(async ({ req, actor }) => listSsfEvents(await getDb(), actor, parseQuery(req, ssfEventsQuerySchema)), {
  anyOf: ["admin.settings"],
});

/** RFC 8935 push delivery: authenticated by the SET's signature (a configured transmitter's key), not by a session or token. */
export async function POST(req: Request): Promise<Response> {
  return handleSetPush(req, await getDb());
}
