/**
 * Why a connector run failed, in words that quote nothing the remote said or
 * the admin typed: a vendor's error body can carry tenant names, tokens or
 * internal hosts, so only the class, the HTTP status and the call's shape
 * (`GET users`) are ever told.
 */
export const CONNECTOR_FAILURES = {
  auth_failed: "the credential was refused (wrong, expired or revoked): enter a new one",
  forbidden: "the credential lacks a permission this connector needs (see the permissions to grant)",
  throttled: "the system kept answering 'too many requests' beyond the retries allowed",
  malformed: "an answer did not have the documented shape",
  unreachable: "the system could not be reached",
  http_status: "the system answered with an HTTP error status",
  no_credential: "no credential is set for this connector",
  secret_key: "the credential cannot be opened with this server's ATTEST_SECRET_KEY",
  import_rejected: "the import engine refused what was read; nothing was written",
  interrupted: "the run was interrupted (the server stopped) before it finished; nothing was written",
  internal: "the run failed on our side; nothing was written",
} as const;
export type ConnectorFailure = keyof typeof CONNECTOR_FAILURES;

export class ConnectorError extends Error {
  readonly failure: ConnectorFailure;
  readonly httpStatus?: number;
  /** The call that failed, as `METHOD path-template` with no ids or query values (`GET groups/{id}/members`). */
  readonly call?: string;
  constructor(failure: ConnectorFailure, opts: { httpStatus?: number; call?: string; detail?: string } = {}) {
    const parts: string[] = [CONNECTOR_FAILURES[failure]];
    if (opts.httpStatus) parts.push(`HTTP ${opts.httpStatus}`);
    if (opts.call) parts.push(`at ${opts.call}`);
    // detail is ours (a path in the answer, a count), never remote text.
    if (opts.detail) parts.push(opts.detail);
    super(`${failure}: ${parts.join("; ")}`);
    this.name = "ConnectorError";
    this.failure = failure;
    this.httpStatus = opts.httpStatus;
    this.call = opts.call;
  }
}

/** The failure class an HTTP status means for a connector. */
export function failureForStatus(status: number): ConnectorFailure {
  if (status === 401) return "auth_failed";
  if (status === 403) return "forbidden";
  if (status === 429) return "throttled";
  return "http_status";
}
