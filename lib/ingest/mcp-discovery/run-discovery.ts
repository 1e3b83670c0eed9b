import { z } from "zod";
import type { Db } from "@/db/client";
import { loadOutboundPolicy } from "@/lib/admin/outbound-settings";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { parseInput } from "@/lib/errors";
import { SOURCE_NAME_RE } from "../graph-document";
import { decodeConverted } from "../import-items";
import { findMcpServer } from "../mcp-tools/import-tools";
import { runImport, type ImportRecord } from "../run-import";
import { urlTemplate } from "../secrets/url-template";
import { discoverServer } from "./discover";
import { discoveryToGraph } from "./to-graph";

export const discoverRequestSchema = z
  .object({
    url: z
      .string()
      .max(2000)
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), "must be an http(s) URL of a streamable HTTP MCP endpoint"),
    /** An MCP server already in the graph (id or source:mcp_server:externalId) whose tools these are. */
    server: z.string().max(700).optional(),
    /** Name for a server not yet in the graph. */
    serverName: z.string().regex(SOURCE_NAME_RE, "1-100 letters, digits, dot, dash or underscore").optional(),
    /** Sent to the server for this call only; never stored. */
    headers: z.record(z.string().max(200), z.string().max(4000)).optional(),
  })
  .strict()
  .refine((v) => v.server || v.serverName, { message: "name the server: server (an existing node) or serverName (a new one)", path: ["server"] });

/**
 * The URL as recorded: the same template as MCP configs store (origin, plain
 * path words, opaque segments masked, query names only, no user info), since
 * a token hides in a path as often as in a query.
 */
export function redactUrl(raw: string): string {
  return urlTemplate(raw);
}

/**
 * Lists a live MCP server's tools over streamable HTTP and imports them as one
 * full import of that server's tool source: tools it no longer lists are
 * end-dated, changed definitions show as updates. The server is reached only
 * through lib/net/outbound.ts under the admin's outbound settings; a failure
 * answers 400 naming its class (not_allowed, blocked_address, timeout, ...),
 * never the remote's words.
 */
export async function discoverAndImport(db: Db, actor: Actor, input: unknown, requestId?: string): Promise<ImportRecord> {
  requirePermission(actor, "import.run");
  const req = parseInput(discoverRequestSchema, input);
  let server: { source: string; externalId: string } | undefined;
  let serverName = req.serverName;
  if (req.server) {
    server = await findMcpServer(db, req.server, "server");
    serverName = server.externalId;
  }
  // Only where an admin allowed (Admin → Outbound requests), through the one outbound client.
  const discovery = await discoverServer({ transport: "http", url: req.url, headers: req.headers }, { outbound: { policy: await loadOutboundPolicy(db) } });
  const doc = discoveryToGraph(discovery, { serverName: serverName!, server, endpoint: { transport: "http", url: redactUrl(req.url) } });
  return runImport(db, actor, decodeConverted(doc), { format: "mcp-discovery", requestId });
}
