import { Client, RequestExecutor, type Collection } from "@okta/okta-sdk-nodejs";
import { ConnectorError, failureForStatus } from "../errors";
import { callShape } from "../http";
import type { CollectContext } from "../types";
import { OKTA_CALLS } from "./convert";

/**
 * Live collection through Okta's official SDK (@okta/okta-sdk-nodejs). Every
 * request — the Management API, the Identity Governance API and, for the
 * private-key credential, the OAuth token call — goes through the SDK's
 * documented extension point, a custom RequestExecutor, whose fetch is the
 * run's ctx.fetch (the outbound client with politeFetch's retries). The base
 * RequestExecutor is extended, not DefaultRequestExecutor: the SDK then has
 * no 429 retry of its own, so politeFetch (X-Rate-Limit-Reset) is the one
 * retry policy. The SDK's collections follow Okta's `Link: <…>; rel="next"`
 * headers (after= cursors); the executor records each successful page's body
 * into the bundle under its canonical key (`api/v1/users`, ...).
 */
export interface OktaSettings {
  orgUrl: string;
  readGovernance: boolean;
}

export interface OktaCredential {
  /** An SSWS API token (Authorization: SSWS …). */
  token?: string;
  /** OAuth 2.0 service app (private-key JWT client authentication). */
  clientId?: string;
  /** PEM (RSA or EC) or a JWK as JSON. */
  privateKey?: string;
  keyId?: string;
}

export const BASE_SCOPES = ["okta.users.read", "okta.groups.read", "okta.apps.read"] as const;
export const GOVERNANCE_SCOPE = "okta.governance.entitlements.read";

const PAGE = 200;
const CONCURRENCY = 4;

type SdkRequest = { url?: string; method?: string; headers?: Record<string, unknown>; body?: unknown };

/** The SDK's executor over ctx.fetch; it records answers and remembers the last call (for error messages). */
class ContextExecutor extends RequestExecutor {
  last: { call: string; status: number } | undefined;
  constructor(
    private readonly ctx: CollectContext<OktaSettings, OktaCredential>,
    private readonly record: boolean,
  ) {
    super();
  }

  // The SDK's typings name node-fetch's Response; it reads status, headers, text() and json(), which the web Response has.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override async fetch(request: any): Promise<any> {
    const r = request as SdkRequest;
    const url = String(r.url);
    const method = String(r.method ?? "GET").toUpperCase();
    const headers = new Headers();
    for (const [k, v] of Object.entries(r.headers ?? {})) if (v !== undefined && v !== null) headers.set(k, String(v));
    this.emit("request", request);
    const res = await this.ctx.fetch(url, {
      method,
      headers,
      body: typeof r.body === "string" ? r.body : undefined,
      signal: this.ctx.signal,
    });
    this.last = { call: callShape(method, url), status: res.status };
    if (!this.record || method !== "GET" || res.status < 200 || res.status >= 300) return res;
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ConnectorError("malformed", { call: this.last.call, detail: "the answer is not JSON" });
    }
    this.ctx.bundle.add(url, body);
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  }
}

export function oktaClient(ctx: CollectContext<OktaSettings, OktaCredential>, record: boolean): { client: Client; executor: ContextExecutor } {
  const executor = new ContextExecutor(ctx, record);
  const orgUrl = ctx.settings.orgUrl.replace(/\/+$/, "");
  const c = ctx.credential;
  // Every field is given, so nothing is taken from okta.yaml files or OKTA_CLIENT_* variables of the server's environment.
  const common = { orgUrl, requestExecutor: executor, cacheMiddleware: null, userAgent: "attest-connector", keyId: c.keyId ?? "" };
  const config = c.token
    ? { ...common, authorizationMode: "SSWS", token: c.token, clientId: "", privateKey: "", scopes: "" }
    : {
        ...common,
        authorizationMode: "PrivateKey",
        token: "",
        clientId: c.clientId ?? "",
        privateKey: c.privateKey ?? "",
        scopes: [...BASE_SCOPES, ...(ctx.settings.readGovernance ? [GOVERNANCE_SCOPE] : [])].join(" "),
      };
  // The SDK's V2Configuration type lacks userAgent and types scopes as string[] (it joins arrays to a string itself).
  const client = new Client(config as unknown as ConstructorParameters<typeof Client>[0]);
  return { client, executor };
}

/** What an error thrown inside the SDK means for the run: an HTTP status the SDK saw, a body it could not read, or ours. */
function classify(e: unknown, executor: ContextExecutor): ConnectorError {
  if (e instanceof ConnectorError) return e;
  const status = typeof (e as { status?: unknown })?.status === "number" ? (e as { status: number }).status : undefined;
  const call = executor.last?.call;
  if (status !== undefined && status >= 400) return new ConnectorError(failureForStatus(status), { httpStatus: status, call });
  // The answer came back 2xx but the SDK could not read it (not JSON, not the list it expects).
  if (executor.last && executor.last.status < 300) return new ConnectorError("malformed", { call, detail: "the SDK could not read the answer" });
  return new ConnectorError("internal");
}

async function drain<T>(collection: Collection<T>, onItem: (item: T) => void): Promise<void> {
  for await (const item of collection) if (item) onItem(item);
}

