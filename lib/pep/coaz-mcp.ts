import { createHash } from "node:crypto";
import type { AuthzenResource, AuthzenSubject, EvaluationRequest, EvaluationsRequest } from "./types";

/**
 * The COAZ-MCP binding (openid/authzen profiles/authzen-coaz-mcp-binding-1_0.md, Draft 1): how an MCP message becomes
 * an AuthZEN request. Its default mapping for `tools/call`:
 *
 *   subject  { type: "identity", id: $token.sub }        (the subject-identity claim)
 *   context  { agent: $token.?client_id }                (omitted when there is no client id)
 *   action   { name: "tools/call" }
 *   resource { type: "tool", id: $params.name }
 *
 * This enforcement point adds, as AuthZEN allows, resource `properties` the PDP may use: the server the tool comes
 * from (so a PDP that knows tools by server + name can find it), the tool's declared annotations, and the hash of the
 * definition the server presented (so a PDP can see a definition that changed since it was certified). Argument
 * values are never sent: the default mapping does not use them and they may be secret.
 */

export const COAZ_SUBJECT_TYPE = "identity";

/** Who is calling, as the enforcement point established it (never taken from the tool call's arguments). */
export interface CallerIdentity {
  subject: AuthzenSubject;
  /** The agent (OAuth client) acting, for `context.agent`. */
  agent?: string;
}

/** The parts of an MCP tool definition used here (`tools/list` item). */
export interface McpToolLike {
  name: string;
  title?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

/**
 * The fingerprint of a tool definition: sha256 over canonical JSON (keys sorted, no whitespace, undefined dropped)
 * of name, title, description, inputSchema, outputSchema, annotations (absent = null). Attest computes the same value
 * for the definitions it imports (lib/ingest/tool-attributes.ts `toolDefinitionHash`; a test keeps them equal).
 */
export function toolDefinitionHash(t: McpToolLike): string {
  const body = canonicalJson({
    name: t.name,
    title: t.title ?? null,
    description: t.description ?? null,
    inputSchema: t.inputSchema ?? null,
    outputSchema: t.outputSchema ?? null,
    annotations: t.annotations ?? null,
  });
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value)) ?? "null";
}

function sortDeep(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortDeep(v)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortDeep(v);
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** True when the tool declares its own mapping (`inputSchema["x-authzen-mapping"]`), which needs a CEL evaluator. */
export function declaresMapping(tool: McpToolLike | undefined): boolean {
  return !!tool && isObject(tool.inputSchema) && tool.inputSchema["x-authzen-mapping"] !== undefined;
}

/**
 * The resource for a tool: `{ type: "tool", id: <tool name> }` per COAZ-MCP, with `properties.server`, `.name`, and,
 * when the upstream listed the tool, `.annotations` and `.definition_hash`.
 */
export function toolResource(serverName: string, toolName: string, tool?: McpToolLike): AuthzenResource {
  const properties: Record<string, unknown> = { server: serverName, name: toolName };
  if (tool) {
    if (isObject(tool.annotations)) properties.annotations = tool.annotations;
    properties.definition_hash = toolDefinitionHash(tool);
  }
  return { type: "tool", id: toolName, properties };
}

/** COAZ-MCP's shared context: `{ agent }` when the agent is known, plus what the deployment adds. */
export function coazContext(caller: CallerIdentity, extra?: Record<string, unknown>): Record<string, unknown> | undefined {
  const context: Record<string, unknown> = { ...(extra ?? {}) };
  if (caller.agent) context.agent = caller.agent;
  return Object.keys(context).length > 0 ? context : undefined;
}

/** The Access Evaluation request for one `tools/call` (COAZ-MCP default mapping). */
export function toolCallEvaluation(caller: CallerIdentity, resource: AuthzenResource, extraContext?: Record<string, unknown>): EvaluationRequest {
  const context = coazContext(caller, extraContext);
  const req: EvaluationRequest = { subject: caller.subject, action: { name: "tools/call" }, resource };
  if (context) req.context = context;
  return req;
}

/**
 * The Access Evaluations request that filters a `tools/list` page: would this caller be allowed `tools/call` on each
 * tool? Subject, action and context are defaults; each item names one tool; `execute_all` so every item is answered.
 */
export function toolListEvaluations(caller: CallerIdentity, resources: AuthzenResource[], extraContext?: Record<string, unknown>): EvaluationsRequest {
  const context = coazContext(caller, extraContext);
  const req: EvaluationsRequest = {
    subject: caller.subject,
    action: { name: "tools/call" },
    evaluations: resources.map((resource) => ({ resource })),
    options: { evaluations_semantic: "execute_all" },
  };
  if (context) req.context = context;
  return req;
}
