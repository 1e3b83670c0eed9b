import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, isAppError } from "@/lib/errors";
import { parseNodeRef, resolveNodeId } from "@/lib/graph/node-ref";
import { getNode } from "@/lib/graph/nodes";
import { SOURCE_NAME_RE } from "../graph-document";
import { decodeConverted } from "../import-items";
import { discoverySourceName, discoveryToGraph } from "../mcp-discovery/to-graph";
import { recordRefusedImport, runImport, type ImportRecord } from "../run-import";
import { parseToolsList } from "./parse-tools-list";

/** The MCP server node a reference names (id or source:mcp_server:externalId), or a 400/404 naming `param`. */
export async function findMcpServer(db: Db, raw: string, param: string): Promise<{ source: string; externalId: string }> {
  let ref;
  try {
    ref = parseNodeRef(raw, param);
  } catch (e) {
    // parseNodeRef's message repeats part of the input; ours only says what is expected.
    if (isAppError(e))
      throw new AppError("validation", `${param} must be an MCP server's id or source:mcp_server:externalId`, [
        { path: param, message: "malformed node reference" },
      ]);
    throw e;
  }
  const node = await getNode(db, await resolveNodeId(db, ref));
  if (!node || node.kind !== "mcp_server")
    throw new AppError("validation", `${param} must name an MCP server`, [{ path: param, message: "not an mcp_server node" }]);
  if (node.validTo) throw new AppError("validation", `${param} names an MCP server that is no longer current`, [{ path: param, message: "an ended node" }]);
  return { source: node.source, externalId: node.externalId };
}

/** Whether `server` is a node reference rather than a new server's name. */
const isReference = (raw: string) => raw.includes(":") || /^[a-z]+_[0-9a-z]{26}$/.test(raw);

export interface ToolsImportOptions {
  /** An existing MCP server (id or source:mcp_server:externalId), or the name of a server kept with its tools. */
  server?: string;
  mode?: "full" | "incremental";
  /** The body is JSON Lines (one page per line). */
  jsonl?: boolean;
  fileName?: string;
  bytes?: number;
  requestId?: string;
}

/**
 * Imports a server's `tools/list` answer given as a file: the same graph
 * discovery writes (lib/ingest/mcp-discovery/to-graph.ts), the same per-server
 * source `tools.<server>`, full by default, so tools the server no longer lists
 * are end-dated and a changed definition changes its hash (drift findings).
 * A list whose last page still has a nextCursor is incomplete: a full import of
 * it would end the tools on the missing pages, so it is refused.
 */
export async function importToolsList(db: Db, actor: Actor, text: string, opts: ToolsImportOptions): Promise<ImportRecord> {
  requirePermission(actor, "import.run");
  if (!opts.server)
    throw new AppError(
      "validation",
      "format mcp-tools needs ?server= : an MCP server in the graph (id or source:mcp_server:externalId) or a new server's name",
      [{ path: "server", message: "is required for this format" }],
    );
  let server: { source: string; externalId: string } | undefined;
  let serverName: string;
  if (isReference(opts.server)) {
    server = await findMcpServer(db, opts.server, "server");
    serverName = server.externalId;
  } else {
    if (!SOURCE_NAME_RE.test(opts.server))
      throw new AppError(
        "validation",
        "server must be an MCP server's id or source:mcp_server:externalId, or a new server's name (1-100 letters, digits, dot, dash or underscore)",
        [{ path: "server", message: "neither a node reference nor a server name" }],
      );
    serverName = opts.server;
  }
  const mode = opts.mode ?? "full";
  const record = { format: "mcp-tools" as const, fileName: opts.fileName, bytes: opts.bytes, requestId: opts.requestId };
  const parsed = parseToolsList(text, { jsonl: opts.jsonl });
  if (!parsed.ok) return recordRefusedImport(db, actor, record, parsed.errors, discoverySourceName(serverName));
  if (parsed.lastCursorAt && mode === "full") {
    return recordRefusedImport(
      db,
      actor,
      record,
      [
        {
          path: parsed.lastCursorAt,
          message: "the last page says more tools follow: send every page (a full import would end the tools on the missing pages), or use mode=incremental",
        },
      ],
      discoverySourceName(serverName),
    );
  }
  const doc = discoveryToGraph({ serverInfo: parsed.serverInfo, tools: parsed.tools }, { serverName, server });
  return runImport(db, actor, decodeConverted({ ...doc, mode }), record);
}
