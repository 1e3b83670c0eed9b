import { ToolSchema } from "@modelcontextprotocol/sdk/types.js";
import { IMPORT_JSON_LIMITS, jsonShapeProblem } from "@/lib/api/json-limits";
import { formatPath, type ErrorDetail } from "@/lib/errors";
import { MAX_PAGES, MAX_TOOLS, type DiscoveredTool, type Discovery } from "../mcp-discovery/discover";
import { validateToolShape } from "./validate-tool";

export type ToolsListParse =
  | { ok: true; tools: DiscoveredTool[]; serverInfo?: Discovery["serverInfo"]; pages: number; lastCursorAt: string | null }
  | { ok: false; errors: ErrorDetail[] };

type Located = { value: unknown; at: string };

const plain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
/** `tools[2]`, `[1].result.tools[2]`, `line 3: result.tools[2]`. */
const join = (at: string, key: string) => (at === "" ? key : /^line \d+$/.test(at) ? `${at}: ${key}` : `${at}.${key}`);
/** JSON.parse's messages quote the input; only the position is kept. */
const position = (e: unknown) => /position (\d+)/.exec((e as Error).message)?.[1];

/** The body's JSON values: one document, or one per line (JSON Lines of pages). */
function readValues(text: string, jsonl: boolean): Located[] | { errors: ErrorDetail[] } {
  if (!jsonl) {
    try {
      return [{ value: JSON.parse(text), at: "" }];
    } catch (e) {
      const lines = text.split("\n").filter((l) => l.trim() !== "");
      // Pages written one per line are JSON Lines, whatever the content type said.
      if (lines.length < 2) {
        const p = position(e);
        return { errors: [{ path: "body", message: `not valid JSON${p ? ` (at character ${p})` : ""}` }] };
      }
    }
  }
  const out: Located[] = [];
  const errors: ErrorDetail[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    try {
      out.push({ value: JSON.parse(line), at: `line ${i + 1}` });
    } catch (e) {
      const p = position(e);
      errors.push({ path: `line ${i + 1}`, message: `not valid JSON (neither this line nor the whole body)${p ? `, at character ${p} of the line` : ""}` });
    }
  });
  if (errors.length) return { errors };
  if (out.length === 0) return { errors: [{ path: "body", message: "empty: send a tools/list result" }] };
  return out;
}

type Element =
  | { kind: "page"; page: Record<string, unknown>; at: string }
  | { kind: "init"; result: Record<string, unknown>; at: string }
  | { kind: "tool"; tool: unknown; at: string };

/** What one value is: a JSON-RPC response, a tools/list result (page), an initialize result, or a tool definition. */
function classify(value: unknown, at: string): Element | ErrorDetail {
  if (!plain(value)) return { path: at || "body", message: "expected an object: a tools/list result, a JSON-RPC response, or a tool definition" };
  if ("jsonrpc" in value || "method" in value || ("id" in value && ("result" in value || "error" in value))) {
    if ("method" in value) return { path: join(at, "method"), message: "a JSON-RPC request or notification, not a response: send the server's answers" };
    if (value.jsonrpc !== "2.0") return { path: join(at, "jsonrpc"), message: 'must be "2.0"' };
    if ("error" in value) return { path: join(at, "error"), message: "a JSON-RPC error response: the server did not list its tools" };
    if (!plain(value.result)) return { path: join(at, "result"), message: "a JSON-RPC response needs a result object" };
    return classify(value.result, join(at, "result"));
  }
  if ("tools" in value) return { kind: "page", page: value, at };
  if ("serverInfo" in value) return { kind: "init", result: value, at };
  if ("name" in value || "inputSchema" in value) return { kind: "tool", tool: value, at };
  return { path: at || "body", message: 'expected a tools/list result ({"tools": [...]}), a JSON-RPC response, or a tool definition' };
}

function readServerInfo(v: unknown, at: string, errors: ErrorDetail[]): Discovery["serverInfo"] | undefined {
  if (v === undefined) return undefined;
  const str = (x: unknown, max: number) => typeof x === "string" && x.length > 0 && x.length <= max;
  if (!plain(v) || !str(v.name, 200) || !str(v.version, 100) || (v.title !== undefined && !str(v.title, 1000))) {
    errors.push({ path: at, message: "serverInfo must be an object with name (1-200 characters) and version (1-100 characters)" });
    return undefined;
  }
  return { name: v.name as string, version: v.version as string, ...(typeof v.title === "string" ? { title: v.title } : {}) };
}

/**
 * Reads what `tools/list` answered, as a file: a JSON-RPC response, a bare
 * result, pages of either (an array, or JSON Lines), a captured session whose
 * initialize answer carries serverInfo, or a plain array of tool definitions.
 * Each tool is checked (validate-tool.ts) and then read by the MCP SDK's own
 * Tool schema, the one live discovery's client applies, so a tool is kept
 * exactly as discovery would keep it (unknown keys dropped the same way).
 * Every problem is reported with its path; input values are never quoted.
 */
