import { z } from "zod";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { getOwnersFor, setOwnersFor } from "@/lib/ownership/owners";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** The owners of a node, direct and inherited, active or not. */
export const GET = apiRoute<Params>(async ({ req, actor, params }) => {
  parseQuery(req, z.object({}).strict());
  return getOwnersFor(await getDb(), actor, params.id);
});

/** Replaces the node's owners: `{ owners: [{ owner, role }], reason? }`. */
export const PUT = apiRoute<Params>(async ({ req, actor, params, requestId }) => {
  requirePermission(actor, "owner.assign");
  parseQuery(req, z.object({}).strict());
  return setOwnersFor(await getDb(), actor, params.id, await readJsonBody(req, 64 * 1024), requestId);
});
