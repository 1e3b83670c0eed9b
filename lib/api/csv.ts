import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";

/**
 * Formula-safe CSV (RFC 4180, UTF-8, CRLF, every text cell quoted).
 *
 * A spreadsheet treats a cell that starts with = + - @ (or a tab or CR, which
 * some strip first) as a formula, so names and justifications from imports or
 * reviewers could run in an auditor's spreadsheet (CSV injection). Such a cell
 * is written with a leading apostrophe, which spreadsheets show as text. Cells
 * that already start with an apostrophe get one too, so the escaping is exactly
 * reversible: a reader drops one leading apostrophe (readCsv does).
 * Full-width ＝ ＋ － ＠ are treated alike, as some spreadsheets fold them.
 */
const FORMULA_START = /^[=+\-@\t\r'\uFF1D\uFF0B\uFF0D\uFF20]/;

export type Cell = string | number | boolean | Date | null | undefined;

export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The inverse of neutraliseCell. */
export function restoreCell(value: string): string {
  return value.startsWith("'") ? value.slice(1) : value;
}

function cellText(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return v.toISOString();
  // A finite number is data, not a formula, whatever its sign.
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "true" : "false";
  return neutraliseCell(v);
}

/** A CSV document: one header row, then the rows, each as long as the header. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  for (const [i, r] of rows.entries()) {
    if (r.length !== header.length) throw new Error(`csv row ${i + 1} has ${r.length} cells, the header ${header.length}`);
  }
  return stringify([header.map((h) => neutraliseCell(h)), ...rows.map((r) => r.map(cellText))], {
    record_delimiter: "\r\n",
    quoted_string: true,
    quoted_empty: false,
    eof: true,
  });
}

/** Parses a CSV written by toCsv back to its header and text rows, undoing the neutralisation. */
export function readCsv(text: string): { header: string[]; rows: string[][] } {
  const records = parse(text, { bom: true, relax_column_count: false, skip_empty_lines: false }) as string[][];
  const [header = [], ...rows] = records.map((r) => r.map(restoreCell));
  return { header, rows };
}
