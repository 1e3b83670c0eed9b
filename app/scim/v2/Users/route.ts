import { scimJson } from "@/lib/scim/errors";
import { listResources, parseListQuery } from "@/lib/scim/list";
import { resourceResponse } from "@/lib/scim/render";
import { readScimBody, scimRoute } from "@/lib/scim/route";
import { createUser } from "@/lib/scim/users";

export const dynamic = "force-dynamic";

/** List or search Users of the token's source (RFC 7644 §3.4.2). */
export const GET = scimRoute(async (c) => scimJson(await listResources(c, "User", parseListQuery(c.req))));

/** Create a User (RFC 7644 §3.3): 201 with Location and ETag. */
export const POST = scimRoute(async (c) => resourceResponse(await createUser(c, await readScimBody(c.req)), 201));
