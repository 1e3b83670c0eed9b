import { scimJson } from "@/lib/scim/errors";
import { listResources, parseListQuery } from "@/lib/scim/list";
import { resourceResponse } from "@/lib/scim/render";
import { readScimBody, scimRoute } from "@/lib/scim/route";
import { createGroup } from "@/lib/scim/groups";

export const dynamic = "force-dynamic";

/** List or search Groups of the token's source (RFC 7644 §3.4.2). */
export const GET = scimRoute(async (c) => scimJson(await listResources(c, "Group", parseListQuery(c.req))));

/** Create a Group (RFC 7644 §3.3): 201 with Location and ETag. */
export const POST = scimRoute(async (c) => resourceResponse(await createGroup(c, await readScimBody(c.req)), 201));
