import * as groupRoute from "./Groups/[id]/route";
import * as groupsRoute from "./Groups/route";
import * as resourceTypeRoute from "./ResourceTypes/[id]/route";
import * as resourceTypesRoute from "./ResourceTypes/route";
import * as schemaRoute from "./Schemas/[id]/route";
import * as schemasRoute from "./Schemas/route";
import * as spConfigRoute from "./ServiceProviderConfig/route";
import * as serviceConfigurationRoute from "./serviceConfiguration/route";
import * as userRoute from "./Users/[id]/route";
import * as usersRoute from "./Users/route";
import * as restRoute from "./[...rest]/route";

/**
 * Test helper (imported only by *.test.ts): calls the /scim/v2 route handlers
 * directly, routing a path the way Next would, so tests exercise exactly what
 * the server runs.
 */
type Handler = (req: Request, ctx: { params: Promise<never> }) => Promise<Response>;
type Module = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>;

export interface ScimAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read SCIM JSON freely
  body: any;
}

function route(pathname: string): { mod: Module; params: Record<string, unknown> } {
  const parts = pathname
    .replace(/^\/scim\/v2\/?/, "")
    .split("/")
    .filter(Boolean);
  const [first, id, ...more] = parts;
  const table: Record<string, [Module, Module]> = {
    Users: [usersRoute as Module, userRoute as Module],
    Groups: [groupsRoute as Module, groupRoute as Module],
    Schemas: [schemasRoute as Module, schemaRoute as Module],
    ResourceTypes: [resourceTypesRoute as Module, resourceTypeRoute as Module],
  };
  if (first === "ServiceProviderConfig" && !id) return { mod: spConfigRoute as Module, params: {} };
  if (first === "serviceConfiguration" && !id) return { mod: serviceConfigurationRoute as Module, params: {} };
  const pair = first ? table[first] : undefined;
  if (pair && !more.length) return id ? { mod: pair[1], params: { id: decodeURIComponent(id) } } : { mod: pair[0], params: {} };
  return { mod: restRoute as Module, params: { rest: parts } };
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  /** A raw body, sent as is (malformed JSON, oversized payloads). */
  raw?: string;
  headers?: Record<string, string>;
}

/** Calls `method` on `path` (relative to /scim/v2, starting with "/"; encode `&` and `+` in query values). */
export async function scim(method: string, path: string, opts: CallOptions = {}): Promise<ScimAnswer> {
  const url = new URL(`http://attest.test/scim/v2${path}`);
  const headers: Record<string, string> = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers };
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/scim+json";
  const req = new Request(url, { method, headers, body });
  const { mod, params } = route(url.pathname);
  const handler = mod[method as keyof Module];
  if (!handler) throw new Error(`no ${method} handler for ${url.pathname}`);
  const res = await handler(req, { params: Promise.resolve(params as never) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}
