import { parse as parseCsv } from "csv-parse";
import { Readable } from "node:stream";
import { IMPORT_JSON_LIMITS, jsonShapeProblem } from "@/lib/api/json-limits";
import type { ErrorDetail } from "@/lib/errors";
import { formatPath } from "@/lib/errors";
import { jsonErrorMessage } from "@/lib/api/json-error";
import { graphDocumentSchema, type GraphDocument } from "./graph-document";

/** What a decoder yields: a raw record to validate, or a problem found while decoding. */
export type ImportItem = { type: "node" | "edge"; raw: unknown; where: string } | { type: "error"; error: ErrorDetail };

export interface DecodedImport {
  source: string;
  mode: "full" | "incremental";
  items: AsyncIterable<ImportItem>;
  /** A converter's warnings, kept on the import record. */
  warnings?: string[];
  detectedFormat?: string;
}

async function* fromArrays(nodes: unknown[], edges: unknown[], prefix = ""): AsyncGenerator<ImportItem> {
  for (let i = 0; i < nodes.length; i++) yield { type: "node", raw: nodes[i], where: `${prefix}nodes[${i}]` };
  for (let i = 0; i < edges.length; i++) yield { type: "edge", raw: edges[i], where: `${prefix}edges[${i}]` };
}

/** A parsed Attest graph document (JSON). Top-level problems are returned as errors. */
export function decodeGraphDocument(value: unknown): DecodedImport | { errors: ErrorDetail[] } {
  const parsed = graphDocumentSchema.safeParse(value);
  if (!parsed.success) return { errors: parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
  return { source: parsed.data.source, mode: parsed.data.mode, items: fromArrays(parsed.data.nodes, parsed.data.edges) };
}

/** A converter's document (MCP config, BloodHound, Baton), already shaped as a graph document. */
export function decodeConverted(doc: GraphDocument, extra: { warnings?: string[]; detectedFormat?: string } = {}): DecodedImport {
  return { source: doc.source, mode: doc.mode, items: fromArrays(doc.nodes, doc.edges), ...extra };
}

/**
 * JSONL: a header line `{"source", "mode"}`, then one `{"node": {...}}` or
 * `{"edge": {...}}` per line. Streams: only the current line is in memory.
 */
export async function decodeJsonl(input: AsyncIterable<{ line: number; text: string }>): Promise<DecodedImport | { errors: ErrorDetail[] }> {
  const iterator = input[Symbol.asyncIterator]();
  let first = await iterator.next();
  while (!first.done && first.value.text.trim() === "") first = await iterator.next();
  if (first.done) return { errors: [{ path: "line 1", message: 'the file is empty: the first line must be a header {"source": ..., "mode": ...}' }] };
  let header: unknown;
  try {
    header = JSON.parse(first.value.text);
  } catch (e) {
    return { errors: [{ path: `line ${first.value.line}`, message: `the header line is ${columnOnly(jsonErrorMessage(first.value.text, e))}` }] };
  }
  const { graphDocumentHeaderSchema } = await import("./graph-document");
  const h = graphDocumentHeaderSchema.safeParse(header);
  if (!h.success) return { errors: h.error.issues.map((i) => ({ path: `line ${first.value.line}: ${formatPath(i.path)}`, message: i.message })) };

  async function* items(): AsyncGenerator<ImportItem> {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const { line, text } = next.value;
      if (text.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        yield { type: "error", error: { path: `line ${line}`, message: columnOnly(jsonErrorMessage(text, e)) } };
        continue;
      }
      const problem = jsonShapeProblem(value, IMPORT_JSON_LIMITS);
      if (problem) {
        yield { type: "error", error: { path: `line ${line}: ${problem.path}`, message: problem.message } };
        continue;
      }
      const obj = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
      const keys = obj ? Object.keys(obj) : [];
      if (!obj || keys.length !== 1 || (keys[0] !== "node" && keys[0] !== "edge")) {
        yield { type: "error", error: { path: `line ${line}`, message: 'each line after the header must be {"node": {...}} or {"edge": {...}}' } };
        continue;
      }
      yield { type: keys[0] as "node" | "edge", raw: obj[keys[0]!], where: `line ${line}` };
    }
  }
  return { source: h.data.source, mode: h.data.mode, items: items() };
}

const NODE_COLUMNS = ["kind", "externalId", "name"];
const EDGE_COLUMNS = ["kind", "fromKind", "fromExternalId", "toKind", "toExternalId"];

