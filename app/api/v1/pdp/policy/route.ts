import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { getPdpPolicy, putPdpPolicy } from "@/lib/pdp/policy-store";

export const dynamic = "force-dynamic";

/** The runtime decision point's policy knobs (admins): the version in force. */
export const GET = apiRoute(
  async ({ req, actor }) => {
    parseQuery(req, z.object({}).strict());
    return getPdpPolicy(await getDb(), actor);
  },
  { anyOf: ["admin.settings"] },
);

/** `{ version, policy, reason? }`: a new version; 409 when `version` is not the one in force. */
export const PUT = apiRoute(async ({ req, actor, requestId }) => putPdpPolicy(await getDb(), actor, await readJsonBody(req, 64 * 1024), { requestId }), {
  anyOf: ["admin.settings"],
});
