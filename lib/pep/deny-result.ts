import type { Decision } from "./types";

/**
 * What an agent is told when a tool call is denied: an MCP tool result with `isError: true` (COAZ-MCP allows a
 * tool-level error in place of JSON-RPC error -32001), its text the PDP's words for users, and — for a step-up — the
 * access request to get approved, so the agent can ask a human.
 *
 * The step-up follows the draft AuthZEN access-request profile: a requestable denial carries `context.reason`
 * (Attest: `reason_code`) `approval_required` and `context.access_request` (`expires_at`, optional `endpoint`,
 * `form_url`, `display`) plus `context.evaluation_id`. Attest's PDP opens the request itself, so its id (and a page
 * for it) may come as `access_request.id` / `access_request.url`. The denial stays a denial: nothing here allows.
 * URLs from the denial are shown only when trusted (https on the PDP's host or an allowed origin), per the profile's
 * "Trusting URLs from the Requestable Denial".
 */

export const META_KEY = "attest/authorization";
const MAX_TEXT = 500;

export interface ApprovalInfo {
  id?: string;
  url?: string;
  expiresAt?: string;
  evaluationId?: string;
  title?: string;
  description?: string;
}

export interface DenyInfo {
  reasonCode: string | null;
  userText: string | null;
  approvalRequired: boolean;
  approval?: ApprovalInfo;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Printable, one paragraph, bounded: the PDP's words go to a model, so no control characters and no essays. */
function clean(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  const s = v.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").trim();
  if (!s) return undefined;
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

/** `reason_user` as a string, or the spec's example form `{ "403": "…" }` (string values joined). */
function userText(v: unknown): string | undefined {
  if (typeof v === "string") return clean(v);
  if (isObject(v))
    return clean(
      Object.values(v)
        .filter((x): x is string => typeof x === "string")
        .join(" "),
    );
  return undefined;
}

export function isTrustedUrl(v: unknown, trustedOrigins: readonly string[]): v is string {
  if (typeof v !== "string") return false;
  try {
    const u = new URL(v);
    return trustedOrigins.includes(u.origin) && (u.protocol === "https:" || u.hostname === "localhost" || u.hostname === "127.0.0.1" || u.hostname === "[::1]");
  } catch {
    return false;
  }
}

/** Read the PDP's deny context (tolerant of what it leaves out). */
export function readDeny(decision: Decision, trustedOrigins: readonly string[]): DenyInfo {
  const c = decision.context ?? {};
  const reasonCode = clean(c.reason_code) ?? clean(c.reason) ?? null;
  const ar = isObject(c.access_request) ? c.access_request : undefined;
  const approvalRequired = reasonCode === "approval_required" || c.reason === "approval_required" || ar !== undefined;
  const info: DenyInfo = { reasonCode, userText: userText(c.reason_user) ?? null, approvalRequired };
  if (approvalRequired) {
    const a: ApprovalInfo = {};
    const id = clean(ar?.id) ?? clean(ar?.request_id) ?? clean(c.access_request_id);
    if (id) a.id = id;
    const links = isObject(ar?.links) ? ar.links : undefined;
    const url = [ar?.url, links?.ticket, ar?.form_url].find((u) => isTrustedUrl(u, trustedOrigins));
    if (url) a.url = url;
    const expires = clean(ar?.expires_at);
    if (expires) a.expiresAt = expires;
    const evaluationId = clean(c.evaluation_id);
    if (evaluationId) a.evaluationId = evaluationId;
    const display = isObject(ar?.display) ? ar.display : undefined;
    const title = clean(display?.title);
    if (title) a.title = title;
    const description = clean(display?.description);
    if (description) a.description = description;
    info.approval = a;
  }
  return info;
}

/** The words the agent reads. */
export function denyText(toolName: string, info: DenyInfo): string {
  const tool = clean(toolName) ?? "this tool";
  if (!info.approvalRequired) {
    return `Access denied: calling "${tool}" is not allowed by policy.${info.userText ? ` ${info.userText}` : ""}${info.reasonCode ? ` (reason: ${info.reasonCode})` : ""}`;
  }
  const a = info.approval ?? {};
  const parts = [`Approval required: calling "${tool}" needs a human approver's consent first.`];
  if (info.userText) parts.push(info.userText);
  if (a.description) parts.push(a.description);
  if (a.id) parts.push(`Access request: ${a.id}.`);
  if (a.url) parts.push(`Ask the approver to review it at ${a.url}.`);
  else parts.push("Ask a human approver to approve the pending access request.");
  if (a.expiresAt) parts.push(`The request can be acted on until ${a.expiresAt}.`);
  parts.push("Once approved, retry the call.");
  return parts.join(" ");
}

/** The MCP tool result for a denied call (never reaches the upstream server). */
export function denyResult(toolName: string, decision: Decision & { requestId?: string }, trustedOrigins: readonly string[]) {
  const info = readDeny(decision, trustedOrigins);
  const meta: Record<string, unknown> = { decision: false, reason_code: info.reasonCode, approval_required: info.approvalRequired };
  if (decision.requestId) meta.request_id = decision.requestId;
  if (info.approval) meta.access_request = info.approval;
  return {
    isError: true as const,
    content: [{ type: "text" as const, text: denyText(toolName, info) }],
    _meta: { [META_KEY]: meta },
  };
}
