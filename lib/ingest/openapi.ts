import { commonErrors, errorResponse, jsonBody, pathParam, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { importQuerySchema } from "./http-import";
import { importRunQuerySchema } from "./import-run";
import { discoverRequestSchema } from "./mcp-discovery/run-discovery";

export const ingestPaths: PathItems = {
  "/api/v1/imports": {
    get: {
      summary: "Import history, newest first, with status, counts, errors, warnings, the detected format and progress",
      parameters: [{ name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } }],
      responses: { "200": { description: "Imports" }, ...commonErrors },
    },
    post: {
      summary:
        "Import a graph document (JSON), JSONL (streamed), CSV, an MCP client config, an MCP tools/list answer, BloodHound OpenGraph or a Baton template",
      description:
        "One import is one transaction: any invalid record and nothing is written (unless allowPartial=true). The answer is the import record (201), or 400 with every problem located by JSON path or line and the rejected import record. " +
        "The record's `warnings` list what a converter dropped or found unusual (paths and key names, never values) and `detectedFormat` the variant it read. " +
        "format=mcp-config reads Claude Desktop, Claude Code (.mcp.json), Cursor, Windsurf, Gemini CLI (mcpServers), VS Code (servers + inputs, or settings mcp.servers), Zed (context_servers), OpenCode (mcp), Codex (config.toml mcp_servers), Continue (config.yaml mcpServers, or config.json experimental.modelContextProtocolServers) and single server definitions (give their name with server=); detectedFormat names them: claude-desktop, claude-code, cursor, windsurf, gemini-cli, mcpServers (when the file does not tell which of these), vscode, vscode-settings, zed, opencode, codex, continue, continue-json, snippet, server-map. " +
        "JSON/JSONC, TOML and YAML are told apart by content; TOML and YAML errors name the syntax, a line and a column, and never quote the input." +
        "\n\n" +
        "format=mcp-tools&server=<ref or name>: a server's tools/list answer, recorded exactly as live discovery records it (annotations, risk with its reason, definition hash) in the server's own source tools.<server>, full by default so tools it no longer lists are end-dated. server is an MCP server node (id or source:mcp_server:externalId) or a new server's name. The body is a JSON-RPC response, a bare result {tools, nextCursor?}, several pages (an array of either, or JSON Lines as application/x-ndjson), or an array of tool definitions; a last page that still has a nextCursor is refused unless mode=incremental. Every tool is checked (name, sizes, inputSchema an object of type object, boolean hints) and each problem named by its JSON path.",
      parameters: queryParams(importQuerySchema),
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: { type: ["object", "array"], description: "An Attest graph document { source, mode, nodes, edges }, or the format named by ?format=" },
            examples: {
              "mcp-tools": {
                summary: "format=mcp-tools&server=mcp-configs:mcp_server:memory: a tools/list JSON-RPC response",
                value: {
                  jsonrpc: "2.0",
                  id: 1,
                  result: {
                    tools: [
                      {
                        name: "delete_entities",
                        description: "Delete multiple entities",
                        inputSchema: { type: "object", properties: { entityNames: { type: "array", items: { type: "string" } } }, required: ["entityNames"] },
                        annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
                      },
                    ],
                  },
                },
              },
            },
          },
          "application/x-ndjson": {
            schema: {
              type: "string",
              description:
                "A header line {source, mode}, then one {node} or {edge} per line; with format=mcp-tools, one tools/list page (response or result) per line",
            },
          },
          "text/csv": { schema: { type: "string", description: "A nodes CSV (kind, externalId, name, attributes?, other columns); needs ?source=" } },
          "text/plain": {
            schema: { type: "string", description: "With format=mcp-config: an MCP client config as JSON/JSONC, TOML or YAML (told apart by content)" },
          },
          "application/toml": { schema: { type: "string", description: "A Codex config.toml (format=mcp-config is implied); needs ?source=" } },
          "application/yaml": {
            schema: { type: "string", description: "A Continue config.yaml or .continue/mcpServers block (format=mcp-config is implied); needs ?source=" },
          },
          "multipart/form-data": {
            schema: {
              type: "object",
              properties: {
                nodes: { type: "string", format: "binary" },
                edges: { type: "string", format: "binary" },
                file: { type: "string", format: "binary" },
                source: { type: "string" },
                mode: { type: "string" },
                format: { type: "string" },
                server: { type: "string" },
              },
            },
          },
        },
      },
      responses: {
        "201": { description: "The import record with counts, warnings and detectedFormat" },
        ...commonErrors,
        "413": errorResponse("Larger than ATTEST_MAX_IMPORT_MB."),
        "415": errorResponse("Unsupported content type."),
      },
    },
  },
  "/api/v1/imports/{id}": {
    get: {
      summary: "One import, with progress while it runs and a page of its problems",
      description:
        "`errors` holds the problems from errorsOffset (at most errorsLimit of them; all stored ones by default); `errorsPage.stored` says how many were kept (at most 1,000) of `errorCount`. Problems name a path or line and never quote input values.",
      parameters: [pathParam("id"), ...queryParams(importRunQuerySchema)],
      responses: { "200": { description: "The import" }, ...commonErrors, "404": errorResponse("No such import.") },
    },
  },
  "/api/v1/discovery/mcp": {
    post: {
      summary: "List a live MCP server's tools over streamable HTTP and import them (annotations, risk, definition hash)",
      description:
        'The server is reached through the outbound client, only at hosts an admin allowed (`/api/v1/settings/outbound`), never at a loopback, private, link-local or metadata address unless its range was opened; no redirect is followed; time and size are bounded. A failure answers 400 with `details: [{ path: "url", message: "<class>: ..." }]`, the class one of not_allowed, blocked_address, dns_failure, refused, timeout, tls, redirect, too_large, http_status (with the status), bad_response, not_mcp, mcp_error. The remote\'s body and headers are never in the answer.',
      requestBody: jsonBody(discoverRequestSchema),
      responses: { "201": { description: "The import record" }, ...commonErrors },
    },
  },
};
