import { getResourceType } from "@/lib/scim/discovery";
import { scimJson } from "@/lib/scim/errors";
import { scimRoute } from "@/lib/scim/route";

export const dynamic = "force-dynamic";

/** One resource type: User or Group. */
export const GET = scimRoute<{ id: string }>(async (c) => scimJson(getResourceType(c.base, c.params.id)));
