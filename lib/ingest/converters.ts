import { jsonErrorMessage } from "@/lib/api/json-error";
import { IMPORT_JSON_LIMITS, jsonShapeProblem } from "@/lib/api/json-limits";
import type { ErrorDetail } from "@/lib/errors";
import { convertBatonTemplate } from "./baton/template";
import { convertOpenGraph } from "./bloodhound/opengraph";
import { parseMcpConfig } from "./mcp-config/parse";
import type { GraphDocument } from "./graph-document";

/** `detectedFormat` says which variant was read (for MCP configs, the client: "codex", "zed", ...). */
export type ConvertResult = { ok: true; document: GraphDocument; warnings?: string[]; detectedFormat?: string } | { ok: false; errors: ErrorDetail[] };
/** `server` names the server of a single-server MCP config snippet; other formats refuse it (see http-import.ts). */
type ConvertOptions = { source: string; mode: "full" | "incremental"; server?: string; fileName?: string };
type Converter = (text: string, opts: ConvertOptions) => ConvertResult | Promise<ConvertResult>;

function json(text: string): { ok: true; value: unknown } | { ok: false; errors: ErrorDetail[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [{ path: "body", message: jsonErrorMessage(text, e) }] };
  }
  const problem = jsonShapeProblem(value, IMPORT_JSON_LIMITS);
  return problem ? { ok: false, errors: [problem] } : { ok: true, value };
}

const fromJson =
  (convert: (value: unknown, opts: ConvertOptions) => ConvertResult): Converter =>
  (text, opts) => {
    const parsed = json(text);
    return parsed.ok ? convert(parsed.value, opts) : parsed;
  };

/** Other formats, each turned into a graph document by a pure converter; the import engine applies it. */
export const CONVERTERS: Partial<Record<"mcp-config" | "bloodhound-opengraph" | "baton", Converter>> = {
  "bloodhound-opengraph": fromJson(convertOpenGraph),
  baton: fromJson(convertBatonTemplate),
  // MCP client configs are often pasted README fragments or JSONC: the parser reads the text itself.
  "mcp-config": async (text, opts) => {
    const r = await parseMcpConfig(text, opts);
    return r.ok ? { ok: true, document: r.document, warnings: r.warnings, detectedFormat: r.detected.formats.join("+") } : r;
  },
};

/**
 * Formats read from bytes (a vendor's API answers as JSON or zip), registered
 * by the area that owns them (lib/connectors/offline-formats.ts), so ingest
 * depends on no connector. The converter checks its own size limit on
 * uncompressed contents.
 */
export type BinaryConverter = (bytes: Uint8Array, opts: ConvertOptions & { maxBytes: number }) => ConvertResult;
const g = globalThis as typeof globalThis & { __attestBinaryFormats?: Map<string, BinaryConverter> };
const binaryFormats: Map<string, BinaryConverter> = (g.__attestBinaryFormats ??= new Map());

export function registerBinaryFormat(name: string, convert: BinaryConverter): void {
  binaryFormats.set(name, convert);
}

export function binaryConverter(name: string): BinaryConverter | undefined {
  return binaryFormats.get(name);
}
