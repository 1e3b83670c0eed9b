import { OutboundError, type OutboundFetch } from "@/lib/net/outbound";
import { ConnectorError, failureForStatus } from "./errors";

/**
 * The fetch a connector's SDK is given: the app's one outbound client (allow
 * list, no private ranges unless opened, no redirects, bounded answers) with
 * the vendors' rate-limit manners on top. A 429 — or a 403/503 that says the
 * rate limit is spent, or AWS's 400 `Throttling` — is retried after the time the vendor asks for
 * (Retry-After in seconds or as a date; GitHub's and Okta's reset headers),
 * else after an exponential backoff, up to `maxRetries` times.
 *
 * The latest failure is recorded as a ConnectorError naming only the class,
 * the status and the call's shape: SDKs put the vendor's answer into their
 * error messages, so the run reports what was recorded here, not what the SDK
 * threw.
 */
export interface PoliteFetchOptions {
  maxRetries: number;
  /** A single wait longer than this is not waited for: the run fails as throttled. */
  maxWaitMs: number;
  /** First backoff when the vendor names no time; doubled each retry. */
  baseDelayMs: number;
  signal?: AbortSignal;
  /** Values the admin typed (settings) that must not appear in a call's shape. */
  hide?: readonly string[];
}

export const DEFAULT_POLITE: PoliteFetchOptions = { maxRetries: 4, maxWaitMs: 60_000, baseDelayMs: 500 };

export interface PoliteFetch {
  fetch: OutboundFetch;
  /** The latest failure seen (status ≥ 400 after retries, or a network failure): what made the SDK throw. */
  failure(): ConnectorError | undefined;
  stats(): { calls: number; retries: number };
}

/**
 * A call's shape for messages: segments that are words stay, anything that may be an id or a name becomes {…},
 * and so does any segment equal to a value the admin typed (`hide`: the connector's settings, e.g. an org name).
 */
export function callShape(method: string, url: string, hide: ReadonlySet<string> = new Set()): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return method.toUpperCase();
  }
  const shape = path
    .split("/")
    .filter(Boolean)
    .map((seg) => (/^[A-Za-z][A-Za-z._-]{0,39}$/.test(seg) && !hide.has(safeDecode(seg).toLowerCase()) ? seg : "{…}"))
    .join("/");
  return `${method.toUpperCase()} ${shape || "/"}`;
}

function safeDecode(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

/** How long the vendor asks to wait, in ms, or null when it does not say. */
export function askedWaitMs(res: Response, now = Date.now()): number | null {
  const retryAfter = res.headers.get("retry-after");
  if (retryAfter !== null) {
    const s = Number(retryAfter);
    if (Number.isFinite(s) && s >= 0) return Math.ceil(s * 1000);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  // GitHub (x-ratelimit-reset) and Okta (x-rate-limit-reset): epoch seconds when the window resets.
  const reset = res.headers.get("x-ratelimit-reset") ?? res.headers.get("x-rate-limit-reset");
  if (reset !== null && /^\d{9,11}$/.test(reset.trim())) return Math.max(0, Number(reset) * 1000 - now);
  return null;
}

/** AWS's query APIs (IAM) throttle with HTTP 400 and an XML error code, not 429. */
const AWS_THROTTLE = /<Code>\s*(Throttling|ThrottlingException|RequestLimitExceeded|TooManyRequestsException)\s*<\/Code>/;

/** Reads a 400 XML answer to tell AWS's throttling from a real 400; gives back an answer with the same body either way. */
async function awsThrottled(res: Response): Promise<{ throttled: boolean; res: Response }> {
  if (res.status !== 400 || !/xml/i.test(res.headers.get("content-type") ?? "")) return { throttled: false, res };
  const text = await res.text();
  return { throttled: AWS_THROTTLE.test(text.slice(0, 4096)), res: new Response(text, { status: res.status, headers: res.headers }) };
}

function isThrottle(res: Response): boolean {
  if (res.status === 429) return true;
  const remaining = res.headers.get("x-ratelimit-remaining") ?? res.headers.get("x-rate-limit-remaining");
  // GitHub answers a spent primary or secondary limit with 403 (and says so in these headers).
  if (res.status === 403 && (remaining === "0" || res.headers.has("retry-after"))) return true;
  return res.status === 503 && res.headers.has("retry-after");
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

export function politeFetch(base: OutboundFetch, options: Partial<PoliteFetchOptions> = {}): PoliteFetch {
  const opts = { ...DEFAULT_POLITE, ...options };
  let last: ConnectorError | undefined;
  let calls = 0;
  let retries = 0;
  const record = (e: ConnectorError) => (last = e);
  const hide = new Set((opts.hide ?? []).map((v) => v.toLowerCase()).filter(Boolean));

  const fetch: OutboundFetch = async (input, init) => {
    const request = new Request(input, init);
    const call = callShape(request.method, request.url, hide);
    // The body is read once so each retry can send it again.
    const body = request.body ? await request.arrayBuffer() : undefined;
    for (let attempt = 0; ; attempt++) {
      calls++;
      let res: Response;
      try {
        res = await base(request.url, { method: request.method, headers: request.headers, body, signal: init?.signal ?? opts.signal });
      } catch (e) {
        if (e instanceof OutboundError) throw record(new ConnectorError("unreachable", { call, detail: e.failure.replace(/_/g, " ") }));
        throw e;
      }
      const aws = await awsThrottled(res);
      res = aws.res;
      if (aws.throttled || isThrottle(res)) {
        const asked = askedWaitMs(res);
        const wait = asked ?? opts.baseDelayMs * 2 ** attempt;
        await res.body?.cancel();
        if (attempt >= opts.maxRetries)
          throw record(new ConnectorError("throttled", { httpStatus: res.status, call, detail: `gave up after ${opts.maxRetries} retries` }));
        if (wait > opts.maxWaitMs)
          throw record(
            new ConnectorError("throttled", {
              httpStatus: res.status,
              call,
              detail: `the system asked to wait ${Math.ceil(wait / 1000)} s, longer than allowed`,
            }),
          );
        retries++;
        await sleep(wait, opts.signal);
        continue;
      }
      if (res.status >= 400) record(new ConnectorError(failureForStatus(res.status), { httpStatus: res.status, call }));
      return res;
    }
  };
  return { fetch, failure: () => last, stats: () => ({ calls, retries }) };
}