/**
 * CSV: a nodes file (kind, externalId, name, then an `attributes` JSON column
 * and/or any other columns, kept as string attributes) and an edges file (kind,
 * fromKind, fromExternalId, fromSource?, toKind, toExternalId, toSource?, attributes?).
 */
export async function* decodeCsv(files: { nodes?: string; edges?: string }): AsyncGenerator<ImportItem> {
  if (files.nodes !== undefined) yield* csvRows(files.nodes, "nodes.csv", NODE_COLUMNS, nodeFromRow);
  if (files.edges !== undefined) yield* csvRows(files.edges, "edges.csv", EDGE_COLUMNS, edgeFromRow);
}

type RowResult = { ok: true; raw: unknown } | { ok: false; message: string };

async function* csvRows(text: string, file: string, required: string[], toRecord: (row: Map<string, string>) => RowResult): AsyncGenerator<ImportItem> {
  const parser = Readable.from([text]).pipe(parseCsv({ bom: true, relax_column_count: false, skip_empty_lines: true, info: true, trim: false }));
  let header: string[] | null = null;
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = rec.info.lines;
      if (!header) {
        header = rec.record.map((h) => h.trim());
        const missing = required.filter((c) => !header!.includes(c));
        if (missing.length) {
          yield { type: "error", error: { path: `${file} line ${line}`, message: `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}` } };
          return;
        }
        continue;
      }
      const row = new Map<string, string>();
      header.forEach((h, i) => row.set(h, rec.record[i] ?? ""));
      const r = toRecord(row);
      if (r.ok) yield { type: file === "nodes.csv" ? "node" : "edge", raw: r.raw, where: `${file} line ${line}` };
      else yield { type: "error", error: { path: `${file} line ${line}`, message: r.message } };
    }
  } catch (e) {
    yield { type: "error", error: { path: file, message: csvErrorMessage(e) } };
  }
}

function jsonAttributes(row: Map<string, string>): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  const raw = row.get("attributes");
  if (!raw) return { ok: true, value: {} };
  try {
    const v: unknown = JSON.parse(raw);
    if (v === null || typeof v !== "object" || Array.isArray(v)) return { ok: false, message: "the attributes column must hold a JSON object" };
    const problem = jsonShapeProblem(v, IMPORT_JSON_LIMITS, "attributes");
    if (problem) return { ok: false, message: `${problem.path}: ${problem.message}` };
    return { ok: true, value: v as Record<string, unknown> };
  } catch (e) {
    return { ok: false, message: `the attributes column is ${jsonErrorMessage(raw, e).replace(/ at line 1, column/, " at character")}` };
  }
}

function nodeFromRow(row: Map<string, string>): RowResult {
  const attrs = jsonAttributes(row);
  if (!attrs.ok) return attrs;
  const attributes = new Map(Object.entries(attrs.value));
  for (const [k, v] of row) if (!NODE_COLUMNS.includes(k) && k !== "attributes" && v !== "") attributes.set(k, v);
  const merged = Object.fromEntries(attributes);
  const problem = jsonShapeProblem(merged, IMPORT_JSON_LIMITS, "attributes");
  if (problem) return { ok: false, message: `${problem.path}: ${problem.message}` };
  return { ok: true, raw: { kind: row.get("kind"), externalId: row.get("externalId"), name: row.get("name"), attributes: merged } };
}

function edgeFromRow(row: Map<string, string>): RowResult {
  const attrs = jsonAttributes(row);
  if (!attrs.ok) return attrs;
  const end = (p: "from" | "to") => ({
    kind: row.get(`${p}Kind`),
    externalId: row.get(`${p}ExternalId`),
    ...(row.get(`${p}Source`) ? { source: row.get(`${p}Source`) } : {}),
  });
  return { ok: true, raw: { kind: row.get("kind"), from: end("from"), to: end("to"), attributes: attrs.value } };
}

/** A JSONL line is one line: its column is all the position there is. */
function columnOnly(message: string): string {
  return message.replace(/ at line 1, column (\d+)$/, " at column $1");
}

/** csv-parse's messages quote the offending field; only its kind and line are kept. */
function csvErrorMessage(e: unknown): string {
  const err = e as { code?: unknown; lines?: unknown };
  const code = typeof err.code === "string" && /^CSV_[A-Z_]{1,60}$/.test(err.code) ? err.code : null;
  const line = typeof err.lines === "number" ? ` at line ${err.lines}` : "";
  const what = code ? code.slice(4).toLowerCase().replace(/_/g, " ") : "unreadable";
  return `not valid CSV${line}: ${what}`;
}
