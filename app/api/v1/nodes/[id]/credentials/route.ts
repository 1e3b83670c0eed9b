import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { sectionQuerySchema } from "@/lib/hub/common";
import { listNodeCredentials } from "@/lib/hub/credentials";

export const dynamic = "force-dynamic";

/** Credentials the node uses or that open it (storage, fingerprint, dates; never a value); for a credential, who uses it and what it opens. Pages with `limit` and `cursor`. */
export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => listNodeCredentials(await getDb(), actor, params.id, parseQuery(req, sectionQuerySchema)),
  { anyOf: ["graph.read"] },
);
