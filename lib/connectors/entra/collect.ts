import { Client, GraphError, type AuthenticationProvider, type Context, type Middleware } from "@microsoft/microsoft-graph-client";
import type { OutboundFetch } from "@/lib/net/outbound";
import { ConnectorError, failureForStatus } from "../errors";
import type { CollectContext } from "../types";
import { KEY, keyShape } from "./calls";
import { MICROSOFT_TENANTS } from "./convert";

export interface EntraSettings {
  /** Directory (tenant) id or a verified domain. */
  tenantId: string;
  /** Application (client) id of the app registration the connector signs in as. */
  clientId: string;
  /** Microsoft Graph's root (sovereign clouds: https://graph.microsoft.us/, https://microsoftgraph.chinacloudapi.cn/). */
  graphBaseUrl: string;
  /** Where tokens are issued (sovereign clouds: https://login.microsoftonline.us, https://login.chinacloudapi.cn). */
  authorityHost: string;
  /** Read Entra Agent ID identities, blueprints and their sponsors. */
  readAgentIds: boolean;
  /** Graph version of the Agent ID calls (v1.0 since 2026; beta for tenants or clouds where only beta serves them). */
  agentIdVersion: "v1.0" | "beta";
}

export interface EntraCredential {
  clientSecret: string;
}

const PAGE_SIZE = 999;
const TOKEN_CALL = "POST {tenant}/oauth2/v2.0/token";
/** Graph collection answers carry their next page as an absolute URL. */
type Page = { value?: unknown; "@odata.nextLink"?: unknown };

/**
 * OAuth 2.0 client credentials (Microsoft identity platform v2.0 token
 * endpoint) through the connector's fetch; the token is kept for the run and
 * fetched again shortly before it expires. A refused secret (Entra answers
 * 400/401 with an AADSTS error) is auth_failed, told without the answer's text.
 */
export class ClientCredentials implements AuthenticationProvider {
  private token: { value: string; until: number } | undefined;
  constructor(
    private readonly fetch: OutboundFetch,
    private readonly settings: EntraSettings,
    private readonly credential: EntraCredential,
  ) {}

  tokenUrl(): string {
    return `${this.settings.authorityHost.replace(/\/+$/, "")}/${encodeURIComponent(this.settings.tenantId)}/oauth2/v2.0/token`;
  }

  async getAccessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.until) return this.token.value;
    const url = this.tokenUrl();
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.settings.clientId,
      client_secret: this.credential.clientSecret,
      scope: `${new URL(this.settings.graphBaseUrl).origin}/.default`,
    });
    const res = await this.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: body.toString(),
    });
    // The tenant may be a domain the admin typed: the shape names it {tenant}, whatever it is.
    const call = TOKEN_CALL;
    if (res.status === 400 || res.status === 401) {
      await res.body?.cancel();
      throw new ConnectorError("auth_failed", { httpStatus: res.status, call });
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ConnectorError(failureForStatus(res.status), { httpStatus: res.status, call });
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new ConnectorError("malformed", { call, detail: "the token answer is not JSON" });
    }
    const token = (json as { access_token?: unknown }).access_token;
    const expires = Number((json as { expires_in?: unknown }).expires_in);
    if (typeof token !== "string" || !token) throw new ConnectorError("malformed", { call, detail: "the token answer has no access_token" });
    // Renewed five minutes early (or at half its life when it is short).
    const life = Number.isFinite(expires) && expires > 0 ? expires * 1000 : 3_600_000;
    this.token = { value: token, until: Date.now() + Math.max(life / 2, life - 300_000) };
    return token;
  }
}

/**
 * First handler of the SDK's middleware chain: the bearer token, only for the
 * configured Graph origin (a nextLink or a redirect elsewhere never gets it).
 * The SDK's own AuthenticationHandler recognises Graph hosts by an https://
 * prefix; this one compares origins, so a national cloud or the test fake on
 * a loopback address work alike.
 */
class BearerHandler implements Middleware {
  private next?: Middleware;
  constructor(
    private readonly auth: ClientCredentials,
    private readonly origin: string,
  ) {}
  setNext(next: Middleware): void {
    this.next = next;
  }
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === "string" ? context.request : context.request.url;
    const headers = new Headers(context.options?.headers as HeadersInit | undefined);
    if (new URL(url).origin === this.origin) headers.set("Authorization", `Bearer ${await this.auth.getAccessToken()}`);
    else headers.delete("Authorization");
    context.options = { ...context.options, headers };
    await this.next!.execute(context);
  }
}

/** Last handler of the chain: every request goes through the connector's fetch (politeFetch retries, so no RetryHandler). */
class ConnectorFetchHandler implements Middleware {
  constructor(
    private readonly fetch: OutboundFetch,
    private readonly signal: AbortSignal,
  ) {}
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === "string" ? context.request : context.request.url;
    context.response = await this.fetch(url, { ...(context.options as RequestInit | undefined), signal: this.signal });
  }
}

