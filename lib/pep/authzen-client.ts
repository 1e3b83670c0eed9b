import { randomUUID } from "node:crypto";
import { createEndpointResolver, metadataUrl, readBounded, type EndpointsOrFailure } from "./pdp-metadata";
import type { Decision, EvaluationRequest, EvaluationsRequest, EvaluationsSemantic, LocalDenyCode, PepBatchDecision, PepDecision } from "./types";

/**
 * An AuthZEN Authorization API 1.0 client for an enforcement point: Access Evaluation and Access Evaluations over the
 * HTTPS JSON binding, endpoints discovered from the PDP's metadata (`/.well-known/authzen-configuration`) when it
 * publishes them, else the default paths.
 *
 * It fails closed: a network error, a timeout, any status but 200, a body that is not JSON or not a Decision, or a
 * response carrying another request's X-Request-ID all come back as `decision: false` with `local` saying why. It
 * never throws for a PDP failure.
 *
 * Connections are kept alive: Node's fetch (undici) pools and reuses connections per origin; pass `fetch` to use
 * another dispatcher.
 */
export interface AuthzenClientOptions {
  /** The PDP's base URL (its `policy_decision_point` identifier), e.g. `https://attest.example.com`. */
  pdpUrl: string;
  /** Bearer token for the PDP (Attest: an API token with the `pdp` role); a function is asked on every call. */
  token?: string | (() => string | Promise<string>);
  /** Per call, including reading the body. Default 2000 ms. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Read the metadata document first (default true). `false`: always the default paths. */
  discover?: boolean;
  /** How long discovered endpoints are reused. Default 5 minutes. */
  metadataTtlMs?: number;
  /** Deny when the PDP's response lacks the X-Request-ID we sent (a different one is always a deny). Default false. */
  requireRequestIdEcho?: boolean;
  /** Largest response body read. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Told of every PDP failure (for logs); never of token values. */
  onFailure?: (event: { requestId: string; code: LocalDenyCode; detail: string; url: string }) => void;
}

export interface CallOptions {
  requestId?: string;
  signal?: AbortSignal;
}

export interface AuthzenClient {
  /** The PDP's origin (scheme://host:port): where the token goes, and whose URLs a denial may show. */
  readonly origin: string;
  evaluate(request: EvaluationRequest, options?: CallOptions): Promise<PepDecision>;
  evaluations(request: EvaluationsRequest, options?: CallOptions): Promise<PepBatchDecision>;
  /** The endpoints in use (discovering them if needed); a local deny code when the metadata must not be used. */
  endpoints(): Promise<EndpointsOrFailure>;
}

/** Items sent at once when a PDP without the batch endpoint gets a batch item by item. */
const FALLBACK_CONCURRENCY = 8;

export type { AuthzenEndpoints } from "./pdp-metadata";
export { metadataUrl } from "./pdp-metadata";

type Failure = { code: LocalDenyCode; detail: string };
type PostResult = { ok: true; body: unknown } | ({ ok: false } & Failure);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** A Decision per the spec (`decision` boolean, `context` an object when present), or null. */
export function parseDecision(v: unknown): Decision | null {
  if (!isObject(v) || typeof v.decision !== "boolean") return null;
  if (v.context !== undefined && !isObject(v.context)) return null;
  return v.context === undefined ? { decision: v.decision } : { decision: v.decision, context: v.context };
}

/** The deny this enforcement point answers itself, shaped like a PDP's (reason_code / reason_admin / reason_user). */
export function localDeny(requestId: string, failure: Failure): PepDecision {
  return {
    decision: false,
    requestId,
    local: failure,
    context: {
      reason_code: failure.code,
      reason_admin: failure.detail,
      reason_user: "The authorization service could not be reached or gave no valid answer, so the call was refused.",
    },
  };
}

