import { NextResponse } from "next/server";
import { z } from "zod";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { checkCharset } from "@/lib/api/body";
import { jsonErrorMessage } from "@/lib/api/json-error";
import { assertJsonShape, IMPORT_JSON_LIMITS } from "@/lib/api/json-limits";
import { AppError, parseInput, type ErrorDetail } from "@/lib/errors";
import { checkDeclaredLength, limitedChunks, lines, maxImportBytes, readBytes, readText, tooLarge } from "./body-stream";
import { SOURCE_NAME_RE } from "./graph-document";
import { decodeConverted, decodeCsv, decodeGraphDocument, decodeJsonl, type DecodedImport } from "./import-items";
import { binaryConverter, CONVERTERS } from "./converters";
import { serverNameProblem } from "./mcp-config/parse";
import { importToolsList } from "./mcp-tools/import-tools";
import { recordRefusedImport, runImport, type ImportFormat, type ImportRecord } from "./run-import";

/** A vendor's API answers (connectors' offline formats), read as JSON or zip bytes. */
const BUNDLE_FORMATS = ["aws-iam", "entra-graph", "okta-api", "github-rest"] as const;
type BundleFormat = (typeof BUNDLE_FORMATS)[number];
const isBundleFormat = (f: string | undefined): f is BundleFormat => (BUNDLE_FORMATS as readonly string[]).includes(f ?? "");
const FORMATS = ["graph", "jsonl", "csv", "mcp-config", "bloodhound-opengraph", "baton", "mcp-tools", ...BUNDLE_FORMATS] as const;

export const importQuerySchema = z
  .object({
    format: z.enum(FORMATS, { error: `format must be one of ${FORMATS.join(", ")}` }).optional(),
    source: z.string().regex(SOURCE_NAME_RE, "source must be 1-100 letters, digits, dot, dash or underscore").optional(),
    mode: z.enum(["full", "incremental"], { error: "mode must be full or incremental" }).optional(),
    allowPartial: z.enum(["true", "false"], { error: "allowPartial must be true or false" }).optional(),
    /** format=mcp-tools: the MCP server whose tools/list this is (id, source:mcp_server:externalId, or a new server's name); format=mcp-config: the name of a single server definition (an install-guide snippet). */
    server: z.string().trim().min(1, "server must not be empty").max(700, "server is longer than 700 characters").optional(),
  })
  .strict();
type ImportQuery = z.infer<typeof importQuerySchema>;

const JSON_TYPE = /^application\/(.+\+)?json\s*(;|$)/i;
const JSONL_TYPE = /^application\/(x-ndjson|jsonl|x-jsonlines|jsonlines)\s*(;|$)/i;
const CSV_TYPE = /^text\/csv\s*(;|$)/i;
const MULTIPART_TYPE = /^multipart\/form-data\s*;/i;
/** MCP configs come as JSON, text, TOML (Codex) or YAML (Continue); the syntax is told from the content. */
const CONFIG_TEXT_TYPE = /^(?:text\/plain|application\/(?:x-)?toml|text\/(?:x-)?toml|application\/(?:x-)?yaml|text\/(?:x-)?yaml)\s*(;|$)/i;
const TOML_OR_YAML_TYPE = /^(?:application|text)\/(?:x-)?(?:toml|yaml)\s*(;|$)/i;
const TEXT_TYPE = /^text\/plain\s*(;|$)/i;
const ZIP_TYPE = /^application\/(?:zip|x-zip-compressed|octet-stream)\s*(;|$)/i;

/** The answer to a finished import: 201 when applied, 400 with every problem when rejected. */
export function importResponse(record: ImportRecord, requestId: string): NextResponse {
  if (record.status === "succeeded") return NextResponse.json(record, { status: 201 });
  const code = record.status === "failed" ? 500 : 400;
  return NextResponse.json(
    {
      error: {
        code: record.status === "failed" ? "internal" : "validation",
        message:
          record.status === "failed"
            ? `import ${record.id} failed on our side and was rolled back; nothing was written`
            : `import ${record.id} was rejected: ${record.errorCount} problem${record.errorCount === 1 ? "" : "s"}; nothing was written`,
        details: record.errors,
        requestId,
      },
      import: record,
    },
    { status: code },
  );
}

function parseJson(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = jsonErrorMessage(text, e);
    throw new AppError("bad_request", `${what} is ${message}`, [{ path: "body", message }]);
  }
  assertJsonShape(value, IMPORT_JSON_LIMITS, what);
  return value;
}

function requireSource(q: ImportQuery, format: string): string {
  if (!q.source)
    throw new AppError("validation", `format ${format} needs ?source=<name> to say where the data comes from`, [
      { path: "source", message: "is required for this format" },
    ]);
  return q.source;
}

