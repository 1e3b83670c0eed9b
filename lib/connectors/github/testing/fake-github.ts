import { randomBytes, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { startFakeVendor, type FakeAnswer, type FakeRequest, type FakeVendor } from "@/lib/testing/fake-vendor";
import { AnswerBundle } from "../../bundle";

/**
 * A local GitHub REST API for tests, answering from fixtures/octo-org.json
 * (examples of GitHub's REST OpenAPI description, fixtures/PROVENANCE.md):
 * GitHub's paging (`page`/`per_page`, a Link header with rel="next"/"last"),
 * GitHub App auth (an RS256 app JWT exchanged at
 * `POST /app/installations/{id}/access_tokens` for an installation token) or a
 * personal access token, GitHub's 401 `{"message":"Bad credentials"}`, its
 * 403 for what a credential may not read, and throttling on demand (429 with
 * Retry-After, or the 403 of a spent primary limit).
 */
export const FIXTURE_PATH = path.resolve(import.meta.dirname, "..", "fixtures", "octo-org.json");

/** The calls whose answers wrap their list: `{"total_count": n, "<field>": [...]}`. */
const WRAPPED: [RegExp, string][] = [
  [/^orgs\/[^/]+\/installations$/, "installations"],
  [/^orgs\/[^/]+\/actions\/secrets$/, "secrets"],
  [/^repos\/[^/]+\/[^/]+\/actions\/secrets$/, "secrets"],
  [/^orgs\/[^/]+\/actions\/secrets\/[^/]+\/repositories$/, "repositories"],
];
const wrapperOf = (key: string) => WRAPPED.find(([re]) => re.test(key))?.[1];

const BAD_CREDENTIALS = { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" };

export interface FakeGithubOptions {
  /** Most items per page whatever per_page asks (GitHub's cap is 100); small values make the SDK page. */
  pageSize?: number;
  /** The GitHub App the fake knows: its id and the public half of its key (PEM). */
  app?: { appId: string; installationId: string; publicKeyPem: string };
  /** Personal access tokens the fake accepts. */
  tokens?: string[];
  tls?: boolean;
  /** Where the API lives on the host: GitHub Enterprise Server answers under `/api/v3`. */
  pathPrefix?: string;
}

export interface FakeGithub {
  url: string;
  vendor: FakeVendor;
  /** The list answer of each call, by canonical key (a test edits it between runs). */
  lists: Map<string, unknown[]>;
  /** Single-object answers (`orgs/{org}`). */
  objects: Map<string, unknown>;
  /** Answers the next `n` requests with 429 + Retry-After: 1 (or GitHub's spent-limit 403). */
  throttle(n: number, how?: "429" | "403"): void;
  /** While on, every credential is refused (an expired App key, a revoked token); off restores them. */
  revokeCredentials(on: boolean): void;
  /** Calls (key prefixes) answered 403 "Resource not accessible by integration". */
  forbidden: Set<string>;
  /** A raw body to answer for a key instead of its list (a malformed answer). */
  raw: Map<string, unknown>;
  issuedTokens(): string[];
  close(): Promise<void>;
}

function b64urlJson(part: string): Record<string, unknown> | null {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The App JWT GitHub wants: RS256 over header.payload, signed by the App's key, iss = app id, not expired. */
function validAppJwt(jwt: string, app: NonNullable<FakeGithubOptions["app"]>, now: number): boolean {
  const [h, p, s] = jwt.split(".");
  if (!h || !p || !s) return false;
  const header = b64urlJson(h);
  const payload = b64urlJson(p);
  if (header?.alg !== "RS256" || !payload) return false;
  if (!verify("RSA-SHA256", Buffer.from(`${h}.${p}`), app.publicKeyPem, Buffer.from(s, "base64url"))) return false;
  return String(payload.iss) === app.appId && typeof payload.exp === "number" && payload.exp * 1000 > now;
}

export function loadFixtureLists(file = FIXTURE_PATH): { lists: Map<string, unknown[]>; objects: Map<string, unknown> } {
  const doc = JSON.parse(readFileSync(file, "utf8")) as { calls: Record<string, unknown[]> };
  const lists = new Map<string, unknown[]>();
  const objects = new Map<string, unknown>();
  for (const [call, pages] of Object.entries(doc.calls)) {
    const key = AnswerBundle.key(call);
    const field = wrapperOf(key);
    if (!field && pages.length === 1 && !Array.isArray(pages[0])) {
      objects.set(key, pages[0]);
      continue;
    }
    const items: unknown[] = [];
    for (const page of pages) items.push(...(field ? ((page as Record<string, unknown[]>)[field] ?? []) : (page as unknown[])));
    lists.set(key, items);
  }
  return { lists, objects };
}

export async function startFakeGithub(opts: FakeGithubOptions = {}): Promise<FakeGithub> {
  const { lists, objects } = loadFixtureLists();
  const tokens = new Set(opts.tokens ?? []);
  const issued: string[] = [];
  const forbidden = new Set<string>();
  const raw = new Map<string, unknown>();
  let throttleLeft = 0;
  let throttleHow: "429" | "403" = "429";
  let revoked = false;
  let baseUrl = "";

  const authorized = (req: FakeRequest) => {
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""));
    return !revoked && !!m && tokens.has(m[1]!);
  };

  /** The key a request reads: its path, with the role filter kept as a segment as the bundle layout does. */
  const prefix = (opts.pathPrefix ?? "").replace(/\/+$/, "");
  const keyOf = (req: FakeRequest) => {
    const key = AnswerBundle.key(req.path.slice(prefix.length));
    const role = req.query.get("role");
    if (role && role !== "all" && /^orgs\/[^/]+(\/teams\/[^/]+)?\/members$/.test(key)) return `${key}/role=${role}`;
    return key;
  };

  const route = (req: FakeRequest): FakeAnswer => {
    if (prefix && !req.path.startsWith(`${prefix}/`)) return { status: 404, text: "Not Found" };
    if (throttleLeft > 0) {
      throttleLeft--;
      return throttleHow === "429"
        ? {
            status: 429,
            headers: { "retry-after": "1" },
            json: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
          }
        : {
            status: 403,
            headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 1) },
            json: { message: "API rate limit exceeded for installation ID 1." },
          };
    }
    const inst = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(req.path.slice(prefix.length));
    if (inst && req.method === "POST") {
      const m = /^bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""));
      if (revoked || !opts.app || !m || !validAppJwt(m[1]!, opts.app, Date.now()))
        return { status: 401, json: { message: "A JSON web token could not be decoded", documentation_url: "https://docs.github.com/rest" } };
      if (inst[1] !== opts.app.installationId) return { status: 404, json: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };
      const token = `ghs_${randomBytes(18).toString("base64url")}`;
      issued.push(token);
      tokens.add(token);
      return {
        status: 201,
        json: {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: { members: "read", metadata: "read" },
          repository_selection: "all",
        },
      };
    }
    if (!authorized(req)) return { status: 401, json: BAD_CREDENTIALS };
    const bearer = /^(?:token|bearer)\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""))![1]!;
    // GitHub lists fine-grained PAT grants to GitHub Apps only.
    if (/^orgs\/[^/]+\/personal-access-tokens/.test(keyOf(req)) && !issued.includes(bearer))
      return { status: 403, json: { message: "Resource not accessible by personal access token", documentation_url: "https://docs.github.com/rest" } };
    if (req.method !== "GET") return { status: 404, json: { message: "Not Found" } };
    const key = keyOf(req);
    for (const denied of forbidden)
      if (key.startsWith(denied))
        return { status: 403, json: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest" } };
    if (raw.has(key)) return { json: raw.get(key) };
    if (objects.has(key)) return { json: objects.get(key) };
    const items = lists.get(key);
    if (!items) return { status: 404, json: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };
    const perPage = Math.max(1, Math.min(Number(req.query.get("per_page") ?? 30) || 30, 100, opts.pageSize ?? 100));
    const page = Math.max(1, Number(req.query.get("page") ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (n: number) => {
      const q = new URLSearchParams(req.query);
      q.set("page", String(n));
      q.set("per_page", String(perPage));
      return `<${baseUrl}${req.path}?${q}>`;
    };
    const rels: string[] = [];
    if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) rels.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
    const field = wrapperOf(key);
    return { headers: rels.length ? { link: rels.join(", ") } : {}, json: field ? { total_count: items.length, [field]: slice } : slice };
  };

  const vendor = await startFakeVendor(route, { tls: opts.tls });
  baseUrl = vendor.url;
  return {
    url: vendor.url,
    vendor,
    lists,
    objects,
    forbidden,
    raw,
    throttle: (n, how = "429") => ((throttleLeft = n), (throttleHow = how)),
    revokeCredentials: (on) => void (revoked = on),
    issuedTokens: () => [...issued],
    close: () => vendor.close(),
  };
}
