import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { sectionQuerySchema } from "@/lib/hub/common";
import { listNodeAudit } from "@/lib/hub/audit";

export const dynamic = "force-dynamic";

/** Audit events about the node and its findings, newest first, with names and changed fields. Pages with `limit` and `cursor`. */
export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => listNodeAudit(await getDb(), actor, params.id, parseQuery(req, sectionQuerySchema)),
  { anyOf: ["graph.read"] },
);
