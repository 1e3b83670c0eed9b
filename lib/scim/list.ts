import { and, eq, sql, type SQL } from "drizzle-orm";
import { nodes } from "@/db/schema";
import { invalidValue } from "./errors";
import { parseAttributeList, parseFilter, type AttrPath, type Filter } from "./filter";
import { matchesFilter } from "./filter-match";
import { renderGroups } from "./groups";
import { project } from "./projection";
import { isObj, type Obj } from "./resource-shape";
import { caseExactAt, GROUP_RESOURCE, isCoreUrn, LIST_RESPONSE_SCHEMA, SEARCH_REQUEST_SCHEMA, USER_RESOURCE, type ResourceSchema } from "./schema";
import { countScimNodes, listScimNodes, type NodeRow, type ScimContext } from "./store";
import { renderUsers } from "./users";

/** Most resources one page returns (ServiceProviderConfig filter.maxResults). */
export const MAX_RESULTS = 1000;
const DEFAULT_COUNT = 100;

export interface ListParams {
  filter?: Filter;
  /** 1-based index of the first result (RFC 7644 §3.4.2.4). */
  startIndex: number;
  count: number;
  attributes?: AttrPath[];
  excludedAttributes?: AttrPath[];
}

const QUERY_PARAMS = ["filter", "startIndex", "count", "attributes", "excludedAttributes", "sortBy", "sortOrder"];

function integer(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d{1,9}$/.test(v.trim())) return Number(v);
  throw invalidValue(`${name} must be an integer`);
}

/**
 * Paging and selection as RFC 7644 §3.4.2 reads them: startIndex below 1 means 1,
 * a negative count means 0 (totalResults only), and count is capped at MAX_RESULTS.
 * sortBy/sortOrder are accepted and ignored (sort.supported is false); any other
 * parameter is a 400 naming it.
 */
function listParams(raw: Record<string, unknown>): ListParams {
  const filter = raw.filter;
  if (filter !== undefined && typeof filter !== "string") throw invalidValue("filter must be a string");
  const list = (name: string) => {
    const v = raw[name];
    if (v === undefined) return undefined;
    if (typeof v === "string") return parseAttributeList(v, name);
    if (Array.isArray(v) && v.every((s) => typeof s === "string")) return parseAttributeList(v.join(","), name);
    throw invalidValue(`${name} must be a comma-separated string or a list of attribute names`);
  };
  return {
    filter: filter === undefined ? undefined : parseFilter(filter),
    startIndex: Math.max(1, integer(raw.startIndex, "startIndex") ?? 1),
    count: Math.min(MAX_RESULTS, Math.max(0, integer(raw.count, "count") ?? DEFAULT_COUNT)),
    attributes: list("attributes"),
    excludedAttributes: list("excludedAttributes"),
  };
}

/** GET /Users?filter=…: parameter names as the RFC spells them, matched case-insensitively. */
export function parseListQuery(req: Request): ListParams {
  const raw: Record<string, string> = {};
  for (const [k, v] of new URL(req.url).searchParams) {
    const name = QUERY_PARAMS.find((p) => p.toLowerCase() === k.toLowerCase());
    if (!name) throw invalidValue(`unknown query parameter ${JSON.stringify(k)}; expected one of ${QUERY_PARAMS.join(", ")}`);
    if (name in raw) throw invalidValue(`query parameter ${name} is given more than once`);
    raw[name] = v;
  }
  return listParams(raw);
}

/**
 * `attributes` / `excludedAttributes` of a GET of one resource (RFC 7644 §3.4.1);
 * other query parameters mean nothing there and are ignored, as before.
 */
export function parseProjectionQuery(req: Request): Pick<ListParams, "attributes" | "excludedAttributes"> {
  const raw: Record<string, string> = {};
  for (const [k, v] of new URL(req.url).searchParams) {
    const name = ["attributes", "excludedAttributes"].find((p) => p.toLowerCase() === k.toLowerCase());
    if (name) raw[name] = v;
  }
  const { attributes, excludedAttributes } = listParams(raw);
  return { attributes, excludedAttributes };
}

