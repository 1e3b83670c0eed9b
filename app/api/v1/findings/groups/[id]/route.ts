import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { getFindingGroup } from "@/lib/findings/group-queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ actor, params }) => getFindingGroup(await getDb(), actor, params.id));
