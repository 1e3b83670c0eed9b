import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * Real tools/list answers captured from the official MCP servers (see PROVENANCE.md beside them), as vendored in the
 * repository for the demo seed (db/seed/mcp-tools): the tests need nothing outside the checkout.
 */
const DIRS = ["db/seed/mcp-tools"];
export const CAPTURED_SERVERS = ["everything", "filesystem", "memory", "github"] as const;

export interface CapturedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}
export interface CapturedList {
  serverInfo: { name: string; version: string; title?: string };
  tools: CapturedTool[];
}

export function capturedText(name: (typeof CAPTURED_SERVERS)[number]): string {
  for (const dir of DIRS) {
    try {
      return readFileSync(path.join(dir, `${name}.tools-list.json`), "utf8");
    } catch {
      // not on this machine: the next copy
    }
  }
  throw new Error(`no captured tools/list for ${name}`);
}

export const captured = (name: (typeof CAPTURED_SERVERS)[number]) => JSON.parse(capturedText(name)) as CapturedList;
