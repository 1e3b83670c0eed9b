import { getSchema } from "@/lib/scim/discovery";
import { scimJson } from "@/lib/scim/errors";
import { scimRoute } from "@/lib/scim/route";

export const dynamic = "force-dynamic";

/** One schema definition by its URN. */
export const GET = scimRoute<{ id: string }>(async (c) => scimJson(getSchema(c.base, c.params.id)));
