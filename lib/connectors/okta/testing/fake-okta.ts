import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { startFakeVendor, type FakeAnswer, type FakeRequest, type FakeVendor } from "@/lib/testing/fake-vendor";

/**
 * A local Okta org over HTTPS (the SDK is pointed at it by its orgUrl),
 * answering from fixtures/okta-api.json — Okta's published OpenAPI examples
 * (fixtures/PROVENANCE.md). It pages Okta's way (`limit`, `after` cursors,
 * `Link: <…>; rel="next"`), sends Okta's rate-limit headers, throttles on
 * demand (429 + X-Rate-Limit-Reset, Okta's E0000047 body), refuses a bad
 * token with 401 + E0000011, and issues OAuth access tokens for a
 * private-key JWT client assertion it verifies.
 */
type Item = Record<string, unknown> & { id: string };

export interface OktaData {
  users: Item[];
  groups: Item[];
  groupUsers: Map<string, Item[]>;
  apps: Item[];
  appUsers: Map<string, Item[]>;
  appGroups: Map<string, Item[]>;
  entitlements: Item[];
  grants: Item[];
}

const FIXTURES = path.resolve(import.meta.dirname, "..", "fixtures");
export const OKTA_FIXTURE_PATH = path.join(FIXTURES, "okta-api.json");
const ERRORS = JSON.parse(readFileSync(path.join(FIXTURES, "errors.json"), "utf8")) as Record<string, unknown>;

/** The fixture bundle as the fake's data (a fresh copy each call). */
export function fixtureData(): OktaData {
  const calls = (JSON.parse(readFileSync(OKTA_FIXTURE_PATH, "utf8")) as { calls: Record<string, unknown[]> }).calls;
  const all = (key: string) => (calls[key] ?? []).flat() as Item[];
  const data: OktaData = {
    users: all("GET /api/v1/users"),
    groups: all("GET /api/v1/groups"),
    groupUsers: new Map(),
    apps: all("GET /api/v1/apps"),
    appUsers: new Map(),
    appGroups: new Map(),
    entitlements: (calls["GET /governance/api/v1/entitlements"] ?? []).flatMap((p) => (p as { data: Item[] }).data),
    grants: (calls["GET /governance/api/v1/grants"] ?? []).flatMap((p) => (p as { data: Item[] }).data),
  };
  for (const [key, pages] of Object.entries(calls)) {
    let m = /^GET \/api\/v1\/groups\/([^/]+)\/users$/.exec(key);
    if (m) data.groupUsers.set(m[1]!, pages.flat() as Item[]);
    m = /^GET \/api\/v1\/apps\/([^/]+)\/users$/.exec(key);
    if (m) data.appUsers.set(m[1]!, pages.flat() as Item[]);
    m = /^GET \/api\/v1\/apps\/([^/]+)\/groups$/.exec(key);
    if (m) data.appGroups.set(m[1]!, pages.flat() as Item[]);
  }
  return data;
}

export interface FakeOktaOptions {
  token: string;
  /** Largest page the fake answers, whatever `limit` asks (small, so the fixtures span pages). */
  pageSize?: number;
  /** An OAuth service app: its client id and the public key of its private-key JWT. */
  oauth?: { clientId: string; publicKeyPem: string };
}

export interface FakeOkta extends FakeVendor {
  data: OktaData;
  /** The next n API requests are answered 429. */
  throttle(n: number): void;
  /** How the Identity Governance API answers: as licensed, or with this status (401/403/404). */
  governance: "licensed" | 401 | 403 | 404;
  /** The users list answers an object instead of an array. */
  malformedUsers: boolean;
  /** Access tokens issued (OAuth). */
  issued: string[];
}

const b64url = (s: string) => Buffer.from(s, "base64url");

function verifyAssertion(jwt: string, key: KeyObject, clientId: string, audience: string): boolean {
  const [h, p, sig] = jwt.split(".");
  if (!h || !p || !sig) return false;
  try {
    const header = JSON.parse(b64url(h).toString("utf8")) as { alg?: string };
    const claims = JSON.parse(b64url(p).toString("utf8")) as { iss?: string; sub?: string; aud?: string; exp?: number };
    if (header.alg !== "RS256") return false;
    if (claims.iss !== clientId || claims.sub !== clientId || claims.aud !== audience) return false;
    if (!claims.exp || claims.exp * 1000 < Date.now()) return false;
    return verify("sha256", Buffer.from(`${h}.${p}`), key, b64url(sig));
  } catch {
    return false;
  }
}