/** The Graph SDK client of a run (Client.initWithMiddleware): bearer handler, then the connector's fetch. */
export function graphClient(ctx: CollectContext<EntraSettings, EntraCredential>, auth: ClientCredentials): Client {
  const origin = new URL(ctx.settings.graphBaseUrl).origin;
  return Client.initWithMiddleware({
    baseUrl: origin,
    defaultVersion: "v1.0",
    middleware: [new BearerHandler(auth, origin), new ConnectorFetchHandler(ctx.fetch, ctx.signal)],
  });
}

/**
 * A page's @odata.nextLink as a path the SDK requests against the configured
 * origin: Graph's links are absolute; one that names another origin is refused
 * (the answer would send the run, and its token, elsewhere).
 */
export function nextPath(link: string, origin: string, call: string): { version: string; path: string } {
  let u: URL;
  try {
    u = new URL(link);
  } catch {
    throw new ConnectorError("malformed", { call, detail: "a page's @odata.nextLink is not a URL" });
  }
  if (u.origin !== origin) throw new ConnectorError("malformed", { call, detail: "a page's @odata.nextLink points to another host" });
  const m = /^\/(v1\.0|beta)\/(.+)$/.exec(u.pathname);
  if (!m) throw new ConnectorError("malformed", { call, detail: "a page's @odata.nextLink names no Graph version" });
  return { version: m[1]!, path: `/${m[2]!}${u.search}` };
}

/** A GraphError or anything else the SDK threw becomes what the connector's fetch recorded (it never quotes the answer). */
function rethrow(e: unknown, call: string): never {
  if (e instanceof ConnectorError) throw e;
  if (e instanceof GraphError && e.statusCode > 0) throw new ConnectorError(failureForStatus(e.statusCode), { httpStatus: e.statusCode, call });
  throw e;
}

const count = (n: number) => n.toLocaleString("en-US");

interface ReadOptions {
  version?: "v1.0" | "beta";
  select?: string;
  /** 403/404 (no permission, or a tenant without the feature) skip the call instead of failing the run. */
  optional?: boolean;
  /** Progress label ("reading users"). */
  label?: string;
  /** Ask for Graph's largest page (999) — only where the call documents $top up to 999. */
  bigPages?: boolean;
}

export class GraphReader {
  private readonly origin: string;
  constructor(
    private readonly client: Client,
    private readonly ctx: CollectContext<EntraSettings, EntraCredential>,
  ) {
    this.origin = new URL(ctx.settings.graphBaseUrl).origin;
  }

  /** Every page of a collection, each recorded in the bundle under `key`; answers the items. Null when an optional call was refused. */
  async readAll(path: string, key: string, opts: ReadOptions = {}): Promise<Record<string, unknown>[] | null> {
    const shape = `GET ${keyShape(key)}`;
    const out: Record<string, unknown>[] = [];
    let request = this.client.api(path).version(opts.version ?? "v1.0");
    if (opts.select) request = request.select(opts.select);
    let page: Page;
    try {
      page = (await (opts.bigPages ? request.top(PAGE_SIZE) : request).get()) as Page;
    } catch (e) {
      if (opts.optional && e instanceof GraphError && (e.statusCode === 403 || e.statusCode === 404 || e.statusCode === 400)) return null;
      rethrow(e, shape);
    }
    for (let n = 1; ; n++) {
      this.ctx.signal.throwIfAborted();
      this.ctx.bundle.add(key, page);
      if (Array.isArray(page?.value)) for (const v of page.value) if (v && typeof v === "object") out.push(v as Record<string, unknown>);
      if (opts.label && (n === 1 || n % 5 === 0)) this.ctx.progress(`${opts.label}: ${count(out.length)}`);
      const next = page?.["@odata.nextLink"];
      if (typeof next !== "string" || !next) break;
      const { version, path: nextRel } = nextPath(next, this.origin, shape);
      try {
        page = (await this.client.api(nextRel).version(version).get()) as Page;
      } catch (e) {
        rethrow(e, shape);
      }
    }
    return out;
  }
}

/** Per-object calls run this many at a time (Graph's throttling still answers 429 when a tenant is busy). */
const PARALLEL = 4;

