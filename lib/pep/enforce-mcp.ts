import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type Implementation,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { AuthzenClient } from "./authzen-client";
import { declaresMapping, toolCallEvaluation, toolListEvaluations, toolResource, type CallerIdentity } from "./coaz-mcp";
import { denyResult, readDeny } from "./deny-result";
import type { SubjectResolver } from "./subject";
import type { PepDecision } from "./types";

/**
 * The reference enforcement point for MCP (issue #20): an MCP server facing the agent that forwards to an upstream
 * MCP client, asking an AuthZEN PDP first.
 *
 * - `tools/list`: the upstream's tools, filtered by one Access Evaluations call (`tools/call` on each tool,
 *   `execute_all`). Denied tools are hidden. A tool whose denial is requestable (approval_required) stays listed by
 *   default: calling it is how the agent learns which access request to get approved; `listApprovalRequired: false`
 *   hides those too. (COAZ-MCP's own default for `tools/list` is one evaluation of `tools/list` on the server; it
 *   says nothing about filtering — this per-tool batch is our addition, made so an agent never sees a tool it cannot
 *   call.)
 * - `tools/call`: one Access Evaluation (COAZ-MCP default mapping); on deny the agent gets a tool result with
 *   `isError: true` carrying the PDP's `reason_user` (and the access request for a step-up) and the upstream is not
 *   called; on allow the call is forwarded unchanged (progress relayed). Nothing is cached: every call is asked, so a
 *   revoke in Attest takes effect on the next call.
 * - Fails closed: no identity or a tool that declares its own `x-authzen-mapping` (this PEP has no CEL evaluator) →
 *   JSON-RPC -32602 (COAZ-MCP mapping error); the PDP unreachable or answering nonsense → JSON-RPC -32603
 *   "Authorization service unavailable" (COAZ-MCP "PDP Communication Errors"), for lists and calls alike.
 * - Only tools are exposed: resources, prompts and other methods are not advertised and answer "method not found"
 *   (COAZ-MCP: a method without a mapping is denied). `ping` passes through.
 */
export interface EnforceMcpOptions {
  /** A connected MCP client to the upstream server (stdio, in-memory, HTTP). */
  upstream: Client;
  authzen: AuthzenClient;
  /** The upstream server's name as the PDP knows it (Attest: the MCP server node's name), sent as resource.properties.server. */
  serverName: string;
  subject: SubjectResolver;
  /** What the agent sees as the server. Default: the upstream's own name and version. */
  serverInfo?: Implementation;
  /** Keep tools whose denial is requestable (approval_required) in `tools/list`. Default true. */
  listApprovalRequired?: boolean;
  /**
   * Extra `context` members for every evaluation (COAZ-MCP's default context is only `agent`). Given the MCP session id
   * (HTTP transports) and, for calls, the names of the arguments — never their values.
   */
  context?: (info: { sessionId?: string; toolName?: string; argumentNames?: string[] }) => Record<string, unknown> | undefined;
  /** Origins whose URLs in a requestable denial may be shown to the agent. Default: the PDP's origin. */
  trustedOrigins?: string[];
  /** Told of every decision (for logs): method, tool(s), allowed or not, reason, request id. */
  onDecision?: (event: DecisionEvent) => void;
}

export interface DecisionEvent {
  method: "tools/list" | "tools/call";
  tool?: string;
  allowed: boolean;
  reasonCode: string | null;
  requestId: string;
  local: boolean;
  /** For tools/list: how many tools the upstream offered and how many were shown. */
  offered?: number;
  shown?: number;
}

const UNAVAILABLE = "Authorization service unavailable";
/** Pages of the upstream's tools/list read when a called tool is not in the cache. */
const MAX_REFRESH_PAGES = 20;

function mappingError(message: string): McpError {
  return new McpError(ErrorCode.InvalidParams, `COAZ mapping error: ${message}`);
}

