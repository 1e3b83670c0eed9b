import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { edges, nodes } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { readToolCallSpans, type SpanToolCall } from "./otlp-spans";
import { upsertToolUsage, type ToolUse } from "./tool-usage";

/** The OTLP answer: `{}` when every span was usable, else partial success (proto3 JSON: int64 as a string). */
export interface ExportTraceServiceResponse {
  partialSuccess?: { rejectedSpans: string; errorMessage: string };
}

export interface IngestResult {
  response: ExportTraceServiceResponse;
  spans: number;
  toolCalls: number;
  recorded: number;
  rejected: number;
}

/** A span this far ahead of the server's clock is refused (clock skew allowed for). */
const FUTURE_SLACK_MS = 5 * 60_000;

const REASONS = {
  malformed: "malformed span",
  no_agent: "no gen_ai.agent.id",
  no_tool: "no gen_ai.tool.name",
  no_time: "no start or end time",
  future: "end time in the future",
  unknown_agent: "agent not known to Attest",
  ambiguous_agent: "agent id matches more than one identity",
  unknown_tool: "tool not known to Attest",
  ambiguous_tool: "tool name matches tools on more than one server (send server.address)",
} as const;
type Reason = keyof typeof REASONS;

/**
 * gen_ai.agent.id → a principal: a node id of an agent, service account or person; else the external id of a
 * current agent or service account (in any source) when exactly one has it.
 */
async function resolveAgents(db: Db, ids: string[]): Promise<Map<string, string | "ambiguous">> {
  const out = new Map<string, string | "ambiguous">();
  if (!ids.length) return out;
  const principal = inArray(nodes.kind, ["agent", "service_account", "human"]);
  const byId = await db
    .select({ id: nodes.id })
    .from(nodes)
    .where(and(inArray(nodes.id, ids), principal, isNull(nodes.validTo)));
  for (const n of byId) out.set(n.id, n.id);
  const rest = ids.filter((i) => !out.has(i));
  if (!rest.length) return out;
  const byExternal = await db
    .select({ id: nodes.id, externalId: nodes.externalId })
    .from(nodes)
    .where(and(inArray(nodes.externalId, rest), inArray(nodes.kind, ["agent", "service_account"]), isNull(nodes.validTo)));
  for (const n of byExternal) out.set(n.externalId, out.has(n.externalId) ? "ambiguous" : n.id);
  return out;
}

interface ToolCandidate {
  id: string;
  externalId: string;
  servers: { name: string; externalId: string; url: string | null }[];
}

