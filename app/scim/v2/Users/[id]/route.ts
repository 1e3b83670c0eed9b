import { scimJson, scimNotFound } from "@/lib/scim/errors";
import { listResources, parseProjectionQuery, parseSearchRequest } from "@/lib/scim/list";
import { project } from "@/lib/scim/projection";
import { notModified, patchResponse, resourceResponse } from "@/lib/scim/render";
import { USER_RESOURCE } from "@/lib/scim/schema";
import { readScimBody, scimRoute } from "@/lib/scim/route";
import { deleteUser, getUser, patchUser, replaceUser } from "@/lib/scim/users";

export const dynamic = "force-dynamic";

type Params = { id: string };

export const GET = scimRoute<Params>(async (c) => {
  const { attributes, excludedAttributes } = parseProjectionQuery(c.req);
  const user = await getUser(c, c.params.id);
  // The ETag is the whole resource's version, whatever the projection shows.
  const res = notModified(c.req, user) ?? resourceResponse(user);
  if (res.status !== 200 || (!attributes && !excludedAttributes)) return res;
  return new Response(JSON.stringify(project(user, USER_RESOURCE, attributes, excludedAttributes)), { status: 200, headers: res.headers });
});

export const PUT = scimRoute<Params>(async (c) => resourceResponse(await replaceUser(c, c.params.id, await readScimBody(c.req), { request: c.req })));

/** 200 with the resource, or 204 when the request prefers (or the configuration says) return=minimal. */
export const PATCH = scimRoute<Params>(async (c) =>
  patchResponse(c.req, c.settings.patchReturn, await patchUser(c, c.params.id, await readScimBody(c.req), { request: c.req })),
);

export const DELETE = scimRoute<Params>(async (c) => {
  await deleteUser(c, c.params.id, { request: c.req });
  return new Response(null, { status: 204 });
});

/** POST /Users/.search (RFC 7644 §3.4.3); a POST to any other id is not a SCIM operation. */
export const POST = scimRoute<Params>(async (c) => {
  if (c.params.id !== ".search") throw scimNotFound("SCIM endpoint");
  return scimJson(await listResources(c, "User", parseSearchRequest(await readScimBody(c.req))));
});