/** POST /Users/.search: the same parameters as a SearchRequest body (RFC 7644 §3.4.3). */
export function parseSearchRequest(body: unknown): ListParams {
  if (!isObj(body)) throw invalidValue("the body must be a SearchRequest object");
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(SEARCH_REQUEST_SCHEMA)) throw invalidValue(`schemas must be ["${SEARCH_REQUEST_SCHEMA}"]`);
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === "schemas") continue;
    if (!QUERY_PARAMS.includes(k)) throw invalidValue(`${k} is not a field of a SearchRequest`);
    raw[k] = v;
  }
  return listParams(raw);
}

/**
 * A necessary condition of the filter that SQL can test, so the lookups IdPs
 * make before every write (`userName eq "…"`, `externalId eq "…"`) read one row,
 * not the whole source. The full filter is still evaluated on what it returns.
 */
function pushdown(filter: Filter | undefined, rs: ResourceSchema): SQL | undefined {
  if (!filter) return undefined;
  const conds: SQL[] = [];
  for (const t of filter.type === "and" ? filter.filters : [filter]) {
    if (t.type !== "test" || t.op !== "eq" || typeof t.value !== "string") continue;
    const [seg, ...rest] = t.path.segments;
    if (!seg || rest.length || seg.filter || (t.path.urn && !isCoreUrn(rs, t.path.urn))) continue;
    const v = t.value;
    switch (seg.name.toLowerCase()) {
      case "id":
        conds.push(eq(nodes.externalId, v));
        break;
      case "externalid":
        conds.push(sql`${nodes.attributes}->>'scimExternalId' = ${v}`);
        break;
      case "username":
        if (rs === USER_RESOURCE) conds.push(sql`lower(${nodes.attributes}->>'userName') = lower(${v})`);
        break;
      case "displayname":
        conds.push(sql`lower(${nodes.attributes}->>'displayName') = lower(${v})`);
        break;
    }
  }
  return conds.length ? and(...conds) : undefined;
}

function filterMentions(f: Filter, name: string): boolean {
  if (f.type === "and" || f.type === "or") return f.filters.some((g) => filterMentions(g, name));
  if (f.type === "not") return filterMentions(f.filter, name);
  return f.path.segments[0]?.name.toLowerCase() === name.toLowerCase();
}

/** GET /Users, GET /Groups and their .search: a ListResponse page, filtered, projected. */
export async function listResources(ctx: ScimContext, type: "User" | "Group", p: ListParams): Promise<Obj> {
  const rs = type === "User" ? USER_RESOURCE : GROUP_RESOURCE;
  const kind = type === "User" ? "human" : "group";
  const render = (rows: NodeRow[], links: boolean) => (type === "User" ? renderUsers(ctx, rows, ctx.db, links) : renderGroups(ctx, rows, ctx.db, links));

  let total: number;
  let pageRows: NodeRow[];
  if (!p.filter) {
    total = await countScimNodes(ctx.db, ctx.source.id, kind);
    pageRows = p.count === 0 ? [] : await listScimNodes(ctx.db, ctx.source.id, kind, undefined, { offset: p.startIndex - 1, limit: p.count });
  } else {
    const filter = p.filter;
    const rows = await listScimNodes(ctx.db, ctx.source.id, kind, pushdown(filter, rs));
    // Edges are read for matching only when the filter looks at them (members.value, groups.display);
    // the page is rendered whole below, so its meta.version is always right.
    const forMatching = await render(rows, filterMentions(filter, type === "User" ? "groups" : "members"));
    const opts = { caseExact: (urn: string | undefined, names: readonly string[]) => caseExactAt(rs, urn, names) };
    const matched = rows.filter((_, i) => matchesFilter(forMatching[i]!, filter, opts));
    total = matched.length;
    pageRows = matched.slice(p.startIndex - 1, p.startIndex - 1 + p.count);
  }
  const Resources = (await render(pageRows, true)).map((r) => project(r, rs, p.attributes, p.excludedAttributes));
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: total, itemsPerPage: Resources.length, startIndex: p.startIndex, Resources };
}
