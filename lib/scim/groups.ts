import type { Db } from "@/db/client";
import { invalidValue, mutability, scimNotFound } from "./errors";
import { applyPatch, parsePatchRequest } from "./patch";
import { checkIfMatch, withMeta } from "./render";
import { isObj, normalizeResource, type Obj } from "./resource-shape";
import { GROUP_RESOURCE } from "./schema";
import {
  endScimNode,
  findByScimIds,
  findScimNode,
  insertScimNode,
  linkedEdges,
  scimWrite,
  syncEdges,
  updateScimNode,
  type NodeFields,
  type NodeRow,
  type ScimContext,
} from "./store";

/**
 * SCIM Groups as `group` nodes of the token's source. Membership is not stored
 * in the resource: `members` are this source's current member_of edges
 * (member → group), so the graph and what a GET answers never disagree, and
 * ending a user ends its memberships too. A member must be a current User or
 * Group of the same source.
 */

/** The node columns a Group resource maps to (also used to summarise the stored state for the audit). */
export function groupNodeFields(resource: Obj): NodeFields {
  const { members: _members, ...scim } = resource;
  return {
    name: resource.displayName as string,
    status: null,
    attributes: { displayName: resource.displayName, scimExternalId: typeof resource.externalId === "string" ? resource.externalId : undefined, scim },
  };
}

/**
 * What a write stores of a Group (members are edges, not attributes): create,
 * replace and patch call it once, for the new state only, so a check of the
 * values to be stored is one call here.
 */
export function groupFieldsToStore(resource: Obj): NodeFields {
  return groupNodeFields(resource);
}

/**
 * Groups as SCIM resources. `withMembers: false` skips reading membership, for
 * list filters that do not need it; such renders are for matching only (their
 * meta.version would be wrong).
 */
export async function renderGroups(ctx: ScimContext, rows: NodeRow[], db: Db = ctx.db, withMembers = true): Promise<Obj[]> {
  const links = withMembers
    ? await linkedEdges(
        db,
        ctx.source.id,
        "member_of",
        "to",
        rows.map((r) => r.id),
      )
    : [];
  return rows.map((row) => {
    const stored = isObj(row.attributes.scim) ? row.attributes.scim : { displayName: row.name };
    const members = links
      .filter((l) => l.toId === row.id)
      .map((l) => {
        const type = l.other.kind === "group" ? "Group" : "User";
        return { value: l.other.externalId, $ref: `${ctx.base}/${type}s/${l.other.externalId}`, type, display: l.other.name };
      });
    return withMeta(GROUP_RESOURCE, row, { ...stored, ...(members.length ? { members } : {}) }, ctx.base);
  });
}

async function load(ctx: ScimContext, db: Db, id: string): Promise<{ row: NodeRow; resource: Obj }> {
  const row = await findScimNode(db, ctx.source.id, "group", id);
  if (!row) throw scimNotFound("Group");
  const [resource] = await renderGroups(ctx, [row], db);
  return { row, resource: resource! };
}

export async function getGroup(ctx: ScimContext, id: string): Promise<Obj> {
  return (await load(ctx, ctx.db, id)).resource;
}

/** Makes the group's member_of edges match `members`; unknown ids and self-membership are a 400 and change nothing. */
async function syncMembers(tx: Db, ctx: ScimContext, group: NodeRow, resource: Obj, at: Date) {
  const wanted = Array.isArray(resource.members) ? resource.members.filter(isObj) : [];
  const ids = [
    ...new Set(
      wanted.map((m, i) => {
        if (typeof m.value !== "string" || !m.value) throw invalidValue(`members[${i}].value is required`);
        return m.value;
      }),
    ),
  ];
  if (ids.includes(group.externalId)) throw invalidValue("a group cannot be a member of itself");
  const found = await findByScimIds(tx, ctx.source.id, ["human", "group"], ids);
  const byId = new Map(found.map((n) => [n.externalId, n]));
  // Named by position, never by value: the ids are the client's input.
  const missing = wanted.flatMap((m, i) => (byId.has(m.value as string) ? [] : [`members[${i}].value`]));
  if (missing.length)
    throw invalidValue(
      `${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ` and ${missing.length - 5} more` : ""} ${missing.length === 1 ? "is not a User or Group" : "are not Users or Groups"} of this source`,
    );
  const existing = await linkedEdges(tx, ctx.source.id, "member_of", "to", [group.id]);
  return syncEdges(
    tx,
    ctx.source.id,
    "member_of",
    existing,
    ids.map((id) => ({ from: byId.get(id)!, to: group })),
    "from",
    at,
  );
}

