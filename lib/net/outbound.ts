import { lookup as dnsLookup } from "node:dns/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isSpecialAddress, rangeList } from "./addresses";
import { hostAllowed, matchableHost, parseHostPattern, type HostPattern } from "./host-patterns";
import { classifyNetworkError, OutboundError, type OutboundFailure } from "./outbound-error";

export { OutboundError, OUTBOUND_FAILURES, type OutboundFailure } from "./outbound-error";

/**
 * The one way the server makes an HTTP request to somewhere else (MCP
 * discovery today; connectors and webhooks later). It goes only to hosts an
 * admin allowed, never to a loopback, private, link-local or metadata address
 * unless an admin opened that range, resolves the name once and connects to
 * the address it checked (so a second DNS answer cannot rebind it), follows no
 * redirect, and bounds connect time, total time and answer size. Failures are
 * OutboundErrors naming a class only.
 */
export interface OutboundPolicy {
  /** Host patterns (see host-patterns.ts). Nothing is reachable without one. */
  allowHosts: readonly string[];
  /** Addresses or CIDR ranges that may be reached although they are loopback, private, link-local... */
  allowPrivateRanges: readonly string[];
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export interface OutboundOptions {
  policy: OutboundPolicy;
  /** Name resolution; tests inject one. Never taken from request input. */
  resolve?: Resolver;
  connectTimeoutMs?: number;
  /** From the start of the request to the last byte of the answer (a streamed answer included). */
  timeoutMs?: number;
  maxResponseBytes?: number;
  maxRequestBytes?: number;
  /** Told every failure, also those that happen while the caller reads a streamed answer. */
  onFailure?: (e: OutboundError) => void;
}

export type OutboundFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

const DEFAULTS = { connectTimeoutMs: 5_000, timeoutMs: 15_000, maxResponseBytes: 4 * 1024 * 1024, maxRequestBytes: 1024 * 1024 };

const HOP_BY_HOP = new Set(["host", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length", "expect"]);

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Resolves once and checks every address; returns the one to connect to. */
async function checkedAddress(
  opts: OutboundOptions,
  url: URL,
  patterns: HostPattern[],
  privateAllowed: (a: string) => boolean,
): Promise<{ address: string; family: number }> {
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  if (!hostAllowed(patterns, url.hostname, port)) throw new OutboundError("not_allowed");
  const host = matchableHost(url.hostname);
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    let timer: NodeJS.Timeout | undefined;
    try {
      addresses = await Promise.race([
        (opts.resolve ?? systemResolver)(host).catch(() => {
          throw new OutboundError("dns_failure");
        }),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new OutboundError("timeout")), opts.timeoutMs ?? DEFAULTS.timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
  if (addresses.length === 0) throw new OutboundError("dns_failure");
  // Every address, not only the one used: a name that also points inside is refused outright.
  if (addresses.some((a) => isSpecialAddress(a.address) && !privateAllowed(a.address))) throw new OutboundError("blocked_address");
  return addresses[0]!;
}

/** Always answers with the checked address, whatever the name resolves to now. */
function pinnedLookup(address: string, family: number): LookupFunction {
  return ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as LookupFunction;
}

function responseHeaders(res: IncomingMessage): Headers {
  const h = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    try {
      h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    } catch {
      // A header value fetch cannot represent is dropped rather than failing the answer.
    }
  }
  return h;
}

/** Builds a fetch-compatible function bound to a policy and limits. */
export function createOutboundFetch(options: OutboundOptions): OutboundFetch {
  const opts = { ...DEFAULTS, ...options };
  const patterns = options.policy.allowHosts.map(parseHostPattern).filter((p): p is HostPattern => p !== null);
  const privateAllowed = rangeList(options.policy.allowPrivateRanges);
  const failed = (failure: OutboundFailure, httpStatus?: number) => {
    const e = new OutboundError(failure, { httpStatus });
    opts.onFailure?.(e);
    return e;
  };

  return async (input, init) => {
    const request = new Request(input, init);
    const signal = request.signal;
    signal.throwIfAborted();
    const url = new URL(request.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw failed("not_allowed");
    const started = Date.now();
    let pinned: { address: string; family: number };
    try {
      pinned = await checkedAddress(opts, url, patterns, privateAllowed);
    } catch (e) {
      throw failed(classifyNetworkError(e));
    }
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    if (body && body.length > opts.maxRequestBytes) throw failed("too_large");
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => {
      // Framing and routing headers are the client's to set: a caller-given Host or Transfer-Encoding could reach another virtual host or desynchronise the exchange.
      if (!HOP_BY_HOP.has(k) && !k.startsWith("proxy-")) headers[k] = v;
    });
    headers.host = url.host;
    headers["accept-encoding"] = "identity"; // an answer's size is counted as sent; no decompression bombs
    if (body) headers["content-length"] = String(body.length);
    const host = matchableHost(url.hostname);

    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      let closed = false;
      let res: IncomingMessage | undefined;
      let streamController: ReadableStreamDefaultController<Uint8Array> | undefined;
      const finish = () => {
        closed = true;
        clearTimeout(total);
        clearTimeout(connect);
        signal.removeEventListener("abort", onAbort);
      };
      /** Ends the exchange with an error: before the answer, the promise rejects; after, the body stream errors. */
      const end = (err: unknown) => {
        if (closed) return;
        finish();
        req.destroy();
        res?.destroy();
        if (!settled) {
          settled = true;
          reject(err);
        } else {
          try {
            streamController?.error(err);
          } catch {
            // The reader already cancelled the stream; nothing is waiting for this error.
          }
        }
      };
      const fail = (e: unknown) => {
        if (closed) return;
        end(e instanceof OutboundError ? (opts.onFailure?.(e), e) : failed(classifyNetworkError(e)));
      };
      const onAbort = () => end(signal.reason ?? new DOMException("This operation was aborted", "AbortError"));
      const total = setTimeout(() => fail(new OutboundError("timeout")), Math.max(1, opts.timeoutMs - (Date.now() - started)));
      const connect = setTimeout(() => fail(new OutboundError("timeout")), opts.connectTimeoutMs);
      total.unref();
      connect.unref();
      signal.addEventListener("abort", onAbort);

      const req = (url.protocol === "https:" ? https : http).request({
        protocol: url.protocol,
        host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        agent: false, // no pooled socket carried over to another request
        lookup: pinnedLookup(pinned.address, pinned.family),
        servername: isIP(host) ? undefined : host,
      });
      req.on("socket", (s) => s.once("connect", () => clearTimeout(connect)));
      req.on("error", fail);
      req.on("response", (r) => {
        res = r;
        const status = r.statusCode ?? 0;
        if (status >= 300 && status < 400) return fail(new OutboundError("redirect"));
        if (status < 200 || status > 599) return fail(new OutboundError("bad_response"));
        const declared = Number(r.headers["content-length"]);
        if (Number.isFinite(declared) && declared > opts.maxResponseBytes) return fail(new OutboundError("too_large"));
        r.on("error", fail);
        // A connection that closes before the end of the answer is a failure, not a short answer.
        r.on("close", () => fail(new OutboundError("refused")));
        const noBody = request.method === "HEAD" || status === 204 || status === 205 || status === 304;
        let received = 0;
        const stream = noBody
          ? null
          : new ReadableStream<Uint8Array>({
              start(c) {
                streamController = c;
                r.on("data", (chunk: Buffer) => {
                  received += chunk.length;
                  if (received > opts.maxResponseBytes) return fail(new OutboundError("too_large"));
                  c.enqueue(new Uint8Array(chunk));
                  if ((c.desiredSize ?? 1) <= 0) r.pause();
                });
                r.on("end", () => {
                  if (closed) return;
                  finish();
                  c.close();
                });
              },
              pull() {
                r.resume();
              },
              cancel() {
                finish();
                r.destroy();
              },
            });
        if (noBody) {
          finish();
          r.resume();
        }
        settled = true;
        // The remote's reason phrase is left out: it is remote text like the body.
        const answer = new Response(stream, { status, headers: responseHeaders(r) });
        // As fetch would: the URL asked (no redirect is followed, so it is the final one). SDKs page by it (Octokit).
        Object.defineProperty(answer, "url", { value: request.url, configurable: true });
        resolve(answer);
      });
      req.end(body);
    });
  };
}
