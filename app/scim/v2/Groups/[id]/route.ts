import { scimJson, scimNotFound } from "@/lib/scim/errors";
import { listResources, parseProjectionQuery, parseSearchRequest } from "@/lib/scim/list";
import { project } from "@/lib/scim/projection";
import { notModified, patchResponse, resourceResponse } from "@/lib/scim/render";
import { GROUP_RESOURCE } from "@/lib/scim/schema";
import { readScimBody, scimRoute } from "@/lib/scim/route";
import { deleteGroup, getGroup, patchGroup, replaceGroup } from "@/lib/scim/groups";

export const dynamic = "force-dynamic";

type Params = { id: string };

export const GET = scimRoute<Params>(async (c) => {
  const { attributes, excludedAttributes } = parseProjectionQuery(c.req);
  const group = await getGroup(c, c.params.id);
  // The ETag is the whole resource's version, whatever the projection shows.
  const res = notModified(c.req, group) ?? resourceResponse(group);
  if (res.status !== 200 || (!attributes && !excludedAttributes)) return res;
  return new Response(JSON.stringify(project(group, GROUP_RESOURCE, attributes, excludedAttributes)), { status: 200, headers: res.headers });
});

export const PUT = scimRoute<Params>(async (c) => resourceResponse(await replaceGroup(c, c.params.id, await readScimBody(c.req), { request: c.req })));

/** 200 with the resource, or 204 when the request prefers (or the configuration says) return=minimal. */
export const PATCH = scimRoute<Params>(async (c) =>
  patchResponse(c.req, c.settings.patchReturn, await patchGroup(c, c.params.id, await readScimBody(c.req), { request: c.req })),
);

export const DELETE = scimRoute<Params>(async (c) => {
  await deleteGroup(c, c.params.id, { request: c.req });
  return new Response(null, { status: 204 });
});

/** POST /Groups/.search (RFC 7644 §3.4.3); a POST to any other id is not a SCIM operation. */
export const POST = scimRoute<Params>(async (c) => {
  if (c.params.id !== ".search") throw scimNotFound("SCIM endpoint");
  return scimJson(await listResources(c, "Group", parseSearchRequest(await readScimBody(c.req))));
});