export async function startFakeOkta(opts: FakeOktaOptions): Promise<FakeOkta> {
  const pageSize = opts.pageSize ?? 2;
  const publicKey = opts.oauth ? createPublicKey(opts.oauth.publicKeyPem) : undefined;
  let throttled = 0;
  // What tests change between runs; the route reads it on every request.
  const state: Pick<FakeOkta, "governance" | "malformedUsers"> = { governance: "licensed", malformedUsers: false };
  const issued: string[] = [];
  const data = fixtureData();
  let base = "";

  const rateHeaders = (remaining: number) => ({
    "x-rate-limit-limit": "600",
    "x-rate-limit-remaining": String(remaining),
    "x-rate-limit-reset": String(Math.ceil(Date.now() / 1000) + 1),
  });

  /** Okta's cursor paging: `after` is the id of the last item of the previous page. */
  const page = (req: FakeRequest, items: Item[], wrap: boolean, keep: string[] = []): FakeAnswer => {
    const limit = Math.min(Number(req.query.get("limit") ?? pageSize) || pageSize, pageSize);
    const after = req.query.get("after");
    const start = after ? items.findIndex((i) => i.id === after) + 1 : 0;
    const slice = items.slice(start, start + limit);
    const headers: Record<string, string> = { ...rateHeaders(599) };
    const extra = keep.map((k) => (req.query.has(k) ? `&${k}=${encodeURIComponent(req.query.get(k)!)}` : "")).join("");
    const self = `<${base}${req.path}?limit=${limit}${extra}>; rel="self"`;
    const more = start + limit < items.length && slice.length > 0;
    headers.link = more ? `${self}, <${base}${req.path}?limit=${limit}&after=${slice.at(-1)!.id}${extra}>; rel="next"` : self;
    return { status: 200, headers, json: wrap ? { data: slice, _links: { self: { href: `${base}${req.path}` } } } : slice };
  };

  const authorized = (req: FakeRequest) => {
    const auth = String(req.headers.authorization ?? "");
    if (auth === `SSWS ${opts.token}`) return true;
    return auth.startsWith("Bearer ") && issued.includes(auth.slice(7));
  };

  const route = (req: FakeRequest): FakeAnswer | undefined => {
    if (req.method === "POST" && req.path === "/oauth2/v1/token") {
      const form = new URLSearchParams(req.body);
      const ok =
        opts.oauth &&
        publicKey &&
        form.get("grant_type") === "client_credentials" &&
        form.get("client_assertion_type") === "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" &&
        verifyAssertion(form.get("client_assertion") ?? "", publicKey, opts.oauth.clientId, `${base}/oauth2/v1/token`);
      if (!ok) return { status: 401, json: { error: "invalid_client", error_description: "The client_assertion signature is invalid." } };
      const token = randomBytes(24).toString("base64url");
      issued.push(token);
      return { status: 200, json: { token_type: "Bearer", expires_in: 3600, access_token: token, scope: form.get("scope") } };
    }
    if (req.method !== "GET") return { status: 405, json: ERRORS.notFound };
    if (throttled > 0) {
      throttled--;
      return { status: 429, headers: rateHeaders(0), json: ERRORS.tooManyRequests };
    }
    if (!authorized(req)) return { status: 401, headers: { "www-authenticate": 'SSWS realm="Okta"' }, json: ERRORS.invalidToken };
    const p = req.path;
    if (p.startsWith("/governance/")) {
      if (state.governance !== "licensed")
        return {
          status: state.governance,
          json: state.governance === 404 ? ERRORS.notFound : state.governance === 403 ? ERRORS.accessDenied : ERRORS.invalidToken,
        };
      const target = /(?:parent|target)\.externalId eq "([^"]+)"/.exec(req.query.get("filter") ?? "")?.[1];
      if (!target) return { status: 400, json: { errorCode: "E0000029", errorSummary: "Invalid filter", errorCauses: [] } };
      if (p === "/governance/api/v1/entitlements")
        return page(
          req,
          data.entitlements.filter((e) => (e.parent as { externalId?: string })?.externalId === target),
          true,
          ["filter"],
        );
      if (p === "/governance/api/v1/grants")
        return page(
          req,
          data.grants.filter((g) => (g.target as { externalId?: string })?.externalId === target),
          true,
          ["filter", "include"],
        );
      return undefined;
    }
    if (p === "/api/v1/users") return state.malformedUsers ? { status: 200, json: { users: data.users } } : page(req, data.users, false);
    if (p === "/api/v1/groups") return page(req, data.groups, false);
    if (p === "/api/v1/apps") return page(req, data.apps, false);
    let m = /^\/api\/v1\/groups\/([^/]+)\/users$/.exec(p);
    if (m) return data.groups.some((g) => g.id === m![1]) ? page(req, data.groupUsers.get(m[1]!) ?? [], false) : { status: 404, json: ERRORS.notFound };
    m = /^\/api\/v1\/apps\/([^/]+)\/(users|groups)$/.exec(p);
    if (m) {
      if (!data.apps.some((a) => a.id === m![1])) return { status: 404, json: ERRORS.notFound };
      return page(req, (m[2] === "users" ? data.appUsers : data.appGroups).get(m[1]!) ?? [], false);
    }
    return { status: 404, json: ERRORS.notFound };
  };

  const fake = await startFakeVendor(route, { tls: true });
  base = fake.url;
  const out = fake as FakeOkta;
  Object.defineProperties(out, {
    data: { value: data },
    issued: { value: issued },
    throttle: { value: (n: number) => void (throttled = n) },
    governance: { get: () => state.governance, set: (v: FakeOkta["governance"]) => void (state.governance = v) },
    malformedUsers: { get: () => state.malformedUsers, set: (v: boolean) => void (state.malformedUsers = v) },
  });
  return out;
}