async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    // After one failure the others take no new item: the run is failing anyway.
    while (!failed && next < items.length) {
      try {
        await work(items[next++]!);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  });
  await Promise.all(workers);
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** "Test connection": the first page of one user. */
export async function testOkta(ctx: CollectContext<OktaSettings, OktaCredential>): Promise<string> {
  const { client, executor } = oktaClient(ctx, false);
  try {
    const users = await client.userApi.listUsers({ limit: 1 });
    let seen = 0;
    await users.each(() => {
      seen++;
      return false;
    });
    const host = new URL(ctx.settings.orgUrl).host;
    return `connected to ${host} (${ctx.credential.token ? "API token" : "OAuth service app"}); users are readable${seen ? "" : " (none listed)"}`;
  } catch (e) {
    throw classify(e, executor);
  }
}

export async function collectOkta(ctx: CollectContext<OktaSettings, OktaCredential>): Promise<void> {
  const { client, executor } = oktaClient(ctx, true);
  const run = async <T>(step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (e) {
      throw classify(e, executor);
    }
  };

  let users = 0;
  await run(async () =>
    drain(await client.userApi.listUsers({ limit: PAGE }), () => {
      if (++users % 1000 === 0) ctx.progress(`reading users: ${fmt(users)}`);
    }),
  );
  ctx.progress(`read ${fmt(users)} users; reading groups`);

  const groupIds: string[] = [];
  await run(async () => drain(await client.groupApi.listGroups({ limit: PAGE }), (g) => void (g.id && groupIds.push(g.id))));
  let done = 0;
  await run(() =>
    pool(groupIds, CONCURRENCY, async (groupId) => {
      await drain(await client.groupApi.listGroupUsers({ groupId, limit: PAGE }), () => undefined);
      if (++done % 100 === 0) ctx.progress(`reading group members: ${fmt(done)} of ${fmt(groupIds.length)} groups`);
    }),
  );
  ctx.progress(`read ${fmt(groupIds.length)} groups; reading apps`);

  const appIds: string[] = [];
  await run(async () => drain(await client.applicationApi.listApplications({ limit: PAGE }), (a) => void (a.id && appIds.push(a.id))));
  done = 0;
  await run(() =>
    pool(appIds, CONCURRENCY, async (appId) => {
      await drain(await client.applicationApi.listApplicationUsers({ appId, limit: PAGE }), () => undefined);
      await drain(await client.applicationApi.listApplicationGroupAssignments({ appId, limit: PAGE }), () => undefined);
      if (++done % 50 === 0) ctx.progress(`reading app assignments: ${fmt(done)} of ${fmt(appIds.length)} apps`);
    }),
  );

  if (ctx.settings.readGovernance && appIds.length) {
    ctx.progress("reading Identity Governance entitlements and grants");
    await collectGovernance(ctx, client, executor, appIds);
  }
  ctx.progress(`read ${fmt(users)} users, ${fmt(groupIds.length)} groups, ${fmt(appIds.length)} apps`);
}

/**
 * Okta Identity Governance has no methods in the Management SDK: its list
 * calls go through the SDK's documented generic call (client.http.http, same
 * executor, same auth), following the same `Link: rel="next"` headers. Lists need a resource filter, so they are read per app. A 401/403
 * on the first call, or 404, means the tenant has no Identity Governance (or
 * the credential lacks its scope): governance is then skipped and the
 * converter says so in a warning. A 400/404 on one app (not enabled for
 * entitlement management) skips that app.
 */
async function collectGovernance(ctx: CollectContext<OktaSettings, OktaCredential>, client: Client, executor: ContextExecutor, appIds: string[]) {
  const base = ctx.settings.orgUrl.replace(/\/+$/, "");
  const origin = new URL(base).origin;
  const list = async (path: string, filter: string, extra = "") => {
    let next: string | undefined = `${base}/${path}?limit=${PAGE}&filter=${encodeURIComponent(filter)}${extra}`;
    while (next) {
      const res = await client.http.http(next, { method: "get", headers: { Accept: "application/json" } } as never);
      const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "");
      next = link?.[1];
      // A next link elsewhere than the org is not followed (the outbound allow-list would refuse it too).
      if (next && new URL(next).origin !== origin)
        throw new ConnectorError("malformed", { call: callShape("GET", next), detail: "a next link points outside the org" });
    }
  };
  let first = true;
  for (const appId of appIds) {
    try {
      await list(OKTA_CALLS.oigEntitlements, `parent.externalId eq "${appId}" AND parent.type eq "APPLICATION"`);
      await list(OKTA_CALLS.oigGrants, `target.externalId eq "${appId}" AND target.type eq "APPLICATION"`, "&include=full_entitlements");
    } catch (e) {
      const f = classify(e, executor);
      if (f.failure === "throttled" || f.failure === "unreachable" || f.failure === "malformed" || f.failure === "internal") throw f;
      if (first && (f.httpStatus === 401 || f.httpStatus === 403 || f.httpStatus === 404)) return;
      if (f.httpStatus === 400 || f.httpStatus === 404) continue;
      throw f;
    }
    first = false;
  }
}
