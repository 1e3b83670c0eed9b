/**
 * Where JSON stops being valid, without quoting it. Node 20's JSON.parse
 * messages quote the input (`Unexpected token 'g', "ghp_1234…" is not valid
 * JSON`), and inputs hold secrets, so its message is never forwarded: only a
 * position is, as line and column.
 */
import { lineColumn, parseJsonc } from "./jsonc";

/** Every JSON.parse failure the API reports: a position (when one can be found), never input text. */
export function jsonErrorMessage(text: string, e: unknown): string {
  const where = jsonErrorPosition(text, e);
  return where ? `not valid JSON at line ${where.line}, column ${where.column}` : "not valid JSON";
}

export function jsonErrorPosition(text: string, e: unknown): { line: number; column: number } | null {
  const message = e instanceof Error ? e.message : "";
  const at = /at position (\d+)/.exec(message);
  if (at) return lineColumn(text, Number(at[1]));
  if (/Unexpected end of JSON input/i.test(message)) return lineColumn(text, text.length);
  // V8 left the position out: our own bounded reader finds it (it allows comments, so it may find none).
  if (text.length > 64 * 1024 * 1024) return null;
  const r = parseJsonc(text, 10_000);
  return r.ok ? null : { line: r.error.line, column: r.error.column };
}
