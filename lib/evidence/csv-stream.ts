import { createReadStream } from "node:fs";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { neutraliseCell, type Cell } from "@/lib/api/csv";

/**
 * One CSV line as toCsv (lib/api/csv.ts) writes it — every non-empty cell
 * quoted, quotes doubled, formula-safe, CRLF — for files written a row at a
 * time. campaign-evidence.db.test.ts checks the streamed items.csv is
 * byte-identical to toCsv's.
 */
export function csvLine(cells: readonly Cell[]): string {
  let line = "";
  for (let k = 0; k < cells.length; k++) {
    const v = cells[k];
    const s =
      v === null || v === undefined
        ? ""
        : v instanceof Date
          ? v.toISOString()
          : typeof v === "number"
            ? Number.isFinite(v)
              ? String(v)
              : ""
            : typeof v === "boolean"
              ? v
                ? "true"
                : "false"
              : neutraliseCell(v);
    if (k) line += ",";
    if (s !== "") line += `"${s.includes('"') ? s.replaceAll('"', '""') : s}"`;
  }
  return `${line}\r\n`;
}

/**
 * Text kept in memory up to `limit` bytes, then in a temporary file: for rows
 * found during one pass that go into a file written after it (reviewer
 * independence exceptions), without holding them all when there are many.
 */
export class Spool {
  private mem: string[] = [];
  private memBytes = 0;
  private file: string | null = null;
  private dir: string | null = null;

  constructor(private readonly limit = 1024 * 1024) {}

  async write(text: string): Promise<void> {
    if (this.file) return appendFile(this.file, text, "utf8");
    this.mem.push(text);
    this.memBytes += Buffer.byteLength(text);
    if (this.memBytes > this.limit) {
      this.dir = await mkdtemp(path.join(os.tmpdir(), "attest-evidence-"));
      this.file = path.join(this.dir, "spool.txt");
      await appendFile(this.file, this.mem.join(""), "utf8");
      this.mem = [];
    }
  }

  /** Whether it spilled to disk (tests). */
  get spilled(): boolean {
    return this.file !== null;
  }

  /** Hands everything written, in order, to `out`. */
  async drain(out: { write(b: Uint8Array | string): Promise<void> | void }): Promise<void> {
    if (!this.file) {
      for (const t of this.mem) await out.write(t);
      return;
    }
    for await (const chunk of createReadStream(this.file, { highWaterMark: 1024 * 1024 })) await out.write(chunk as Buffer);
  }

  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = this.file = null;
    this.mem = [];
  }
}