/** Runs `fn` over `list` with at most PARALLEL at once; each object's pages stay in order under its own key. */
async function eachParallel<T>(list: T[], fn: (item: T, i: number) => Promise<unknown>, onDone?: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  let failed = false;
  const worker = async () => {
    // After one call fails the run is over: the other workers stop taking objects.
    while (next < list.length && !failed) {
      const i = next++;
      try {
        await fn(list[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
      done += 1;
      onDone?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, list.length) }, worker));
}

const seg = encodeURIComponent;

const ids = (list: Record<string, unknown>[] | null) => (list ?? []).map((x) => x.id).filter((x): x is string => typeof x === "string" && x.length > 0);

/** Reads every call of docs/connectors/entra.md into ctx.bundle. */
export async function collectEntra(ctx: CollectContext<EntraSettings, EntraCredential>): Promise<void> {
  const auth = new ClientCredentials(ctx.fetch, ctx.settings, ctx.credential);
  ctx.progress("signing in");
  await auth.getAccessToken();
  const client = graphClient(ctx, auth);
  const g = new GraphReader(client, ctx);

  await g.readAll("/users", KEY.users, {
    select: "id,displayName,userPrincipalName,mail,accountEnabled,userType,employeeId",
    label: "reading users",
    bigPages: true,
  });
  const groups = await g.readAll("/groups", KEY.groups, {
    select: "id,displayName,mail,securityEnabled,mailEnabled,groupTypes",
    label: "reading groups",
    bigPages: true,
  });
  const groupIds = ids(groups);
  await eachParallel(
    groupIds,
    (id) => g.readAll(`/groups/${seg(id)}/members`, KEY.groupMembers(id), { select: "id,displayName", bigPages: true }),
    (done) => done % 50 === 0 && ctx.progress(`reading group members: ${count(done)} of ${count(groupIds.length)} groups`),
  );
  const apps = await g.readAll("/applications", KEY.applications, {
    select: "id,appId,displayName,signInAudience,createdDateTime,passwordCredentials,keyCredentials",
    label: "reading applications",
    bigPages: true,
  });
  await eachParallel(ids(apps), (id) => g.readAll(`/applications/${seg(id)}/owners`, KEY.applicationOwners(id), { select: "id,displayName" }));
  const sps = await g.readAll("/servicePrincipals", KEY.servicePrincipals, {
    select:
      "id,appId,displayName,servicePrincipalType,appOwnerOrganizationId,accountEnabled,appRoleAssignmentRequired,appRoles,preferredSingleSignOnMode,passwordCredentials,keyCredentials",
    label: "reading service principals",
    bigPages: true,
  });
  const spIds = ids(sps);
  await eachParallel(
    spIds,
    (id) => g.readAll(`/servicePrincipals/${seg(id)}/appRoleAssignedTo`, KEY.spAppRoleAssignedTo(id)),
    (done) => done % 50 === 0 && ctx.progress(`reading app role assignments: ${count(done)} of ${count(spIds.length)} service principals`),
  );
  // Microsoft's own first-party principals have no customer owners; asking would be thousands of empty calls.
  const ownedSps = (sps ?? []).filter((s) => !(typeof s.appOwnerOrganizationId === "string" && MICROSOFT_TENANTS.has(s.appOwnerOrganizationId)));
  await eachParallel(ids(ownedSps), (id) => g.readAll(`/servicePrincipals/${seg(id)}/owners`, KEY.spOwners(id), { select: "id,displayName" }));
  await g.readAll("/oauth2PermissionGrants", KEY.oauth2PermissionGrants, { label: "reading delegated permission grants" });

  if (!ctx.settings.readAgentIds) return;
  const v = ctx.settings.agentIdVersion;
  const agents = await g.readAll("/servicePrincipals/microsoft.graph.agentIdentity", KEY.agentIdentities, {
    version: v,
    optional: true,
    label: "reading agent identities",
  });
  if (agents === null) ctx.progress("agent identities not readable (no permission or not available); skipped");
  const readOwners = new Set(ids(ownedSps));
  await eachParallel(ids(agents), async (id) => {
    await g.readAll(`/servicePrincipals/${seg(id)}/microsoft.graph.agentIdentity/sponsors`, KEY.agentIdentitySponsors(id), { version: v, optional: true });
    if (!readOwners.has(id)) await g.readAll(`/servicePrincipals/${seg(id)}/owners`, KEY.spOwners(id), { select: "id,displayName", optional: true });
  });
  const blueprints = await g.readAll("/applications/microsoft.graph.agentIdentityBlueprint", KEY.blueprints, {
    version: v,
    optional: true,
    label: "reading agent identity blueprints",
  });
  const appIds = new Set(ids(apps));
  await eachParallel(ids(blueprints), async (id) => {
    await g.readAll(`/applications/${seg(id)}/microsoft.graph.agentIdentityBlueprint/sponsors`, KEY.blueprintSponsors(id), { version: v, optional: true });
    if (!appIds.has(id)) await g.readAll(`/applications/${seg(id)}/owners`, KEY.applicationOwners(id), { select: "id,displayName", optional: true });
  });
}

/** "Test connection": a token, then the cheapest call the connector's permissions allow (one user's id). */
export async function testEntra(ctx: CollectContext<EntraSettings, EntraCredential>): Promise<string> {
  const auth = new ClientCredentials(ctx.fetch, ctx.settings, ctx.credential);
  await auth.getAccessToken();
  const client = graphClient(ctx, auth);
  try {
    await client.api("/users").version("v1.0").select("id").top(1).get();
  } catch (e) {
    rethrow(e, "GET users");
  }
  return "signed in with the client secret; the directory's users can be read";
}