/** Current tools named as the spans name them, with the MCP servers exposing them. */
async function toolCandidates(db: Db, names: string[]): Promise<Map<string, ToolCandidate[]>> {
  const out = new Map<string, ToolCandidate[]>();
  if (!names.length) return out;
  const tools = await db
    .select({ id: nodes.id, name: nodes.name, externalId: nodes.externalId })
    .from(nodes)
    .where(and(eq(nodes.kind, "tool"), inArray(nodes.name, names), isNull(nodes.validTo)));
  const ids = tools.map((t) => t.id);
  const servers = ids.length
    ? await db
        .select({ toolId: edges.toId, name: nodes.name, externalId: nodes.externalId, attributes: nodes.attributes })
        .from(edges)
        .innerJoin(nodes, eq(nodes.id, edges.fromId))
        .where(and(eq(edges.kind, "exposes"), inArray(edges.toId, ids), isNull(edges.validTo)))
    : [];
  for (const t of tools) {
    const list = out.get(t.name) ?? [];
    list.push({
      id: t.id,
      externalId: t.externalId,
      servers: servers
        .filter((s) => s.toolId === t.id)
        .map((s) => ({ name: s.name, externalId: s.externalId, url: typeof s.attributes?.url === "string" ? s.attributes.url : null })),
    });
    out.set(t.name, list);
  }
  return out;
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** The tool a call names: the only candidate, else the one whose server matches the span's server identity. */
function pickTool(candidates: ToolCandidate[] | undefined, server: string | null): { id: string } | { reason: Reason } {
  if (!candidates?.length) return { reason: "unknown_tool" };
  if (candidates.length === 1) return { id: candidates[0]!.id };
  if (!server) return { reason: "ambiguous_tool" };
  const s = server.toLowerCase();
  const matching = candidates.filter(
    (c) =>
      c.externalId.toLowerCase().startsWith(`${s}/`) ||
      c.servers.some((x) => x.externalId.toLowerCase() === s || x.name.toLowerCase() === s || hostOf(x.url) === s),
  );
  if (matching.length === 1) return { id: matching[0]!.id };
  return { reason: matching.length ? "ambiguous_tool" : "unknown_tool" };
}

/**
 * POST /api/v1/usage/otlp/v1/traces: folds the MCP tool calls in an OTLP/HTTP JSON trace export into tool_usage
 * (last_seen_via 'otlp', last_used_at = the span's end time). Spans that are not tool calls are accepted and ignored;
 * tool-call spans that cannot be used (no agent id, unknown agent or tool, no time) are rejected and counted in the
 * partial success, with the reasons. Names are resolved per request (two or three queries), never per span. Needs
 * usage.ingest. Not audited: usage is telemetry, not a governance change.
 */
export async function ingestOtlpTraces(db: Db, actor: Actor, body: unknown, now: Date = new Date()): Promise<IngestResult> {
  requirePermission(actor, "usage.ingest");
  const read = readToolCallSpans(body);
  // The client span and the server span of one request are one call: merged, each filling what the other lacks (the
  // client knows the agent, the server span's resource names the server), ending at the later end time.
  const byKey = new Map<string, SpanToolCall>();
  for (const c of read.calls) {
    const m = byKey.get(c.dedupeKey);
    if (!m) byKey.set(c.dedupeKey, { ...c });
    else {
      m.agentId ??= c.agentId;
      m.toolName ??= c.toolName;
      m.server ??= c.server;
      m.sessionId ??= c.sessionId;
      if (c.at && (!m.at || c.at > m.at)) m.at = c.at;
    }
  }
  const calls = [...byKey.values()];
  const rejected = new Map<Reason, number>();
  const reject = (r: Reason, n = 1) => rejected.set(r, (rejected.get(r) ?? 0) + n);
  if (read.malformed) reject("malformed", read.malformed);
  const agents = await resolveAgents(db, [...new Set(calls.map((c) => c.agentId).filter((x): x is string => !!x))]);
  const tools = await toolCandidates(db, [...new Set(calls.map((c) => c.toolName).filter((x): x is string => !!x))]);
  const uses: ToolUse[] = [];
  for (const c of calls) {
    if (!c.agentId) reject("no_agent");
    else if (!c.toolName) reject("no_tool");
    else if (!c.at) reject("no_time");
    else if (c.at.getTime() > now.getTime() + FUTURE_SLACK_MS) reject("future");
    else {
      const subject = agents.get(c.agentId);
      const tool = pickTool(tools.get(c.toolName), c.server);
      if (!subject) reject("unknown_agent");
      else if (subject === "ambiguous") reject("ambiguous_agent");
      else if ("reason" in tool) reject(tool.reason);
      else uses.push({ subjectId: subject, toolId: tool.id, at: c.at, calls: 1, via: "otlp" });
    }
  }
  if (uses.length) await db.transaction((tx) => upsertToolUsage(tx, uses));
  const total = [...rejected.values()].reduce((a, b) => a + b, 0);
  const response: ExportTraceServiceResponse = total
    ? {
        partialSuccess: {
          rejectedSpans: String(total),
          errorMessage: [...rejected.entries()].map(([r, n]) => `${n} ${REASONS[r]}`).join("; "),
        },
      }
    : {};
  return { response, spans: read.spans, toolCalls: calls.length, recorded: uses.length, rejected: total };
}

/** Used by tests and the docs: the reasons a tool-call span is rejected, in words. */
export const OTLP_REJECTION_REASONS = REASONS;
