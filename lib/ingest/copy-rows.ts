import { once } from "node:events";
import type { Writable } from "node:stream";
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

/** Slices handed to the COPY stream: per-row writes are slow (see PERFORMANCE-NOTES), 64 KB ones are not. */
const WRITE_CHARS = 64 * 1024;
/** PGlite: rows are handed over in blobs of about this many characters. */
const BLOB_CHARS = 1 << 20;

type PgClient = { query(stream: unknown): unknown };
type PgliteTx = { query(q: string, params: unknown[], options: { blob: Blob }): Promise<unknown> };

/**
 * The raw client behind a drizzle transaction: node-postgres's PoolClient or PGlite's transaction. drizzle keeps it
 * on the transaction's session (`tx.session.client`, both drivers); this is the one place that reaches for it.
 */
function rawClient(tx: Db): { kind: "postgres"; client: PgClient } | { kind: "pglite"; client: PgliteTx } {
  const client = (tx as unknown as { session?: { client?: unknown } }).session?.client as Record<string, unknown> | undefined;
  if (!client || typeof client.query !== "function") throw new Error("copy rows needs a drizzle transaction (node-postgres or PGlite)");
  // node-postgres's client has a connection; PGlite's transaction has none.
  if ("connection" in client) return { kind: "postgres", client: client as unknown as PgClient };
  return { kind: "pglite", client: client as unknown as PgliteTx };
}

/**
 * Appends rows, in COPY text format (see copyLine), to `table` inside the transaction `tx`, as they come:
 * - PostgreSQL: one `COPY … FROM STDIN` (pg-copy-streams) on the transaction's own connection, open from the first
 *   row to end(), fed in 64 KB slices, so the server loads rows while the caller reads and checks the next ones;
 *   the connection can run nothing else meanwhile: end() (or abort()) before any other statement of `tx`;
 * - PGlite: `COPY … FROM '/dev/blob'`, one blob per megabyte of rows.
 * `table` and `columns` are trusted identifiers (never input).
 */
export class CopyWriter {
  private parts: string[] = [];
  private chars = 0;
  private stream: (Writable & { on(e: string, f: (...a: unknown[]) => void): unknown }) | null = null;
  private done: Promise<void> | null = null;
  /** The COPY's failure, once the server refused it: every later write throws it. */
  private failure: Error | null = null;
  private readonly raw: ReturnType<typeof rawClient>;
  /** Which engine the transaction runs on. */
  readonly engine: "postgres" | "pglite";
  private readonly statement: string;

  constructor(tx: Db, table: string, columns: readonly string[]) {
    this.raw = rawClient(tx);
    this.engine = this.raw.kind;
    this.statement = `copy ${table} (${columns.join(", ")}) from ${this.raw.kind === "postgres" ? "stdin" : "'/dev/blob'"}`;
  }

  /** Adds one row (a copyLine); resolves when the buffered text may grow again. */
  async write(line: string): Promise<void> {
    this.parts.push(line);
    this.chars += line.length;
    if (this.chars >= (this.raw.kind === "postgres" ? WRITE_CHARS : BLOB_CHARS)) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.parts.length === 0) return;
    const parts = this.parts;
    this.parts = [];
    this.chars = 0;
    if (this.raw.kind === "pglite") {
      await this.raw.client.query(this.statement, [], { blob: new Blob(parts) });
      return;
    }
    if (!this.stream) {
      const stream = this.raw.client.query(copyFrom(this.statement)) as NonNullable<CopyWriter["stream"]>;
      this.done = new Promise<void>((resolve, reject) => {
        stream.on("finish", () => resolve());
        stream.on("error", (e) => {
          this.failure ??= e as Error;
          reject(e as Error);
        });
      });
      // Awaited in end(); a failure surfaces there or at the next write.
      this.done.catch(() => undefined);
      this.stream = stream;
    }
    if (!this.stream.write(parts.join(""))) await Promise.race([once(this.stream, "drain"), this.done]);
  }

  /** Sends what is buffered and closes the COPY: the rows are in the table once this resolves. */
  async end(): Promise<void> {
    await this.flush();
    const { stream, done } = this;
    this.stream = null;
    this.done = null;
    if (!stream) return;
    stream.end();
    await done;
  }

  /** Gives up an open COPY (the transaction is about to roll back): the server ends it with an error, the connection stays usable. */
  async abort(): Promise<void> {
    this.parts = [];
    this.chars = 0;
    const { stream, done } = this;
    this.stream = null;
    this.done = null;
    if (!stream) return;
    stream.destroy(new Error("import abandoned"));
    await done?.catch(() => undefined);
  }
}
