import { AppError } from "@/lib/errors";

/**
 * Why an outbound request failed, and nothing more: the remote's body, headers
 * and reason phrase never reach an error, a log line or an answer, because the
 * target may be an internal service that answers with its secrets.
 */
export const OUTBOUND_FAILURES = {
  not_allowed: "the host is not on the outbound allow-list (an admin can add it on the Admin page)",
  blocked_address:
    "the host is or resolves to a loopback, private, link-local, metadata or other non-public address (an admin must open that range explicitly)",
  dns_failure: "the host name could not be resolved",
  refused: "the connection was refused or reset",
  timeout: "no answer within the time limit",
  tls: "the TLS handshake or certificate check failed",
  redirect: "the server answered with a redirect, which is not followed",
  too_large: "the answer is larger than the limit",
  http_status: "the server answered with an HTTP error status",
  bad_response: "the answer is not valid HTTP",
  not_mcp: "the endpoint did not answer as a streamable HTTP MCP server",
  mcp_error: "the MCP server answered with an error",
} as const;
export type OutboundFailure = keyof typeof OUTBOUND_FAILURES;

export class OutboundError extends AppError {
  readonly failure: OutboundFailure;
  /** The remote's HTTP status, for http_status. */
  readonly httpStatus?: number;

  /**
   * @param context what was being done ("could not list the server's tools"); never input values.
   * @param path where in the caller's input the URL was ("url").
   */
  constructor(failure: OutboundFailure, opts: { httpStatus?: number; context?: string; path?: string } = {}) {
    const what = failure === "http_status" && opts.httpStatus ? `the server answered HTTP ${opts.httpStatus}` : OUTBOUND_FAILURES[failure];
    const text = `${failure}: ${what}`;
    super("bad_request", opts.context ? `${opts.context}: ${text}` : text, [{ path: opts.path ?? "url", message: text }]);
    this.name = "OutboundError";
    this.failure = failure;
    this.httpStatus = opts.httpStatus;
  }

  /** The same failure told from another caller's point of view. */
  withContext(context: string, path = "url"): OutboundError {
    return new OutboundError(this.failure, { httpStatus: this.httpStatus, context, path });
  }
}

/** A node network error as a failure class (by code only; messages may carry remote text). */
export function classifyNetworkError(e: unknown): OutboundFailure {
  if (e instanceof OutboundError) return e.failure;
  const code = String((e as { code?: unknown } | null)?.code ?? "");
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT") return "timeout";
  if (/^(ENOTFOUND|EAI_|ESERVFAIL|ENODATA)/.test(code)) return "dns_failure";
  if (code === "HPE_HEADER_OVERFLOW") return "too_large";
  if (code.startsWith("HPE_")) return "bad_response";
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|EPROTO|HOSTNAME/.test(code)) return "tls";
  return "refused";
}
