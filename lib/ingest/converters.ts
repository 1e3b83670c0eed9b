import type { ErrorDetail } from "@/lib/errors";
import type { GraphDocument } from "./graph-document";

export type ConvertResult = { ok: true; document: GraphDocument; warnings?: string[] } | { ok: false; errors: ErrorDetail[] };
type Converter = (text: string, opts: { source: string; mode: "full" | "incremental" }) => ConvertResult;

/** Other formats, each turned into a graph document by a pure converter. */
export const CONVERTERS: Partial<Record<"mcp-config" | "bloodhound-opengraph" | "baton", Converter>> = {};
