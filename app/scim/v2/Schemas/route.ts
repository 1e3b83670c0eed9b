import { listSchemas } from "@/lib/scim/discovery";
import { scimJson } from "@/lib/scim/errors";
import { scimRoute } from "@/lib/scim/route";

export const dynamic = "force-dynamic";

/** RFC 7644 §4: the User, Group and Enterprise User schema definitions. */
export const GET = scimRoute(async (c) => scimJson(listSchemas(c.base)));
