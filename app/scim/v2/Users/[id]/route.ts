import { scimJson, scimNotFound } from "@/lib/scim/errors";
import { listResources, parseSearchRequest } from "@/lib/scim/list";
import { notModified, resourceResponse } from "@/lib/scim/render";
import { readScimBody, scimRoute } from "@/lib/scim/route";
import { deleteUser, getUser, patchUser, replaceUser } from "@/lib/scim/users";

export const dynamic = "force-dynamic";

type Params = { id: string };

export const GET = scimRoute<Params>(async (c) => {
  const user = await getUser(c, c.params.id);
  return notModified(c.req, user) ?? resourceResponse(user);
});

export const PUT = scimRoute<Params>(async (c) => resourceResponse(await replaceUser(c, c.params.id, await readScimBody(c.req), { request: c.req })));

export const PATCH = scimRoute<Params>(async (c) => resourceResponse(await patchUser(c, c.params.id, await readScimBody(c.req), { request: c.req })));

export const DELETE = scimRoute<Params>(async (c) => {
  await deleteUser(c, c.params.id, { request: c.req });
  return new Response(null, { status: 204 });
});

/** POST /Users/.search (RFC 7644 §3.4.3); a POST to any other id is not a SCIM operation. */
export const POST = scimRoute<Params>(async (c) => {
  if (c.params.id !== ".search") throw scimNotFound("endpoint", `/Users/${c.params.id}`);
  return scimJson(await listResources(c, "User", parseSearchRequest(await readScimBody(c.req))));
});
