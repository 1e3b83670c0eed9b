import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";
import { deleteTemplate, getTemplate, updateTemplate } from "@/lib/campaigns/templates";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ actor, params }) => getTemplate(await getDb(), actor, params.id));

export const PATCH = apiRoute<{ id: string }>(async ({ req, actor, params, requestId }) =>
  updateTemplate(await getDb(), actor, params.id, await readJsonBody(req, 64 * 1024), { requestId }),
);

/** Removes a template that made no instance; one that made instances is disabled and kept (`deleted: false`). */
export const DELETE = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => deleteTemplate(await getDb(), actor, params.id, { requestId }));
