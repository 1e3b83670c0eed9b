import { readFileSync } from "node:fs";
import path from "node:path";
import { startFakeVendor, type FakeAnswer, type FakeRequest, type FakeVendor } from "@/lib/testing/fake-vendor";
import { AnswerBundle } from "../../bundle";
import { classifyKey, GRAPH_VERSIONS } from "../calls";

/**
 * A local Microsoft Graph and Microsoft identity platform (token endpoint) on
 * a loopback address (plain http, which the connector accepts only there), answering from
 * fixtures/contoso-tenant.json — Microsoft Learn's documented example answers,
 * joined into one tenant (fixtures/PROVENANCE.md). It pages the way Graph
 * does (`$top`, absolute `@odata.nextLink` with `$skiptoken`), throttles on
 * demand (429, Retry-After: 1, Graph's TooManyRequests body) and refuses a
 * wrong or expired client secret with the AADSTS error body Entra sends.
 */
export const FAKE_TENANT = "84841066-274d-4ec0-a5c1-276be684bdd3";
export const FAKE_CLIENT_ID = "c0ffee00-1111-4222-8333-444455556666";
export const FAKE_SECRET = "fake-entra-client-secret-value-0001";

export interface FakeEntraState {
  /** Items of each collection by canonical key (`users`, `groups/{id}/members`, ...). */
  data: Map<string, Record<string, unknown>[]>;
  /** The secret the token endpoint accepts. */
  secret: string;
  /** The secret has expired (AADSTS7000222). */
  secretExpired: boolean;
  /** The next this-many Graph calls answer 429 with Retry-After: 1. */
  throttleNext: number;
  /** Keys whose answer is not a Graph collection (a malformed answer). */
  malformed: Set<string>;
  /** Largest page the fake gives, whatever $top asks (so small fixtures still page). */
  pageSize: number;
  /** Agent ID calls answer 404 (a tenant or cloud without them). */
  noAgentIds: boolean;
  tokensIssued: number;
}

export interface FakeEntra extends FakeVendor {
  state: FakeEntraState;
  /** Graph requests (token requests excluded), as `GET v1.0/users` lines. */
  graphCalls(): string[];
}

export const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/contoso-tenant.json");

/** The fixture's items by canonical key (pages joined). */
export function fixtureData(file = FIXTURE): Map<string, Record<string, unknown>[]> {
  const doc = JSON.parse(readFileSync(file, "utf8")) as { calls: Record<string, { value: Record<string, unknown>[] }[]> };
  const out = new Map<string, Record<string, unknown>[]>();
  for (const [call, pages] of Object.entries(doc.calls))
    out.set(
      AnswerBundle.key(call, GRAPH_VERSIONS),
      pages.flatMap((p) => p.value),
    );
  return out;
}

const graphError = (status: number, code: string, message: string): FakeAnswer => ({
  status,
  json: {
    error: {
      code,
      message,
      innerError: {
        date: "2026-12-05T12:00:00",
        "request-id": "5f1a0c6e-0000-4000-8000-000000000001",
        "client-request-id": "5f1a0c6e-0000-4000-8000-000000000002",
      },
    },
  },
});

/** Entra's token endpoint error (AADSTS), as the identity platform answers it. */
const aadsts = (status: number, error: string, code: number, text: string): FakeAnswer => ({
  status,
  json: {
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: 0d5e2f1a-0000-4000-8000-000000000003 Correlation ID: 0d5e2f1a-0000-4000-8000-000000000004 Timestamp: 2026-12-05 12:00:00Z`,
    error_codes: [code],
    timestamp: "2026-12-05 12:00:00Z",
    trace_id: "0d5e2f1a-0000-4000-8000-000000000003",
    correlation_id: "0d5e2f1a-0000-4000-8000-000000000004",
    error_uri: "https://login.microsoftonline.com/error?code=" + code,
  },
});

export async function startFakeEntra(opts: { tls?: boolean } = {}): Promise<FakeEntra> {
  const state: FakeEntraState = {
    data: fixtureData(),
    secret: FAKE_SECRET,
    secretExpired: false,
    throttleNext: 0,
    malformed: new Set(),
    pageSize: 2,
    noAgentIds: false,
    tokensIssued: 0,
  };
  const issued = new Set<string>();
  let base = "";

  const route = (req: FakeRequest): FakeAnswer => {
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.path);
    if (token) {
      if (req.method !== "POST") return { status: 405, json: { error: "invalid_request" } };
      const form = new URLSearchParams(req.body);
      if (token[1] !== FAKE_TENANT) return aadsts(400, "invalid_request", 90002, "Tenant not found.");
      if (form.get("grant_type") !== "client_credentials" || !form.get("scope")?.endsWith("/.default"))
        return aadsts(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
      if (form.get("client_id") !== FAKE_CLIENT_ID) return aadsts(400, "unauthorized_client", 700016, "Application was not found in the directory.");
      if (form.get("client_secret") !== state.secret) return aadsts(401, "invalid_client", 7000215, "Invalid client secret provided.");
      if (state.secretExpired) return aadsts(401, "invalid_client", 7000222, "The provided client secret keys for app are expired.");
      state.tokensIssued += 1;
      const t = `fake-access-token-${state.tokensIssued}`;
      issued.add(t);
      return { json: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: t } };
    }
    const m = /^\/(v1\.0|beta)\/(.+)$/.exec(req.path);
    if (!m) return graphError(400, "BadRequest", "Invalid version.");
    const [, version, rest] = m as unknown as [string, string, string];
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !issued.has(auth.slice(7))) return graphError(401, "InvalidAuthenticationToken", "Access token is empty or invalid.");
    if (state.throttleNext > 0) {
      state.throttleNext -= 1;
      return { ...graphError(429, "TooManyRequests", "Too many requests."), headers: { "Retry-After": "1" } };
    }
    const key = AnswerBundle.key(rest);
    const c = classifyKey(key);
    if (!c) return graphError(400, "BadRequest", "Resource not found for the segment.");
    if (state.noAgentIds && /agentIdentity/i.test(key)) return graphError(404, "Request_ResourceNotFound", "Resource not found.");
    if (state.malformed.has(key)) return { json: { value: "not a list" } };
    const found = [...state.data.entries()].find(([k]) => k.toLowerCase() === key.toLowerCase());
    // A per-object list of an object with nothing in it is an empty collection.
    const all = found?.[1] ?? [];
    const top = Number(req.query.get("$top") ?? "100");
    const size = Math.max(1, Math.min(state.pageSize, Number.isFinite(top) && top > 0 ? top : 100));
    const offset = Number(req.query.get("$skiptoken") ?? "0") || 0;
    const page = all.slice(offset, offset + size);
    const body: Record<string, unknown> = { "@odata.context": `${base}/${version}/$metadata#${key}`, value: page };
    if (offset + size < all.length) {
      const next = new URLSearchParams();
      for (const [k, v] of req.query) if (k !== "$skiptoken") next.set(k, v);
      next.set("$skiptoken", String(offset + size));
      body["@odata.nextLink"] = `${base}/${version}/${rest}?${[...next].map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/g, ",")}`).join("&")}`;
    }
    return { json: body };
  };

  const fake = await startFakeVendor(route, { tls: opts.tls });
  base = fake.url;
  return {
    ...fake,
    state,
    graphCalls: () => fake.requests.filter((r) => /^\/(v1\.0|beta)\//.test(r.path)).map((r) => `${r.method} ${r.path.slice(1)}`),
  };
}