export function createAuthzenClient(options: AuthzenClientOptions): AuthzenClient {
  const base = new URL(options.pdpUrl);
  if (base.protocol !== "https:" && base.protocol !== "http:") throw new Error("pdpUrl must be an http(s) URL");
  if (base.search || base.hash) throw new Error("pdpUrl must have no query or fragment");
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxBytes = options.maxResponseBytes ?? 1 << 20;
  const endpoints = createEndpointResolver({
    pdpUrl: options.pdpUrl,
    fetch: fetchImpl,
    timeoutMs,
    maxBytes,
    discover: options.discover !== false,
    ttlMs: options.metadataTtlMs ?? 300_000,
  });

  async function post(url: string, body: unknown, requestId: string, signal?: AbortSignal): Promise<PostResult> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json", "x-request-id": requestId };
    try {
      const token = typeof options.token === "function" ? await options.token() : options.token;
      if (token) headers.authorization = `Bearer ${token}`;
    } catch {
      return { ok: false, code: "pdp_unreachable", detail: "the PDP token could not be read" };
    }
    try {
      const res = await fetchImpl(url, { method: "POST", headers, body: JSON.stringify(body), signal: combined });
      if (res.status !== 200) {
        await res.body?.cancel();
        return { ok: false, code: "pdp_http_error", detail: `the PDP answered HTTP ${res.status}` };
      }
      const echoed = res.headers.get("x-request-id");
      if (echoed !== null ? echoed !== requestId : options.requireRequestIdEcho === true) {
        await res.body?.cancel();
        return { ok: false, code: "pdp_request_id_mismatch", detail: "the PDP response did not carry the X-Request-ID sent" };
      }
      if (!/^application\/([a-z.+-]*\+)?json\b/i.test(res.headers.get("content-type") ?? "")) {
        await res.body?.cancel();
        return { ok: false, code: "pdp_invalid_response", detail: "the PDP response is not application/json" };
      }
      const text = await readBounded(res, maxBytes);
      if (text === null) return { ok: false, code: "pdp_invalid_response", detail: `the PDP response is larger than ${maxBytes} bytes` };
      try {
        return { ok: true, body: JSON.parse(text) };
      } catch {
        return { ok: false, code: "pdp_invalid_response", detail: "the PDP response is not valid JSON" };
      }
    } catch (e) {
      if (timeout.aborted) return { ok: false, code: "pdp_timeout", detail: `no answer from the PDP within ${timeoutMs} ms` };
      if (signal?.aborted) return { ok: false, code: "pdp_unreachable", detail: "the call was cancelled" };
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : "unknown error";
      return { ok: false, code: "pdp_unreachable", detail: `the PDP could not be reached (${cause})` };
    }
  }

  function fail(requestId: string, url: string, f: Failure): PepDecision {
    options.onFailure?.({ requestId, code: f.code, detail: f.detail, url });
    return localDeny(requestId, f);
  }

  async function evaluate(request: EvaluationRequest, call: CallOptions = {}): Promise<PepDecision> {
    const requestId = call.requestId ?? randomUUID();
    const ep = await endpoints();
    if ("failed" in ep) return fail(requestId, metadataUrl(options.pdpUrl), { code: ep.failed, detail: ep.detail });
    const r = await post(ep.evaluation, request, requestId, call.signal);
    if (!r.ok) return fail(requestId, ep.evaluation, r);
    const d = parseDecision(r.body);
    if (!d) return fail(requestId, ep.evaluation, { code: "pdp_invalid_response", detail: "the PDP response is not an AuthZEN Decision" });
    return { ...d, requestId };
  }

  /** An item with the request's defaults applied, as the spec defines (an item's key replaces the default whole). */
  function withDefaults(req: EvaluationsRequest, item: Partial<EvaluationRequest>): EvaluationRequest | null {
    const subject = item.subject ?? req.subject;
    const action = item.action ?? req.action;
    const resource = item.resource ?? req.resource;
    const context = item.context ?? req.context;
    if (!subject || !action || !resource) return null;
    return context === undefined ? { subject, action, resource } : { subject, action, resource, context };
  }

  async function evaluations(request: EvaluationsRequest, call: CallOptions = {}): Promise<PepBatchDecision> {
    const requestId = call.requestId ?? randomUUID();
    const n = request.evaluations.length;
    const all = (f: Failure): PepBatchDecision => ({ requestId, local: f, evaluations: request.evaluations.map(() => localDeny(requestId, f)) });
    if (n === 0) return { requestId, evaluations: [] };
    const items = request.evaluations.map((item) => withDefaults(request, item));
    if (items.some((i) => i === null)) {
      return all({ code: "pep_invalid_request", detail: "an evaluation lacks subject, action or resource and the request gives no default" });
    }
    const ep = await endpoints();
    if ("failed" in ep) {
      options.onFailure?.({ requestId, code: ep.failed, detail: ep.detail, url: metadataUrl(options.pdpUrl) });
      return all({ code: ep.failed, detail: ep.detail });
    }
    if (ep.evaluations === null) return evaluateOneByOne(items as EvaluationRequest[], request.options?.evaluations_semantic, requestId, call.signal);
    const r = await post(ep.evaluations, request, requestId, call.signal);
    if (!r.ok) {
      options.onFailure?.({ requestId, code: r.code, detail: r.detail, url: ep.evaluations });
      return all(r);
    }
    const list = isObject(r.body) ? r.body.evaluations : undefined;
    const semantic = request.options?.evaluations_semantic ?? "execute_all";
    // execute_all answers every item; the short-circuit semantics may stop early (missing items were not evaluated).
    if (!Array.isArray(list) || list.length > n || (semantic === "execute_all" && list.length !== n)) {
      const f: Failure = { code: "pdp_invalid_response", detail: "the PDP's evaluations do not match the items sent" };
      options.onFailure?.({ requestId, ...f, url: ep.evaluations });
      return all(f);
    }
    const out: PepDecision[] = request.evaluations.map((_, i) => {
      if (i >= list.length) return localDeny(requestId, { code: "pdp_not_evaluated", detail: `item ${i} was not evaluated (${semantic})` });
      const d = parseDecision(list[i]);
      if (d) return { ...d, requestId };
      const f: Failure = { code: "pdp_invalid_response", detail: `item ${i} is not an AuthZEN Decision` };
      options.onFailure?.({ requestId, ...f, url: ep.evaluations! });
      return localDeny(requestId, f);
    });
    return { requestId, evaluations: out };
  }

  /** A PDP without the batch endpoint: the same semantics, one Access Evaluation per item (each its own request id). */
  async function evaluateOneByOne(
    items: EvaluationRequest[],
    semantic: EvaluationsSemantic | undefined,
    requestId: string,
    signal?: AbortSignal,
  ): Promise<PepBatchDecision> {
    const out: PepDecision[] = new Array<PepDecision>(items.length);
    if (semantic === "deny_on_first_deny" || semantic === "permit_on_first_permit") {
      let stopped = false;
      for (let i = 0; i < items.length; i++) {
        if (stopped) {
          out[i] = localDeny(requestId, { code: "pdp_not_evaluated", detail: `item ${i} was not evaluated (${semantic})` });
          continue;
        }
        out[i] = await evaluate(items[i]!, { requestId: `${requestId}.${i}`, signal });
        stopped = semantic === "deny_on_first_deny" ? !out[i]!.decision : out[i]!.decision;
      }
      return { requestId, evaluations: out };
    }
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await evaluate(items[i]!, { requestId: `${requestId}.${i}`, signal });
      }
    };
    await Promise.all(Array.from({ length: Math.min(FALLBACK_CONCURRENCY, items.length) }, worker));
    return { requestId, evaluations: out };
  }

  return { origin: base.origin, evaluate, evaluations, endpoints };
}
