import { scimJson, scimNotFound } from "@/lib/scim/errors";
import { listResources, parseSearchRequest } from "@/lib/scim/list";
import { notModified, resourceResponse } from "@/lib/scim/render";
import { readScimBody, scimRoute } from "@/lib/scim/route";
import { deleteGroup, getGroup, patchGroup, replaceGroup } from "@/lib/scim/groups";

export const dynamic = "force-dynamic";

type Params = { id: string };

export const GET = scimRoute<Params>(async (c) => {
  const group = await getGroup(c, c.params.id);
  return notModified(c.req, group) ?? resourceResponse(group);
});

export const PUT = scimRoute<Params>(async (c) => resourceResponse(await replaceGroup(c, c.params.id, await readScimBody(c.req), { request: c.req })));

export const PATCH = scimRoute<Params>(async (c) => resourceResponse(await patchGroup(c, c.params.id, await readScimBody(c.req), { request: c.req })));

export const DELETE = scimRoute<Params>(async (c) => {
  await deleteGroup(c, c.params.id, { request: c.req });
  return new Response(null, { status: 204 });
});

/** POST /Groups/.search (RFC 7644 §3.4.3); a POST to any other id is not a SCIM operation. */
export const POST = scimRoute<Params>(async (c) => {
  if (c.params.id !== ".search") throw scimNotFound("endpoint", `/Groups/${c.params.id}`);
  return scimJson(await listResources(c, "Group", parseSearchRequest(await readScimBody(c.req))));
});
