import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { nodes } from "@/db/schema";
import { ScimError, mutability, scimNotFound } from "./errors";
import { findManager, linkManager, managerRef, markReportsPending, resolvePendingReports } from "./manager";
import { applyPatch, parsePatchRequest } from "./patch";
import { checkIfMatch, withMeta } from "./render";
import { isObj, normalizeResource, type Obj } from "./resource-shape";
import { ENTERPRISE_USER_SCHEMA, USER_RESOURCE } from "./schema";
import { endScimNode, findScimNode, insertScimNode, linkedEdges, scimWrite, updateScimNode, type NodeFields, type NodeRow, type ScimContext } from "./store";

/**
 * SCIM Users as `human` nodes of the token's source. The node's externalId is
 * the SCIM id Attest assigns; the client's own `externalId` is kept as the
 * attribute scimExternalId. The resource as sent (minus password, which Attest
 * never stores) is kept as attribute `scim`, so a GET answers what was written;
 * `groups` and `meta` are computed. EnterpriseUser `manager` becomes a `manages`
 * edge from the manager to this user (lib/scim/manager.ts, pending until that
 * manager arrives when the source is lenient).
 */

const str = (v: unknown) => (typeof v === "string" && v.trim() ? v : undefined);
const ext = (r: Obj): Obj => (isObj(r[ENTERPRISE_USER_SCHEMA]) ? (r[ENTERPRISE_USER_SCHEMA] as Obj) : {});

/** The node columns a User resource maps to (also used to summarise the stored state for the audit). */
export function userNodeFields(resource: Obj, managerPending = false): NodeFields {
  const { password: _password, ...scim } = resource;
  const name = isObj(resource.name) ? resource.name : {};
  const emails = Array.isArray(resource.emails) ? resource.emails.filter(isObj) : [];
  const email = emails.find((e) => e.primary === true) ?? emails.find((e) => e.type === "work") ?? emails[0];
  const enterprise = ext(resource);
  const status = resource.active === false ? "inactive" : "active";
  const given = [str(name.givenName), str(name.familyName)].filter(Boolean).join(" ");
  return {
    name: str(resource.displayName) ?? (given || (resource.userName as string)),
    status,
    attributes: {
      userName: resource.userName,
      email: str(email?.value),
      displayName: str(resource.displayName),
      title: str(resource.title),
      department: str(enterprise.department),
      employeeNumber: str(enterprise.employeeNumber),
      managerId: managerRef(resource),
      managerPending: managerPending || undefined,
      scimExternalId: str(resource.externalId),
      status,
      scim,
    },
  };
}

/**
 * What a write stores of a User: its node columns, with the resource as sent under
 * `attributes.scim` (EnterpriseUser attributes included). Create, replace and patch
 * all go through here, once per write and only for the new state, so a check of the
 * values to be stored (issue 13's secret scan of extension attributes) is one call here.
 */
export function userFieldsToStore(resource: Obj, managerPending: boolean): NodeFields {
  return userNodeFields(resource, managerPending);
}

/**
 * Users as SCIM resources, with `groups` read from this source's current member_of
 * edges. `withGroups: false` skips that read, for list filters that do not need
 * it; such renders are for matching only (their meta.version would be wrong).
 */
export async function renderUsers(ctx: ScimContext, rows: NodeRow[], db: Db = ctx.db, withGroups = true): Promise<Obj[]> {
  const links = withGroups
    ? await linkedEdges(
        db,
        ctx.source.id,
        "member_of",
        "from",
        rows.map((r) => r.id),
      )
    : [];
  return rows.map((row) => {
    const stored = isObj(row.attributes.scim) ? row.attributes.scim : { userName: row.attributes.userName ?? row.name };
    const groups = links
      .filter((l) => l.fromId === row.id && l.other.kind === "group")
      .map((l) => ({ value: l.other.externalId, $ref: `${ctx.base}/Groups/${l.other.externalId}`, display: l.other.name, type: "direct" }));
    return withMeta(USER_RESOURCE, row, { ...stored, ...(groups.length ? { groups } : {}) }, ctx.base);
  });
}

async function load(ctx: ScimContext, db: Db, id: string): Promise<{ row: NodeRow; resource: Obj }> {
  const row = await findScimNode(db, ctx.source.id, "human", id);
  if (!row) throw scimNotFound("User");
  const [resource] = await renderUsers(ctx, [row], db);
  return { row, resource: resource! };
}

export async function getUser(ctx: ScimContext, id: string): Promise<Obj> {
  return (await load(ctx, ctx.db, id)).resource;
}