/** Turns text of a whole-document format into a decoded import, or the problems that stop it. */
async function decodeText(format: ImportFormat, text: string, q: ImportQuery, fileName?: string): Promise<DecodedImport | { errors: ErrorDetail[] }> {
  if (format === "graph") {
    const d = decodeGraphDocument(parseJson(text, "the graph document"));
    if ("errors" in d) return d;
    return q.mode ? { ...d, mode: q.mode } : d;
  }
  const convert = CONVERTERS[format as keyof typeof CONVERTERS];
  if (!convert) throw new AppError("validation", `format ${format} cannot be sent this way`, [{ path: "format", message: "unsupported here" }]);
  const r = await convert(text, {
    source: requireSource(q, format),
    mode: q.mode ?? "full",
    ...(q.server !== undefined ? { server: q.server } : {}),
    ...(fileName ? { fileName } : {}),
  });
  if (!r.ok) return { errors: r.errors };
  return decodeConverted(r.document, { warnings: r.warnings ?? [], detectedFormat: r.detectedFormat });
}

/** A vendor's API answers (JSON or zip) through the converter its connector registered. */
async function decodeBundle(format: BundleFormat, bytes: Uint8Array, q: ImportQuery, fileName?: string): Promise<DecodedImport | { errors: ErrorDetail[] }> {
  const convert = binaryConverter(format);
  if (!convert) throw new AppError("validation", `format ${format} is not available on this server`, [{ path: "format", message: "unavailable" }]);
  // Zips are bounded on what they hold uncompressed, not only on what was sent.
  const r = convert(bytes, { source: requireSource(q, format), mode: q.mode ?? "full", maxBytes: maxImportBytes() * 4, ...(fileName ? { fileName } : {}) });
  if (!r.ok) return { errors: r.errors };
  return decodeConverted(r.document, { warnings: r.warnings ?? [], detectedFormat: r.detectedFormat });
}

function checkServerParam(q: ImportQuery, format: string): void {
  if (q.server === undefined) return;
  if (format !== "mcp-config") {
    throw new AppError("validation", "server applies only to format=mcp-config (a single server definition) and format=mcp-tools", [
      { path: "server", message: "not used by this format" },
    ]);
  }
  const problem = serverNameProblem(q.server);
  if (problem) throw new AppError("validation", problem, [{ path: "server", message: problem }]);
}

/**
 * POST /api/v1/imports: reads the body the way its content type says, streaming
 * JSONL, and applies it as one import. Size is limited before and while reading.
 */
