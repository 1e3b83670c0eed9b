import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { getImport } from "@/lib/ingest/run-import";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ actor, params }) => getImport(await getDb(), actor, params.id), { anyOf: ["import.read"] });