/** RFC 7643 §4.1: userName is unique within the service provider, here within the source, and case-insensitive. */
async function checkUserName(tx: Db, ctx: ScimContext, userName: string, exceptId?: string): Promise<void> {
  const [dup] = await tx
    .select({ id: nodes.id })
    .from(nodes)
    .where(
      and(
        eq(nodes.sourceId, ctx.source.id),
        eq(nodes.kind, "human"),
        isNull(nodes.validTo),
        sql`lower(${nodes.attributes}->>'userName') = lower(${userName})`,
        exceptId ? ne(nodes.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  if (dup) throw new ScimError(409, "uniqueness", "userName is already taken in this source");
}

const summary = (f: NodeFields) => {
  const { scim: _scim, ...rest } = f.attributes;
  return { name: f.name, ...rest };
};

/** POST /Users: 201 with the stored resource. */
export async function createUser(ctx: ScimContext, body: unknown): Promise<Obj> {
  const resource = normalizeResource(body, USER_RESOURCE, ctx.lx);
  return scimWrite(ctx, async (tx, at) => {
    await checkUserName(tx, ctx, resource.userName as string);
    const manager = await findManager(tx, ctx, resource);
    const fields = userFieldsToStore(resource, manager.kind === "pending");
    const row = await insertScimNode(tx, ctx.source.id, "human", fields, at);
    await linkManager(tx, ctx, row, manager, at);
    const more = await resolvePendingReports(tx, ctx, row, at);
    const [out] = await renderUsers(ctx, [row], tx);
    return {
      result: out!,
      audit: { action: "scim.user.create", target: { type: "node", id: row.id }, after: { scimId: row.externalId, ...summary(fields) } },
      more,
    };
  });
}

interface WriteOptions {
  /** Checked against the current resource inside the transaction (If-Match). */
  request?: Request;
}

async function save(
  ctx: ScimContext,
  id: string,
  action: "scim.user.replace" | "scim.user.patch",
  opts: WriteOptions,
  next: (current: Obj) => { resource: Obj; extra?: Obj },
): Promise<Obj> {
  return scimWrite(ctx, async (tx, at) => {
    const { row, resource: current } = await load(ctx, tx, id);
    if (opts.request) checkIfMatch(opts.request, current);
    const { resource, extra } = next(current);
    await checkUserName(tx, ctx, resource.userName as string, row.id);
    const before = userNodeFields(isObj(row.attributes.scim) ? row.attributes.scim : {}, row.attributes.managerPending === true);
    const manager = await findManager(tx, ctx, resource, row);
    const fields = userFieldsToStore(resource, manager.kind === "pending");
    const updated = await updateScimNode(tx, row.id, fields, at);
    await linkManager(tx, ctx, updated, manager, at);
    const more = await resolvePendingReports(tx, ctx, updated, at);
    const [out] = await renderUsers(ctx, [updated], tx);
    return {
      result: out!,
      audit: { action, target: { type: "node", id: row.id }, before: summary(before), after: { scimId: row.externalId, ...summary(fields), ...extra } },
      more,
    };
  });
}

/** PUT /Users/{id}: the body replaces the resource (RFC 7644 §3.5.1); a different id in it is a mutability error. */
export async function replaceUser(ctx: ScimContext, id: string, body: unknown, opts: WriteOptions = {}): Promise<Obj> {
  if (isObj(body) && body.id !== undefined && body.id !== id) throw mutability("id is read-only and must match the URL");
  const resource = normalizeResource(body, USER_RESOURCE, ctx.lx);
  return save(ctx, id, "scim.user.replace", opts, () => ({ resource }));
}

/** PATCH /Users/{id}: the operations apply to the current resource, and the result must still be a valid User. */
export async function patchUser(ctx: ScimContext, id: string, body: unknown, opts: WriteOptions = {}): Promise<Obj> {
  const ops = parsePatchRequest(body, ctx.lx);
  return save(ctx, id, "scim.user.patch", opts, (current) => ({
    resource: normalizeResource(applyPatch(current, ops, USER_RESOURCE, ctx.lx), USER_RESOURCE, ctx.lx),
    // Paths only: values may carry personal data or a password.
    extra: { operations: ops.map((o) => ({ op: o.op, path: o.path ?? null })) },
  }));
}

/** DELETE /Users/{id}: the node is end-dated with its edges of this source, never deleted. */
export async function deleteUser(ctx: ScimContext, id: string, opts: WriteOptions = {}): Promise<void> {
  await scimWrite(ctx, async (tx, at) => {
    const { row, resource } = await load(ctx, tx, id);
    if (opts.request) checkIfMatch(opts.request, resource);
    const edgesEnded = await endScimNode(tx, ctx.source.id, row.id, at);
    await markReportsPending(tx, ctx, row.id, at);
    return {
      result: undefined,
      audit: {
        action: "scim.user.delete",
        target: { type: "node", id: row.id },
        before: { scimId: row.externalId, userName: row.attributes.userName, name: row.name },
        after: { validTo: at.toISOString(), edgesEnded },
      },
    };
  });
}