export function parseToolsList(text: string, opts: { jsonl?: boolean } = {}): ToolsListParse {
  const values = readValues(text.replace(/^\uFEFF/, ""), opts.jsonl ?? false);
  if (!Array.isArray(values)) return { ok: false, errors: values.errors };
  const errors: ErrorDetail[] = [];
  const located: Located[] = [];
  for (const v of values) {
    const shape = jsonShapeProblem(v.value, IMPORT_JSON_LIMITS, v.at);
    if (shape) errors.push(shape);
    // A top-level array holds pages or tool definitions.
    else if (Array.isArray(v.value)) v.value.forEach((x, i) => located.push({ value: x, at: v.at ? `${v.at}: [${i}]` : `[${i}]` }));
    else located.push(v);
  }
  if (errors.length) return { ok: false, errors };

  const elements: Element[] = [];
  for (const l of located) {
    const c = classify(l.value, l.at);
    if ("path" in c) errors.push(c);
    else elements.push(c);
  }
  if (errors.length) return { ok: false, errors };
  const pages = elements.filter((e) => e.kind === "page");
  const bare = elements.filter((e) => e.kind === "tool");
  if (pages.length && bare.length)
    return {
      ok: false,
      errors: [{ path: bare[0]!.at || "body", message: "a tool definition among tools/list pages: send pages or tool definitions, not both" }],
    };
  // Only an explicit tools/list result may say "no tools" ({"tools": []}): an empty array or an initialize answer alone
  // would otherwise end every tool of the server.
  if (!pages.length && !bare.length)
    return {
      ok: false,
      errors: [{ path: "body", message: 'no tools/list result and no tool definition found (a server with no tools answers {"tools": []})' }],
    };
  if (pages.length > MAX_PAGES) return { ok: false, errors: [{ path: "body", message: `more than ${MAX_PAGES} pages (discovery stops there too)` }] };

  let serverInfo: Discovery["serverInfo"] | undefined;
  const candidates: { tool: unknown; at: string }[] = [];
  /** Where the last page's nextCursor is, when it has one: more pages follow. */
  let lastCursorAt: string | null = null;
  for (const e of elements) {
    if (e.kind === "tool") {
      candidates.push({ tool: e.tool, at: e.at });
      continue;
    }
    const obj = e.kind === "page" ? e.page : e.result;
    serverInfo ??= readServerInfo(obj.serverInfo, join(e.at, "serverInfo"), errors);
    if (e.kind === "init") continue;
    if (!Array.isArray(e.page.tools)) {
      errors.push({ path: join(e.at, "tools"), message: "must be an array of tool definitions" });
      continue;
    }
    if (e.page.nextCursor !== undefined && e.page.nextCursor !== null && typeof e.page.nextCursor !== "string")
      errors.push({ path: join(e.at, "nextCursor"), message: "must be a string when present" });
    lastCursorAt = typeof e.page.nextCursor === "string" && e.page.nextCursor !== "" ? join(e.at, "nextCursor") : null;
    e.page.tools.forEach((t, i) => candidates.push({ tool: t, at: join(e.at, `tools[${i}]`) }));
  }
  if (candidates.length > MAX_TOOLS) errors.push({ path: "body", message: `more than ${MAX_TOOLS} tools (discovery stops there too)` });
  if (errors.length) return { ok: false, errors };

  const tools: DiscoveredTool[] = [];
  const byName = new Map<string, { at: string; canonical: string }>();
  for (const { tool, at } of candidates) {
    const problems = validateToolShape(tool, at);
    if (problems.length) {
      errors.push(...problems);
      continue;
    }
    const parsed = ToolSchema.safeParse(tool);
    if (!parsed.success) {
      // Our checks mirror the SDK's; this catches whatever a newer SDK adds. Zod's messages name types, not values.
      errors.push(...parsed.error.issues.map((i) => ({ path: formatPath(i.path, at), message: i.message })));
      continue;
    }
    const t = parsed.data as DiscoveredTool;
    const canonical = JSON.stringify([t.title, t.description, t.inputSchema, t.outputSchema, t.annotations]);
    const first = byName.get(t.name);
    if (first) {
      // Overlapping pages repeat a tool: harmless when identical, ambiguous otherwise.
      if (first.canonical !== canonical)
        errors.push({ path: join(at, "name"), message: `the same tool name is listed at ${first.at} with a different definition` });
      continue;
    }
    byName.set(t.name, { at, canonical });
    tools.push(t);
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, tools, serverInfo, pages: pages.length, lastCursorAt };
}
