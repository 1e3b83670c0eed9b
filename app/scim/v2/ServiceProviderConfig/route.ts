import { serviceProviderConfig } from "@/lib/scim/discovery";
import { scimJson } from "@/lib/scim/errors";
import { scimRoute } from "@/lib/scim/route";

export const dynamic = "force-dynamic";

/** RFC 7644 §4: what this service provider supports. */
export const GET = scimRoute(async (c) => scimJson(serviceProviderConfig(c.base)));
