import { listResourceTypes } from "@/lib/scim/discovery";
import { scimJson } from "@/lib/scim/errors";
import { scimRoute } from "@/lib/scim/route";

export const dynamic = "force-dynamic";

/** RFC 7644 §4: the User and Group resource types. */
export const GET = scimRoute(async (c) => scimJson(listResourceTypes(c.base)));
