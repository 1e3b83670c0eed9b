import { serviceProviderConfig } from "@/lib/scim/discovery";
import { scimJson } from "@/lib/scim/errors";
import { scimRoute } from "@/lib/scim/route";

export const dynamic = "force-dynamic";

/** Alias of /ServiceProviderConfig: Microsoft's SCIM reference tests (and clients built from them) ask here. */
export const GET = scimRoute(async (c) => scimJson(serviceProviderConfig(c.base)));