export async function handleImportRequest(db: Db, actor: Actor, req: Request, requestId: string): Promise<Response> {
  requirePermission(actor, "import.run");
  const url = new URL(req.url);
  const q = parseInput(importQuerySchema, Object.fromEntries(url.searchParams), "query");
  const max = maxImportBytes();
  checkDeclaredLength(req, max);
  const type = req.headers.get("content-type") ?? "";
  checkCharset(type);
  const bytes = Number(req.headers.get("content-length") ?? "0") || undefined;
  const opts = { allowPartial: q.allowPartial === "true", bytes, requestId };

  const finish = async (format: ImportFormat, decoded: DecodedImport | { errors: ErrorDetail[] }, fileName?: string, allowPartial = opts.allowPartial) => {
    const o = { ...opts, allowPartial, format, fileName };
    const record = "errors" in decoded ? await recordRefusedImport(db, actor, o, decoded.errors, q.source ?? null) : await runImport(db, actor, decoded, o);
    return importResponse(record, requestId);
  };
  // A tools/list answer names its server, not a source: its tools are kept in the server's own source (tools.<server>).
  const tools = async (query: ImportQuery, text: string, jsonl: boolean, fileName?: string) => {
    if (query.source)
      throw new AppError("validation", "format mcp-tools keeps the tools in the server's own source (tools.<server>): leave out source", [
        { path: "source", message: "not used by this format" },
      ]);
    const record = await importToolsList(db, actor, text, { server: query.server, mode: query.mode, jsonl, fileName, bytes, requestId });
    return importResponse(record, requestId);
  };
  if (q.server && q.format !== "mcp-tools" && q.format !== "mcp-config") {
    throw new AppError("validation", "server applies to format=mcp-tools (and mcp-config) only", [{ path: "server", message: "not used by this format" }]);
  }
  if (q.format === "mcp-tools" && !MULTIPART_TYPE.test(type)) {
    if (!JSON_TYPE.test(type) && !JSONL_TYPE.test(type) && !TEXT_TYPE.test(type))
      throw unsupported(type, "a tools/list answer is sent as application/json (pages one per line as application/x-ndjson)");
    return tools(q, await readText(limitedChunks(req, max)), JSONL_TYPE.test(type));
  }

  if (!MULTIPART_TYPE.test(type)) checkServerParam(q, q.format ?? (TOML_OR_YAML_TYPE.test(type) ? "mcp-config" : "graph"));

  if (JSONL_TYPE.test(type) || q.format === "jsonl") {
    if (!JSONL_TYPE.test(type)) throw unsupported(type, "JSONL is sent as application/x-ndjson");
    const decoded = await decodeJsonl(lines(limitedChunks(req, max)));
    if (!("errors" in decoded) && q.mode) decoded.mode = q.mode;
    return finish("jsonl", decoded);
  }
  if (ZIP_TYPE.test(type)) {
    if (!isBundleFormat(q.format)) throw unsupported(type, `a zip is sent with format=${BUNDLE_FORMATS.join(", format=")}`);
    return finish(q.format, await decodeBundle(q.format, await readBytes(limitedChunks(req, max)), q));
  }
  if (JSON_TYPE.test(type)) {
    const format = q.format ?? "graph";
    if (isBundleFormat(format)) return finish(format, await decodeBundle(format, await readBytes(limitedChunks(req, max)), q));
    if (format === "csv") throw unsupported(type, "CSV is sent as multipart/form-data (nodes, edges) or text/csv");
    return finish(format, await decodeText(format, await readText(limitedChunks(req, max)), q));
  }
  if (CSV_TYPE.test(type)) {
    const source = requireSource(q, "csv");
    const text = await readText(limitedChunks(req, max));
    return finish("csv", { source, mode: q.mode ?? "full", items: decodeCsv({ nodes: text }) });
  }
  if (MULTIPART_TYPE.test(type)) {
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new AppError("bad_request", "the multipart body could not be read", [{ path: "body", message: "malformed multipart" }]);
    }
    const field = (name: string) => {
      const v = form.get(name);
      return typeof v === "string" ? v : undefined;
    };
    const file = async (name: string) => {
      const v = form.get(name);
      if (v === null || typeof v === "string") return undefined;
      if (v.size > max) throw tooLarge(max);
      const bytes = new Uint8Array(await v.arrayBuffer());
      // Decoded to one string only when a whole-document format needs it: a JSONL file is read line by line from the
      // bytes (an L file, 1.5 GB, is past V8's longest string, so decoding it whole failed before a line was read).
      let text: string | undefined;
      return {
        get text() {
          return (text ??= new TextDecoder().decode(bytes));
        },
        bytes,
        name: v.name,
      };
    };
    const merged = parseInput(
      importQuerySchema,
      Object.fromEntries(
        Object.entries({
          ...Object.fromEntries(url.searchParams),
          format: field("format") ?? q.format,
          source: field("source") ?? q.source,
          mode: field("mode") ?? q.mode,
          allowPartial: field("allowPartial") ?? q.allowPartial,
          server: field("server") ?? q.server,
        }).filter(([, v]) => v !== undefined && v !== ""),
      ),
      "form",
    );
    const nodesFile = await file("nodes");
    const edgesFile = await file("edges");
    if (nodesFile || edgesFile) {
      const source = requireSource(merged, "csv");
      return finish(
        "csv",
        { source, mode: merged.mode ?? "full", items: decodeCsv({ nodes: nodesFile?.text, edges: edgesFile?.text }) },
        [nodesFile?.name, edgesFile?.name].filter(Boolean).join(" + "),
        merged.allowPartial === "true",
      );
    }
    const one = await file("file");
    if (!one) throw new AppError("validation", "send the data as a file field named file (or nodes and edges for CSV)", [{ path: "file", message: "missing" }]);
    if (merged.format === "mcp-tools") return tools(merged, one.text, /\.(jsonl|ndjson)$/i.test(one.name), one.name);
    if (isBundleFormat(merged.format))
      return finish(merged.format, await decodeBundle(merged.format, one.bytes, merged, one.name), one.name, merged.allowPartial === "true");
    const format = merged.format ?? (/\.(jsonl|ndjson)$/i.test(one.name) ? "jsonl" : /\.(toml|ya?ml)$/i.test(one.name) ? "mcp-config" : "graph");
    checkServerParam(merged, format);
    const partial = merged.allowPartial === "true";
    if (format === "jsonl") {
      const decoded = await decodeJsonl(lines([one.bytes]));
      if (!("errors" in decoded) && merged.mode) decoded.mode = merged.mode;
      return finish("jsonl", decoded, one.name, partial);
    }
    if (format === "csv") {
      const source = requireSource(merged, "csv");
      return finish("csv", { source, mode: merged.mode ?? "full", items: decodeCsv({ nodes: one.text }) }, one.name, partial);
    }
    return finish(format, await decodeText(format, one.text, merged, one.name), one.name, partial);
  }
  if ((q.format === "mcp-config" && CONFIG_TEXT_TYPE.test(type)) || (q.format === undefined && TOML_OR_YAML_TYPE.test(type))) {
    return finish("mcp-config", await decodeText("mcp-config", await readText(limitedChunks(req, max)), q));
  }
  throw unsupported(
    type,
    "send application/json, application/x-ndjson, text/csv or multipart/form-data (MCP configs also as text/plain, TOML or YAML with format=mcp-config)",
  );
}

function unsupported(type: string, hint: string) {
  return new AppError("unsupported_media_type", `content type ${type || "(none)"} is not accepted here: ${hint}`, [
    { path: "content-type", message: type || "missing" },
  ]);
}
