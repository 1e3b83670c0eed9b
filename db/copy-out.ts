import { StringDecoder } from "node:string_decoder";
import type { Readable } from "node:stream";
import { to as copyTo } from "pg-copy-streams";
import type { Db } from "./client";

type PgClient = { query(stream: unknown): Readable };

/** node-postgres's client behind a drizzle transaction; undefined on PGlite (whose client has no connection). */
function pgClientOf(tx: Db): PgClient | undefined {
  const client = (tx as unknown as { session?: { client?: Record<string, unknown> } }).session?.client;
  return client && typeof client.query === "function" && "connection" in client ? (client as unknown as PgClient) : undefined;
}

/** COPY text format's backslash escapes (\t, \n, \\ …), undone; only lines that have one pay for it. */
function unescapeCopy(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ({ t: "\t", n: "\n", r: "\r", b: "\b", f: "\f", v: "\v" })[c] ?? c);
}

/**
 * Streams `query`'s rows of exactly three text columns out of PostgreSQL with `COPY (query) TO STDOUT` on the
 * transaction's own connection (so in its snapshot), calling `onRow` per row without making a row object: at
 * 10M rows that is what a cursor's row objects cost most of the time in. Answers false on PGlite (the caller reads
 * another way); `query` is trusted SQL, never user input.
 */
export async function copyOutTriples(tx: Db, query: string, onRow: (a: string, b: string, c: string) => void): Promise<boolean> {
  const client = pgClientOf(tx);
  if (!client) return false;
  const stream = client.query(copyTo(`copy (${query}) to stdout`));
  const decoder = new StringDecoder("utf8");
  let rest = "";
  const take = (text: string) => {
    let at = 0;
    for (;;) {
      const nl = text.indexOf("\n", at);
      if (nl < 0) break;
      const t1 = text.indexOf("\t", at);
      const t2 = text.indexOf("\t", t1 + 1);
      if (t1 < 0 || t2 < 0 || t2 > nl) throw new Error("copy out: a row without three columns");
      let a = text.slice(at, t1);
      let b = text.slice(t1 + 1, t2);
      let c = text.slice(t2 + 1, nl);
      if (a.includes("\\") || b.includes("\\") || c.includes("\\")) [a, b, c] = [unescapeCopy(a), unescapeCopy(b), unescapeCopy(c)];
      onRow(a, b, c);
      at = nl + 1;
    }
    return text.slice(at);
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) rest = take(rest + decoder.write(chunk));
  rest = take(rest + decoder.end());
  if (rest) throw new Error("copy out: the last row was cut short");
  return true;
}

/**
 * Streams `query`'s rows of exactly three non-negative whole-number columns out of PostgreSQL (`COPY … TO STDOUT`
 * on the transaction's connection, so in its snapshot), parsing digits straight from the bytes: no strings, no row
 * objects. At L's 10M access edges this is what makes the index build's edge read cheap (the server has already
 * turned node ids into node numbers). Answers false on PGlite; `query` is trusted SQL, never user input.
 */
export async function copyOutIntTriples(tx: Db, query: string, onRow: (a: number, b: number, c: number) => void): Promise<boolean> {
  const client = pgClientOf(tx);
  if (!client) return false;
  const stream = client.query(copyTo(`copy (${query}) to stdout`));
  let field = 0;
  let cur = 0;
  let a = 0;
  let b = 0;
  let inRow = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c >= 48 && c <= 57) {
        cur = cur * 10 + (c - 48);
        inRow = true;
      } else if (c === 9) {
        if (field === 0) a = cur;
        else if (field === 1) b = cur;
        else throw new Error("copy out: a row with more than three columns");
        field++;
        cur = 0;
        inRow = true;
      } else if (c === 10) {
        if (field !== 2) throw new Error("copy out: a row without three columns");
        onRow(a, b, cur);
        field = 0;
        cur = 0;
        inRow = false;
      } else throw new Error("copy out: a column that is not a whole number");
    }
  }
  if (inRow) throw new Error("copy out: the last row was cut short");
  return true;
}