export function enforceMcp(options: EnforceMcpOptions): Server {
  const { upstream, authzen, serverName } = options;
  const listApproval = options.listApprovalRequired ?? true;
  const trusted = options.trustedOrigins ?? [authzen.origin];
  const upstreamInfo = upstream.getServerVersion();
  const server = new Server(options.serverInfo ?? { name: upstreamInfo?.name ?? serverName, version: upstreamInfo?.version ?? "0.0.0" }, {
    capabilities: { tools: { listChanged: true } },
    instructions: upstream.getInstructions(),
  });
  /** The upstream's definitions by name, from the latest tools/list: what a call's resource is described with. */
  const known = new Map<string, Tool>();

  upstream.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    known.clear();
    // Only to an agent that has initialized (a server may announce changes while starting up).
    if (server.getClientCapabilities()) await server.sendToolListChanged().catch(() => undefined);
  });

  async function caller(extra: { authInfo?: Parameters<SubjectResolver>[0]["authInfo"]; sessionId?: string }): Promise<CallerIdentity> {
    const identity = await options.subject({ authInfo: extra.authInfo, sessionId: extra.sessionId });
    if (!identity || !identity.subject.id || !identity.subject.type) throw mappingError("no subject identity for this request");
    return identity;
  }

  server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
    const identity = await caller(extra);
    const page = await upstream.listTools(request.params?.cursor ? { cursor: request.params.cursor } : undefined, { signal: extra.signal });
    for (const t of page.tools) known.set(t.name, t);
    // A tool that declares its own mapping cannot be evaluated here (no CEL): never listed.
    const candidates = page.tools.filter((t) => !declaresMapping(t));
    let shown: Tool[] = [];
    let requestId = "";
    if (candidates.length > 0) {
      const ctx = options.context?.({ sessionId: extra.sessionId });
      const batch = await authzen.evaluations(
        toolListEvaluations(
          identity,
          candidates.map((t) => toolResource(serverName, t.name, t)),
          ctx,
        ),
        { signal: extra.signal },
      );
      requestId = batch.requestId;
      if (batch.local) {
        options.onDecision?.({
          method: "tools/list",
          allowed: false,
          reasonCode: batch.local.code,
          requestId,
          local: true,
          offered: page.tools.length,
          shown: 0,
        });
        throw new McpError(ErrorCode.InternalError, UNAVAILABLE);
      }
      shown = candidates.filter((_, i) => {
        const d = batch.evaluations[i]!;
        return d.decision || (listApproval && !d.local && readDeny(d, trusted).approvalRequired);
      });
    }
    options.onDecision?.({ method: "tools/list", allowed: true, reasonCode: null, requestId, local: false, offered: page.tools.length, shown: shown.length });
    return page.nextCursor ? { tools: shown, nextCursor: page.nextCursor } : { tools: shown };
  });

  async function definitionOf(name: string, signal: AbortSignal): Promise<Tool | undefined> {
    if (known.has(name)) return known.get(name);
    let cursor: string | undefined;
    for (let i = 0; i < MAX_REFRESH_PAGES; i++) {
      const page = await upstream.listTools(cursor ? { cursor } : undefined, { signal });
      for (const t of page.tools) known.set(t.name, t);
      if (known.has(name) || !page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return known.get(name);
  }

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const identity = await caller(extra);
    const name = request.params.name;
    const tool = await definitionOf(name, extra.signal);
    if (declaresMapping(tool)) throw mappingError(`tool "${name}" declares x-authzen-mapping, which this enforcement point does not evaluate`);
    const argumentNames = request.params.arguments ? Object.keys(request.params.arguments) : [];
    const ctx = options.context?.({ sessionId: extra.sessionId, toolName: name, argumentNames });
    const decision: PepDecision = await authzen.evaluate(toolCallEvaluation(identity, toolResource(serverName, name, tool), ctx), { signal: extra.signal });
    if (decision.local) {
      options.onDecision?.({ method: "tools/call", tool: name, allowed: false, reasonCode: decision.local.code, requestId: decision.requestId, local: true });
      throw new McpError(ErrorCode.InternalError, UNAVAILABLE);
    }
    if (!decision.decision) {
      const reasonCode = readDeny(decision, trusted).reasonCode;
      options.onDecision?.({ method: "tools/call", tool: name, allowed: false, reasonCode, requestId: decision.requestId, local: false });
      return denyResult(name, decision, trusted);
    }
    options.onDecision?.({ method: "tools/call", tool: name, allowed: true, reasonCode: null, requestId: decision.requestId, local: false });
    // Progress the upstream reports is relayed under the agent's own token (the SDK gives the upstream leg its own),
    // and all of it is sent before the result: an agent drops progress that arrives after its request completed.
    const progressToken = request.params._meta?.progressToken;
    const relayed: Promise<void>[] = [];
    const relay =
      progressToken === undefined
        ? {}
        : {
            resetTimeoutOnProgress: true,
            onprogress: (p: { progress: number; total?: number; message?: string }) => {
              relayed.push(extra.sendNotification({ method: "notifications/progress", params: { ...p, progressToken } }).catch(() => undefined));
            },
          };
    const result = (await upstream.callTool(request.params, undefined, { signal: extra.signal, ...relay })) as CallToolResult;
    if (relayed.length > 0) {
      await Promise.all(relayed);
      // The SDK dispatches a notification a microtask later but settles a response at once: if both reach the agent
      // in one read, the progress would find its request gone. A turn of the event loop keeps them apart.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return result;
  });

  return server;
}
