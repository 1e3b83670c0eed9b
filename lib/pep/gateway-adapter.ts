import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthzenClient } from "./authzen-client";
import { COAZ_SUBJECT_TYPE, coazContext, type CallerIdentity } from "./coaz-mcp";
import { denyText, readDeny } from "./deny-result";
import type { EvaluationRequest } from "./types";

/**
 * An HTTP authorization service for gateways whose external-authorization call is "2xx = allow, anything else =
 * deny" (Envoy ext_authz `http_service`, agentgateway `protocol.http`, a Kong plugin, nginx `auth_request`): it reads
 * the MCP request the gateway forwards (the JSON-RPC body; the verified token claims from a header the gateway's JWT
 * filter sets), asks the AuthZEN PDP with the COAZ-MCP default mapping, and answers 200 or 403. The AuthZEN deny is a
 * 200 with `decision: false`, which those gateways would let through: this adapter is the translation.
 *
 * - `tools/call` → `tools/call` on `{type:"tool", id:<name>, properties:{server}}`; `resources/read` → on
 *   `{type:"resource", id:<uri>}`; `prompts/get` → on `{type:"prompt", id:<name>}` (COAZ-MCP defaults).
 * - Pass-through without a PDP call (COAZ-MCP: `ping`, notifications), and the session's discovery methods
 *   (`initialize`, `tools/list` and the other list methods: listing is filtered, if at all, by an MCP-aware proxy, not here), and bodiless
 *   requests (the GET event stream, the DELETE that ends a session).
 * - Any other method, a JSON-RPC batch, a body that is not JSON, no identity, or a PDP failure → refused (fail
 *   closed). A deny answers 403 with a JSON-RPC error (-32001, COAZ-MCP) whose message is the PDP's words for users;
 *   a PDP failure answers 503 with -32603 "Authorization service unavailable".
 */
export interface GatewayAdapterOptions {
  authzen: AuthzenClient;
  /** The MCP server behind this route, as the PDP knows it (resource.properties.server). */
  serverName: string;
  /**
   * The header carrying the verified token's claims, as the gateway's JWT filter forwards them (Envoy jwt_authn
   * `forward_payload_header`: base64url JSON). Default `x-jwt-payload`. Only sound when only the gateway can reach
   * this adapter: set `gatewayKey` too.
   */
  claimsHeader?: string;
  /** A secret the gateway adds to every check (header `x-attest-gateway-key`); checks without it are refused. */
  gatewayKey?: string;
  /** The claim naming the subject (COAZ-MCP's subject-identity claim). Default `sub`. */
  subjectClaim?: string;
  /** Largest body read. Default 1 MiB (tool arguments can be large; they are read, never sent to the PDP). */
  maxBodyBytes?: number;
}

const PASS_THROUGH = new Set(["ping", "initialize", "tools/list", "resources/list", "resources/templates/list", "prompts/list"]);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

type Verdict = { status: 200 } | { status: 403 | 503 | 400; code: number; message: string; id: unknown; data?: Record<string, unknown> };

async function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of req) {
    total += (c as Buffer).length;
    if (total > max) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function claimsFrom(header: string | string[] | undefined): Record<string, unknown> | null {
  if (typeof header !== "string" || header.length > 16_384) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createGatewayAdapter(options: GatewayAdapterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const claimsHeader = (options.claimsHeader ?? "x-jwt-payload").toLowerCase();
  const subjectClaim = options.subjectClaim ?? "sub";
  const max = options.maxBodyBytes ?? 1 << 20;
  const trusted = [options.authzen.origin];

  async function decide(req: IncomingMessage): Promise<Verdict> {
    if (options.gatewayKey !== undefined && !sameSecret(req.headers["x-attest-gateway-key"], options.gatewayKey)) {
      return { status: 403, code: -32001, message: "Access denied: the check did not come from the gateway", id: null };
    }
    const text = await readBody(req, max);
    if (text === null) return { status: 403, code: -32001, message: "Access denied: request body too large to authorize", id: null };
    if (text.trim() === "") return { status: 200 }; // GET event stream, DELETE session: no message to authorize
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return { status: 400, code: -32700, message: "Parse error", id: null };
    }
    if (!isObject(msg) || typeof msg.method !== "string") {
      // A JSON-RPC response from the client (to a server request) carries no method and needs no decision; a batch
      // (removed from MCP) is refused.
      if (isObject(msg) && msg.method === undefined && ("result" in msg || "error" in msg)) return { status: 200 };
      return { status: 403, code: -32001, message: "Access denied: unsupported JSON-RPC message", id: null };
    }
    const id = msg.id ?? null;
    const method = msg.method;
    if (method.startsWith("notifications/") || PASS_THROUGH.has(method)) return { status: 200 };
    const params = isObject(msg.params) ? msg.params : {};
    let resource: EvaluationRequest["resource"];
    if (method === "tools/call" && typeof params.name === "string") {
      resource = { type: "tool", id: params.name, properties: { server: options.serverName, name: params.name } };
    } else if (method === "resources/read" && typeof params.uri === "string") {
      resource = { type: "resource", id: params.uri, properties: { server: options.serverName } };
    } else if (method === "prompts/get" && typeof params.name === "string") {
      resource = { type: "prompt", id: params.name, properties: { server: options.serverName, name: params.name } };
    } else {
      return { status: 403, code: -32001, message: `Access denied: method ${method.slice(0, 100)} has no authorization mapping`, id };
    }
    const claims = claimsFrom(req.headers[claimsHeader]);
    const sub = claims?.[subjectClaim];
    if (!claims || typeof sub !== "string" || sub === "") return { status: 403, code: -32602, message: "COAZ mapping error: no verified subject", id };
    const caller: CallerIdentity = { subject: { type: COAZ_SUBJECT_TYPE, id: sub } };
    if (typeof claims.client_id === "string") caller.agent = claims.client_id;
    const context = coazContext(caller);
    const evaluation: EvaluationRequest = { subject: caller.subject, action: { name: method }, resource };
    if (context) evaluation.context = context;
    const requestId = typeof req.headers["x-request-id"] === "string" && req.headers["x-request-id"].length <= 200 ? req.headers["x-request-id"] : undefined;
    const d = await options.authzen.evaluate(evaluation, requestId ? { requestId } : {});
    if (d.local) return { status: 503, code: -32603, message: "Authorization service unavailable", id };
    if (d.decision) return { status: 200 };
    const info = readDeny(d, trusted);
    const data: Record<string, unknown> = { reason_code: info.reasonCode, approval_required: info.approvalRequired };
    if (info.approval) data.access_request = info.approval;
    return { status: 403, code: -32001, message: denyText(resource.id, info), id, data };
  }

  return (req, res) => {
    decide(req)
      .catch((): Verdict => ({ status: 503, code: -32603, message: "Authorization service unavailable", id: null }))
      .then((v) => {
        if (v.status === 200) {
          res.writeHead(200, { "content-length": "0" }).end();
          return;
        }
        const body = JSON.stringify({ jsonrpc: "2.0", id: v.id, error: { code: v.code, message: v.message, ...(v.data ? { data: v.data } : {}) } });
        res.writeHead(v.status, { "content-type": "application/json" }).end(body);
      });
  };
}
