import { createHash } from "node:crypto";
import { canonicalJson } from "@/lib/audit/canonical-json";
import { ScimError, scimJson } from "./errors";
import { schemasOf, type Obj } from "./resource-shape";
import type { ResourceSchema } from "./schema";
import type { NodeRow } from "./store";

/**
 * A stored resource as a client sees it: `schemas` and `id` first, then what was
 * stored, then server-computed `meta`. The version is a hash of the content, so
 * it changes exactly when what a client can read changes (membership included).
 */
export function withMeta(rs: ResourceSchema, row: Pick<NodeRow, "externalId" | "createdAt" | "updatedAt">, resource: Obj, base: string): Obj {
  const body: Obj = { schemas: schemasOf(resource, rs), id: row.externalId, ...resource };
  const version = `W/"${createHash("sha256").update(canonicalJson(body)).digest("hex").slice(0, 16)}"`;
  return {
    ...body,
    meta: {
      resourceType: rs.name,
      created: row.createdAt.toISOString(),
      lastModified: row.updatedAt.toISOString(),
      location: `${base}${rs.endpoint}/${row.externalId}`,
      version,
    },
  };
}

const metaOf = (resource: Obj) => resource.meta as { version: string; location: string };

/** One resource, with its ETag (RFC 7644 §3.14) and, on create, its Location. */
export function resourceResponse(resource: Obj, status = 200): Response {
  const { version, location } = metaOf(resource);
  return scimJson(resource, status, { etag: version, ...(status === 201 ? { location } : {}) });
}

/** 304 when the client's If-None-Match already names this version. */
export function notModified(req: Request, resource: Obj): Response | null {
  const header = req.headers.get("if-none-match");
  if (!header || !etagListIncludes(header, metaOf(resource).version)) return null;
  return new Response(null, { status: 304, headers: { etag: metaOf(resource).version } });
}

/** RFC 7644 §3.14: a write with If-Match must name the current version, else 412 and nothing changes. */
export function checkIfMatch(req: Request, resource: Obj): void {
  const header = req.headers.get("if-match");
  if (header && !etagListIncludes(header, metaOf(resource).version)) {
    throw new ScimError(412, undefined, `the resource has changed: its version is now ${metaOf(resource).version}`);
  }
}

function etagListIncludes(header: string, version: string): boolean {
  const strip = (t: string) => t.trim().replace(/^W\//, "");
  return header.split(",").some((t) => t.trim() === "*" || strip(t) === strip(version));
}

/**
 * A PATCH answer (RFC 7644 §3.5.2 allows 200 with the resource or 204): the
 * request's `Prefer: return=minimal|representation` (RFC 7240) decides, else the
 * configured default (ATTEST_SCIM_PATCH_RETURN). 204 still carries the ETag.
 */
export function patchResponse(req: Request, fallback: "representation" | "minimal", resource: Obj): Response {
  const asked = /(?:^|[\s,;])return\s*=\s*"?(minimal|representation)"?/i.exec(req.headers.get("prefer") ?? "")?.[1]?.toLowerCase();
  const applied: Record<string, string> = asked ? { "preference-applied": `return=${asked}` } : {};
  if ((asked ?? fallback) === "minimal") return new Response(null, { status: 204, headers: { etag: metaOf(resource).version, ...applied } });
  const res = resourceResponse(resource);
  for (const [k, v] of Object.entries(applied)) res.headers.set(k, v);
  return res;
}