const summary = (f: NodeFields, memberCount: number) => ({ name: f.name, scimExternalId: f.attributes.scimExternalId, memberCount });
const memberCount = (r: Obj) => (Array.isArray(r.members) ? new Set(r.members.filter(isObj).map((m) => m.value)).size : 0);

/** POST /Groups: 201 with the stored group and its members. */
export async function createGroup(ctx: ScimContext, body: unknown): Promise<Obj> {
  const resource = normalizeResource(body, GROUP_RESOURCE, ctx.lx);
  const fields = groupFieldsToStore(resource);
  return scimWrite(ctx, async (tx, at) => {
    const row = await insertScimNode(tx, ctx.source.id, "group", fields, at);
    const { added } = await syncMembers(tx, ctx, row, resource, at);
    const [out] = await renderGroups(ctx, [row], tx);
    return {
      result: out!,
      audit: {
        action: "scim.group.create",
        target: { type: "node", id: row.id },
        after: { scimId: row.externalId, ...summary(fields, added.length), membersAdded: added },
      },
    };
  });
}

interface WriteOptions {
  request?: Request;
}

async function save(
  ctx: ScimContext,
  id: string,
  action: "scim.group.replace" | "scim.group.patch",
  opts: WriteOptions,
  next: (current: Obj) => { resource: Obj; extra?: Obj },
): Promise<Obj> {
  return scimWrite(ctx, async (tx, at) => {
    const { row, resource: current } = await load(ctx, tx, id);
    if (opts.request) checkIfMatch(opts.request, current);
    const { resource, extra } = next(current);
    const fields = groupFieldsToStore(resource);
    const before = groupNodeFields({ ...(isObj(row.attributes.scim) ? row.attributes.scim : {}), displayName: row.name });
    const updated = await updateScimNode(tx, row.id, fields, at);
    const { added, removed } = await syncMembers(tx, ctx, updated, resource, at);
    const [out] = await renderGroups(ctx, [updated], tx);
    return {
      result: out!,
      audit: {
        action,
        target: { type: "node", id: row.id },
        before: summary(before, memberCount(current)),
        after: { scimId: row.externalId, ...summary(fields, memberCount(resource)), membersAdded: added, membersRemoved: removed, ...extra },
      },
    };
  });
}

/** PUT /Groups/{id}: replaces the group, membership included. */
export async function replaceGroup(ctx: ScimContext, id: string, body: unknown, opts: WriteOptions = {}): Promise<Obj> {
  if (isObj(body) && body.id !== undefined && body.id !== id) throw mutability("id is read-only and must match the URL");
  const resource = normalizeResource(body, GROUP_RESOURCE, ctx.lx);
  return save(ctx, id, "scim.group.replace", opts, () => ({ resource }));
}

/**
 * The group as PATCH sees it: members by value and type only. `$ref` and
 * `display` are computed when the group is read, so Entra ID's remove
 * (`[{ "$ref": null, "value": id }]`, "$ref absent" in SCIMMY's reading) matches.
 */
function patchable(current: Obj): Obj {
  if (!Array.isArray(current.members)) return current;
  return { ...current, members: current.members.filter(isObj).map((m) => ({ value: m.value, type: m.type })) };
}

/** PATCH /Groups/{id}: how IdPs add and remove members one by one. */
export async function patchGroup(ctx: ScimContext, id: string, body: unknown, opts: WriteOptions = {}): Promise<Obj> {
  const ops = parsePatchRequest(body, ctx.lx);
  return save(ctx, id, "scim.group.patch", opts, (current) => ({
    resource: normalizeResource(applyPatch(patchable(current), ops, GROUP_RESOURCE, ctx.lx), GROUP_RESOURCE, ctx.lx),
    extra: { operations: ops.map((o) => ({ op: o.op, path: o.path ?? null })) },
  }));
}

/** DELETE /Groups/{id}: end-dates the group and its memberships (both as group and as member). */
export async function deleteGroup(ctx: ScimContext, id: string, opts: WriteOptions = {}): Promise<void> {
  await scimWrite(ctx, async (tx, at) => {
    const { row, resource } = await load(ctx, tx, id);
    if (opts.request) checkIfMatch(opts.request, resource);
    const edgesEnded = await endScimNode(tx, ctx.source.id, row.id, at);
    return {
      result: undefined,
      audit: {
        action: "scim.group.delete",
        target: { type: "node", id: row.id },
        before: { scimId: row.externalId, name: row.name, memberCount: memberCount(resource) },
        after: { validTo: at.toISOString(), edgesEnded },
      },
    };
  });
}
