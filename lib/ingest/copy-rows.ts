import { once } from "node:events";
import { from as copyFrom } from "pg-copy-streams";
import type { Db } from "@/db/client";

/** One value in COPY's text format (null is `\N`). */
export function copyValue(v: string | null): string {
  if (v === null) return "\\N";
  // Fast path: most values hold none of the four characters COPY escapes.
  if (!/[\\\t\n\r]/.test(v)) return v;
  return v.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

/** One row in COPY's text format, newline included. */
export const copyLine = (values: (string | null)[]): string => `${values.map(copyValue).join("\t")}\n`;

/** Slices handed to the COPY stream: per-row writes are slow (see ../shared PERFORMANCE-NOTES), 64 KB ones are not. */
const WRITE_BYTES = 64 * 1024;

type PgClient = { query(stream: unknown): unknown };
type PgliteTx = { query(q: string, params: unknown[], options: { blob: Blob }): Promise<unknown> };

/**
 * The raw client behind a drizzle transaction: node-postgres's PoolClient or PGlite's transaction. drizzle keeps it
 * on the transaction's session (`tx.session.client`, both drivers); this is the one place that reaches for it.
 */
function rawClient(tx: Db): { kind: "postgres"; client: PgClient } | { kind: "pglite"; client: PgliteTx } {
  const client = (tx as unknown as { session?: { client?: unknown } }).session?.client as Record<string, unknown> | undefined;
  if (!client || typeof client.query !== "function") throw new Error("copyRows needs a drizzle transaction (node-postgres or PGlite)");
  // PGlite's transaction has exec/rollback and no socket; node-postgres's client has a connection.
  if ("connection" in client) return { kind: "postgres", client: client as unknown as PgClient };
  return { kind: "pglite", client: client as unknown as PgliteTx };
}

/**
 * Appends rows, already in COPY text format (see copyLine), to `table` inside the transaction `tx`:
 * PostgreSQL through `COPY … FROM STDIN` (pg-copy-streams) on the transaction's own connection, PGlite through
 * `COPY … FROM '/dev/blob'`. `table` and `columns` are trusted identifiers (never input).
 */
export async function copyRows(tx: Db, table: string, columns: readonly string[], lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const raw = rawClient(tx);
  if (raw.kind === "pglite") {
    await raw.client.query(`copy ${table} (${columns.join(", ")}) from '/dev/blob'`, [], { blob: new Blob(lines) });
    return;
  }
  const stream = raw.client.query(copyFrom(`copy ${table} (${columns.join(", ")}) from stdin`)) as NodeJS.WritableStream & NodeJS.EventEmitter;
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  let batch: string[] = [];
  let size = 0;
  const write = async (chunk: string) => {
    if (!stream.write(chunk)) await Promise.race([once(stream, "drain"), done]);
  };
  for (const l of lines) {
    batch.push(l);
    size += l.length;
    if (size >= WRITE_BYTES) {
      await write(batch.join(""));
      batch = [];
      size = 0;
    }
  }
  if (batch.length) await write(batch.join(""));
  stream.end();
  await done;
}
