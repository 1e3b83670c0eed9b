import { createHash } from "node:crypto";
import type { Db } from "@/db/client";
import { canonicalJson } from "@/lib/audit/canonical-json";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";
import { KIND_CODE } from "@/lib/graph/access-index";
import type { NodeKind } from "@/lib/graph/model";
import { admitPdpCall } from "./authzen";
import { actionSearchSchema, parseBody, resourceSearchSchema, subjectSearchSchema } from "./authzen-input";
import { evaluate, resolveResourceId, SUPPORTED_ACTIONS, type EvalRequest } from "./evaluate";
import { allowedReach } from "./reach";
import { pdpSnapshot } from "./runtime";

/**
 * AuthZEN Search APIs (subject, resource, action), answered from the access index: who can reach a tool
 * (who-can-reach, a search against the edges) or what a subject reaches (reachable-from), each candidate then
 * confirmed by the same evaluation a call would get, so a result evaluates to true (§ Search semantics) at this
 * state. Step-ups are not opened by a search. Paged with `page.token` (opaque: offset + the request's fingerprint;
 * a token sent with a changed request is a 400). Needs graph.read on top of pdp.evaluate: a search lists the graph.
 */
export interface SearchAnswer<T> {
  page: { next_token: string; count: number; total: number };
  results: T[];
}

const DEFAULT_LIMIT = 100;
const PRINCIPALS: NodeKind[] = ["human", "service_account", "agent"];

/** Which node kinds a requested entity type stands for. */
function kindsFor(type: string, side: "subject" | "resource"): NodeKind[] {
  if (side === "subject") {
    if (type === "identity" || type === "principal") return PRINCIPALS;
    if (type === "user") return ["human"];
    return (PRINCIPALS as string[]).includes(type) ? [type as NodeKind] : [];
  }
  if (type === "tool" || type === "mcp_tool") return ["tool"];
  if (type === "mcp_server" || type === "resource") return [type];
  return [];
}

function fingerprint(body: Record<string, unknown>): string {
  const { page, ...rest } = body as { page?: { limit?: number } };
  return createHash("sha256")
    .update(canonicalJson({ ...rest, limit: page?.limit ?? null }))
    .digest("base64url")
    .slice(0, 16);
}

function pageOf<T>(all: T[], body: Record<string, unknown>, page: { token?: string; limit?: number } | undefined): SearchAnswer<T> {
  const fp = fingerprint(body);
  let offset = 0;
  if (page?.token) {
    const m = /^([0-9]{1,9})\.([A-Za-z0-9_-]{16})$/.exec(Buffer.from(page.token, "base64url").toString("utf8"));
    if (!m) throw new AppError("validation", "page.token: not a token this decision point issued", [{ path: "page.token", message: "malformed" }]);
    if (m[2] !== fp)
      throw new AppError("validation", "page.token: the request changed since the token was issued; send it unchanged", [
        { path: "page.token", message: "the request differs from the one the token was issued for" },
      ]);
    offset = Number(m[1]);
  }
  const limit = page?.limit ?? DEFAULT_LIMIT;
  const results = all.slice(offset, offset + limit);
  const end = offset + results.length;
  const next = end < all.length ? Buffer.from(`${end}.${fp}`).toString("base64url") : "";
  return { page: { next_token: next, count: results.length, total: all.length }, results };
}

function admitSearch(actor: Actor): void {
  admitPdpCall(actor);
  requirePermission(actor, "graph.read");
}

/** POST /access/v1/search/subject: the subjects of the type that may perform the action on the resource. */
export async function searchSubjects(db: Db, actor: Actor, input: unknown): Promise<SearchAnswer<{ type: string; id: string }>> {
  admitSearch(actor);
  const body = parseBody(subjectSearchSchema, input);
  const { state, ix } = await pdpSnapshot(db);
  const kinds = new Set(kindsFor(body.subject.type, "subject").map((k) => KIND_CODE.get(k)!));
  const probe = (id: string): EvalRequest => ({ subject: { type: "id", id }, action: body.action, resource: body.resource, context: body.context });
  // The resource once (id, reference, or a tool's name and server): the search walks against the edges from it.
  const target = resolveResourceId(state, probe("none"));
  const at = target ? ix.indexOf.get(target) : undefined;
  const found: { type: string; id: string }[] = [];
  if (at !== undefined) {
    const now = Date.now();
    // One walk against the edges avoiding revoked access finds every subject with an allowed path; each is then
    // evaluated for the other rules (inactive, drift, policy) without a search of its own.
    for (const n of allowedReach(ix, at, "in", state.decisions.revoked)) {
      if (!kinds.has(ix.kinds[n]!)) continue;
      const id = ix.ids[n]!;
      if (evaluate(state, ix, probe(id), now, { remember: false, pathKnown: { subjectId: id, resourceId: target! } }).decision)
        found.push({ type: state.facts.nodes.get(id)?.kind ?? "principal", id });
    }
  }
  found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return pageOf(found, body, body.page);
}

/** POST /access/v1/search/resource: the resources of the type the subject may perform the action on. */
export async function searchResources(db: Db, actor: Actor, input: unknown): Promise<SearchAnswer<{ type: string; id: string }>> {
  admitSearch(actor);
  const body = parseBody(resourceSearchSchema, input);
  const { state, ix } = await pdpSnapshot(db);
  const kinds = new Set(kindsFor(body.resource.type, "resource").map((k) => KIND_CODE.get(k)!));
  const probe = (id: string): EvalRequest => ({
    subject: body.subject,
    action: body.action,
    resource: { type: body.resource.type, id },
    context: body.context,
  });
  const first = evaluate(state, ix, probe("none"), Date.now());
  const from = first.subjectId ? ix.indexOf.get(first.subjectId) : undefined;
  const found: { type: string; id: string }[] = [];
  if (from !== undefined) {
    const now = Date.now();
    for (const n of allowedReach(ix, from, "out", state.decisions.revoked)) {
      if (!kinds.has(ix.kinds[n]!)) continue;
      const id = ix.ids[n]!;
      if (evaluate(state, ix, probe(id), now, { remember: false, pathKnown: { subjectId: first.subjectId!, resourceId: id } }).decision)
        found.push({ type: body.resource.type, id });
    }
  }
  found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return pageOf(found, body, body.page);
}

/** POST /access/v1/search/action: the actions the subject may perform on the resource. */
export async function searchActions(db: Db, actor: Actor, input: unknown): Promise<SearchAnswer<{ name: string }>> {
  admitSearch(actor);
  const body = parseBody(actionSearchSchema, input);
  const { state, ix } = await pdpSnapshot(db);
  const now = Date.now();
  const found = SUPPORTED_ACTIONS.filter(
    (name) => evaluate(state, ix, { subject: body.subject, action: { name }, resource: body.resource, context: body.context }, now).decision,
  ).map((name) => ({ name }));
  return pageOf(found, body, body.page);
}
