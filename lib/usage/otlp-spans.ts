import { AppError } from "@/lib/errors";

/**
 * Reading MCP tool calls out of an OTLP/HTTP JSON ExportTraceServiceRequest (opentelemetry-proto:
 * opentelemetry/proto/collector/trace/v1/trace_service.proto; JSON encoding per the OTLP specification: proto3 JSON
 * mapping, lowerCamelCase field names, trace/span ids as hex, 64-bit integers as strings or numbers).
 *
 * A span is an MCP tool call when its attributes say so, per the OpenTelemetry semantic conventions for MCP
 * (open-telemetry/semantic-conventions-genai, docs/gen-ai/mcp.md): `mcp.method.name` = `tools/call` (required on MCP
 * client and server spans), `gen_ai.tool.name` (conditionally required: the tool), `mcp.session.id` (recommended),
 * `jsonrpc.request.id`; `server.address` (recommended on client spans: the MCP server behind any proxy). The calling
 * agent is `gen_ai.agent.id` (the GenAI registry's agent id), read from the span or else from its resource.
 * The conventions define no MCP server name attribute: on a SERVER-kind span (reported by the MCP server itself) the
 * resource's `service.name` names the server.
 */

/** One tool call read from a span. */
export interface SpanToolCall {
  agentId: string | null;
  toolName: string | null;
  /** `server.address`, else (server spans) the resource's `service.name`. */
  server: string | null;
  sessionId: string | null;
  /** When the call ended (span end time; start time when the span has none). */
  at: Date | null;
  /** Same call reported twice (client and server span of one request) shares this key within one export. */
  dedupeKey: string;
}

export interface ReadSpans {
  /** Spans in the request. */
  spans: number;
  /** Spans that are MCP tool calls. */
  calls: SpanToolCall[];
  /** Spans not readable at all (not an object, attributes malformed), counted as rejected. */
  malformed: number;
}

/** Most spans one request may carry (the body limit bounds bytes; this bounds work). */
export const MAX_SPANS = 20_000;
const MAX_VALUE = 300;
const SPAN_KIND_SERVER = 2;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function arrayAt(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new AppError("bad_request", `${path} must be an array`, [{ path, message: "not an array" }]);
  return v;
}

/** An AnyValue as a string, when it is a scalar (stringValue, intValue, boolValue, doubleValue). */
function scalar(v: unknown): string | null {
  if (!isObj(v)) return null;
  for (const k of ["stringValue", "intValue", "doubleValue", "boolValue"]) {
    const x = v[k];
    if (typeof x === "string" || typeof x === "number" || typeof x === "boolean") {
      const s = String(x).trim();
      return s ? s.slice(0, MAX_VALUE) : null;
    }
  }
  return null;
}

/** key → scalar value; throws (the span is malformed) when attributes are not a KeyValue list. */
function attributes(list: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new Error("attributes not a list");
  for (const kv of list) {
    if (!isObj(kv) || typeof kv.key !== "string") throw new Error("attribute without a key");
    const v = scalar(kv.value);
    if (v !== null) out.set(kv.key, v);
  }
  return out;
}

/** A fixed64 nanosecond time (string or number) as a Date; null when absent, zero or not a time. */
function nanos(v: unknown): Date | null {
  if (typeof v !== "string" && typeof v !== "number") return null;
  const s = String(v);
  if (!/^\d{1,20}$/.test(s)) return null;
  const ms = Number(BigInt(s) / 1_000_000n);
  return ms > 0 && Number.isSafeInteger(ms) ? new Date(ms) : null;
}

/**
 * The tool calls in a request body. Throws 400 (naming where) when the body is not an ExportTraceServiceRequest's
 * shape; a span that is itself unreadable is counted as malformed, not fatal (OTLP partial success).
 */
export function readToolCallSpans(body: unknown): ReadSpans {
  if (!isObj(body))
    throw new AppError("bad_request", "the body must be an OTLP ExportTraceServiceRequest object", [{ path: "body", message: "not an object" }]);
  const out: ReadSpans = { spans: 0, calls: [], malformed: 0 };
  const resourceSpans = arrayAt(body.resourceSpans, "resourceSpans");
  resourceSpans.forEach((rs, i) => {
    if (!isObj(rs)) throw new AppError("bad_request", `resourceSpans[${i}] must be an object`, [{ path: `resourceSpans[${i}]`, message: "not an object" }]);
    let resource: Map<string, string>;
    try {
      resource = attributes(isObj(rs.resource) ? rs.resource.attributes : undefined);
    } catch {
      throw new AppError("bad_request", `resourceSpans[${i}].resource.attributes must be a list of key/value pairs`, [
        { path: `resourceSpans[${i}].resource.attributes`, message: "malformed" },
      ]);
    }
    arrayAt(rs.scopeSpans, `resourceSpans[${i}].scopeSpans`).forEach((ss, j) => {
      const where = `resourceSpans[${i}].scopeSpans[${j}]`;
      if (!isObj(ss)) throw new AppError("bad_request", `${where} must be an object`, [{ path: where, message: "not an object" }]);
      for (const span of arrayAt(ss.spans, `${where}.spans`)) {
        if (++out.spans > MAX_SPANS)
          throw new AppError("payload_too_large", `send at most ${MAX_SPANS} spans per request`, [{ path: "resourceSpans", message: "too many spans" }]);
        if (!isObj(span)) {
          out.malformed++;
          continue;
        }
        let attrs: Map<string, string>;
        try {
          attrs = attributes(span.attributes);
        } catch {
          out.malformed++;
          continue;
        }
        if (attrs.get("mcp.method.name") !== "tools/call") continue;
        const toolName = attrs.get("gen_ai.tool.name") ?? null;
        const server = attrs.get("server.address") ?? (span.kind === SPAN_KIND_SERVER ? (resource.get("service.name") ?? null) : null);
        const traceId = typeof span.traceId === "string" ? span.traceId.toLowerCase() : "";
        const requestId = attrs.get("jsonrpc.request.id") ?? attrs.get("mcp.request.id");
        const spanId = typeof span.spanId === "string" ? span.spanId : String(out.spans);
        out.calls.push({
          agentId: attrs.get("gen_ai.agent.id") ?? resource.get("gen_ai.agent.id") ?? null,
          toolName,
          server,
          sessionId: attrs.get("mcp.session.id") ?? null,
          at: nanos(span.endTimeUnixNano) ?? nanos(span.startTimeUnixNano),
          // A client span and the server span of the same request share the trace and the JSON-RPC request id.
          dedupeKey: traceId && requestId ? `${traceId}|${requestId}|${toolName ?? ""}` : `span|${traceId}|${spanId}`,
        });
      }
    });
  });
  return out;
}
