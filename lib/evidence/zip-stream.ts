import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { constants as Z, crc32, createInflateRaw, deflateRaw, deflateRawSync } from "node:zlib";
import { promisify } from "node:util";
import { SAFE_PATH } from "./zip";

/**
 * A zip written as it is produced (evidence of a campaign of a million items
 * never sits in memory): each entry is deflated in fixed 1 MiB blocks by
 * node:zlib, its CRC-32, size and SHA-256 computed on the way, sizes given in a
 * data descriptor after the data (general-purpose flag bit 3), the central
 * directory at the end. ZIP64 records are written where an offset or the entry
 * count needs them (past 4 GiB of archive, more than 65,535 entries); a single
 * entry of 4 GiB or more is refused (its data descriptor would need ZIP64 sizes
 * that readers only look for when the local header announced them, which a
 * streamed header cannot know), so an export that large fails clearly instead
 * of writing a package no tool reads.
 *
 * Deterministic like buildZip: fixed times (1980-01-01 00:00), fixed level,
 * no comments or extra fields, and the block boundaries depend only on the
 * bytes written, never on how they were split into writes.
 */

export interface ByteSink {
  /** Resolves when the sink can take more (backpressure). */
  write(chunk: Uint8Array): Promise<void> | void;
}

export interface EntryFacts {
  path: string;
  bytes: number;
  sha256: string;
}

const BLOCK = 1024 * 1024;
const LEVEL = 6;
const MAX32 = 0xffffffff;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const DOS_TIME = 0;
const deflateRawAsync = promisify(deflateRaw);
const enc = new TextEncoder();

interface Central {
  name: Uint8Array;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
}

export class ZipStreamWriter {
  private offset = 0;
  private readonly central: Central[] = [];
  private readonly names = new Set<string>();
  private open = false;
  private finished = false;

  constructor(private readonly sink: ByteSink) {}

  private async out(b: Uint8Array) {
    this.offset += b.byteLength;
    await this.sink.write(b);
  }

  /** Starts an entry; write to it, then end() it before the next. */
  entry(path: string): ZipEntryWriter {
    if (this.open) throw new Error("the previous zip entry is still open");
    if (this.finished) throw new Error("the zip is finished");
    if (!SAFE_PATH.test(path) || /^\d+$/.test(path)) throw new Error(`unsafe package path: ${path}`);
    if (this.names.has(path)) throw new Error(`duplicate package path: ${path}`);
    this.names.add(path);
    this.open = true;
    return new ZipEntryWriter(this, path, this.offset);
  }

  /** A whole entry at once. */
  async add(path: string, data: Uint8Array | string): Promise<EntryFacts> {
    const e = this.entry(path);
    await e.write(data);
    return e.end();
  }

  /** @internal */
  async _header(name: Uint8Array) {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    h.writeUInt16LE(0x0008, 6); // sizes and CRC in the data descriptor
    h.writeUInt16LE(8, 8); // deflate
    h.writeUInt16LE(DOS_TIME, 10);
    h.writeUInt16LE(DOS_DATE, 12);
    // CRC and sizes: zero here, in the data descriptor after the data.
    h.writeUInt16LE(name.byteLength, 26);
    h.writeUInt16LE(0, 28);
    await this.out(h);
    await this.out(name);
  }

  /** @internal */
  async _data(b: Uint8Array) {
    await this.out(b);
  }

  /** @internal */
  async _close(c: Central) {
    if (c.csize > MAX32 - 1 || c.usize > MAX32 - 1) {
      throw new Error(`zip entry ${new TextDecoder().decode(c.name)} reached 4 GiB: too large for a streamed entry (split the export)`);
    }
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(c.crc, 4);
    d.writeUInt32LE(c.csize, 8);
    d.writeUInt32LE(c.usize, 12);
    await this.out(d);
    this.central.push(c);
    this.open = false;
  }

  /** Writes the central directory. Returns the archive's size in bytes. */
  async finish(): Promise<number> {
    if (this.open) throw new Error("a zip entry is still open");
    this.finished = true;
    const cdStart = this.offset;
    for (const c of this.central) {
      const z64 = c.offset >= MAX32;
      const extra = z64 ? Buffer.alloc(12) : Buffer.alloc(0);
      if (z64) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(8, 2);
        extra.writeBigUInt64LE(BigInt(c.offset), 4);
      }
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(z64 ? 45 : 20, 4); // made by (MS-DOS attributes)
      h.writeUInt16LE(z64 ? 45 : 20, 6); // needed
      h.writeUInt16LE(0x0008, 8);
      h.writeUInt16LE(8, 10);
      h.writeUInt16LE(DOS_TIME, 12);
      h.writeUInt16LE(DOS_DATE, 14);
      h.writeUInt32LE(c.crc, 16);
      h.writeUInt32LE(c.csize, 20);
      h.writeUInt32LE(c.usize, 24);
      h.writeUInt16LE(c.name.byteLength, 28);
      h.writeUInt16LE(extra.byteLength, 30);
      // comment length, disk, internal and external attributes: 0
      h.writeUInt32LE(z64 ? MAX32 : c.offset, 42);
      await this.out(h);
      await this.out(c.name);
      if (extra.byteLength) await this.out(extra);
    }
    const cdSize = this.offset - cdStart;
    const count = this.central.length;
    if (count > 0xfffe || cdStart >= MAX32 || cdSize >= MAX32) {
      const z64End = this.offset;
      const r = Buffer.alloc(56);
      r.writeUInt32LE(0x06064b50, 0);
      r.writeBigUInt64LE(44n, 4);
      r.writeUInt16LE(45, 12);
      r.writeUInt16LE(45, 14);
      r.writeBigUInt64LE(BigInt(count), 24);
      r.writeBigUInt64LE(BigInt(count), 32);
      r.writeBigUInt64LE(BigInt(cdSize), 40);
      r.writeBigUInt64LE(BigInt(cdStart), 48);
      await this.out(r);
      const l = Buffer.alloc(20);
      l.writeUInt32LE(0x07064b50, 0);
      l.writeBigUInt64LE(BigInt(z64End), 8);
      l.writeUInt32LE(1, 16);
      await this.out(l);
    }
    const e = Buffer.alloc(22);
    e.writeUInt32LE(0x06054b50, 0);
    e.writeUInt16LE(Math.min(count, 0xffff), 8);
    e.writeUInt16LE(Math.min(count, 0xffff), 10);
    e.writeUInt32LE(Math.min(cdSize, MAX32), 12);
    e.writeUInt32LE(Math.min(cdStart, MAX32), 16);
    await this.out(e);
    return this.offset;
  }
}

export class ZipEntryWriter {
  private readonly name: Uint8Array;
  private readonly sha = createHash("sha256");
  private crc = 0;
  private usize = 0;
  private csize = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private started = false;
  private inflight: Promise<void> = Promise.resolve();

  constructor(
    private readonly zip: ZipStreamWriter,
    readonly path: string,
    private readonly offset: number,
  ) {
    this.name = enc.encode(path);
  }

  /** Adds bytes (strings as UTF-8). Resolves once whatever was compressed has been handed on. */
  async write(data: Uint8Array | string): Promise<void> {
    const b = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (b.byteLength === 0) return;
    if (!this.started) {
      this.started = true;
      await this.zip._header(this.name);
    }
    this.sha.update(b);
    this.crc = crc32(b, this.crc);
    this.usize += b.byteLength;
    this.pending.push(b);
    this.pendingBytes += b.byteLength;
    while (this.pendingBytes >= BLOCK) {
      const all = Buffer.concat(this.pending, this.pendingBytes);
      const block = all.subarray(0, BLOCK);
      const rest = all.subarray(BLOCK);
      this.pending = rest.byteLength ? [Buffer.from(rest)] : [];
      this.pendingBytes = rest.byteLength;
      await this.compress(block, Z.Z_SYNC_FLUSH);
    }
  }

  /**
   * Compresses a block off the event loop while the caller fills the next: at
   * most one block compresses in the background, and blocks reach the zip in
   * order. Each block is its own deflate run ending in a sync flush (an empty
   * stored block), the last one in a final block: together one valid deflate
   * stream whose bytes depend only on the data.
   */
  private async compress(block: Buffer, flush: number) {
    const previous = this.inflight;
    // Small blocks in line (a thread-pool round trip costs more than compressing them), large ones in the pool.
    const out =
      block.byteLength < 64 * 1024
        ? Promise.resolve(deflateRawSync(block, { level: LEVEL, finishFlush: flush }))
        : deflateRawAsync(block, { level: LEVEL, finishFlush: flush });
    out.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    this.inflight = (async () => {
      await previous;
      const b = await out;
      this.csize += b.byteLength;
      await this.zip._data(b);
    })();
    this.inflight.catch(() => undefined);
    await previous;
  }

  /** Ends the entry: its SHA-256 and size, as the manifest lists them. */
  async end(): Promise<EntryFacts> {
    if (!this.started) {
      this.started = true;
      await this.zip._header(this.name);
    }
    await this.compress(Buffer.concat(this.pending, this.pendingBytes), Z.Z_FINISH);
    await this.inflight;
    this.pending = [];
    await this.zip._close({ name: this.name, crc: this.crc >>> 0, csize: this.csize, usize: this.usize, offset: this.offset });
    return { path: this.path, bytes: this.usize, sha256: this.sha.digest("hex") };
  }
}

// ---------------------------------------------------------------------------
// Reading a package that may not fit in memory
// ---------------------------------------------------------------------------

/** What the streaming reader accepts: a package of a million-item campaign is hundreds of MB; a zip bomb is still refused. */
export const STREAM_ZIP_LIMITS = { maxEntries: 10_000, maxEntryBytes: 64 * 1024 ** 3, maxTotalBytes: 128 * 1024 ** 3 };

export interface RandomAccess {
  size: number;
  read(position: number, length: number): Promise<Uint8Array>;
}

export function bytesSource(bytes: Uint8Array): RandomAccess {
  return { size: bytes.byteLength, read: async (p, n) => bytes.subarray(p, Math.min(p + n, bytes.byteLength)) };
}

/** A file read in pieces; close() when done. */
export async function fileSource(path: string): Promise<RandomAccess & { close(): Promise<void> }> {
  const fh = await open(path, "r");
  const { size } = await fh.stat();
  return {
    size,
    async read(position, length) {
      const n = Math.max(0, Math.min(length, size - position));
      const buf = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(buf, got, n - got, position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    },
    close: () => fh.close(),
  };
}

export interface ZipDirEntry {
  name: string;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 2 ** 32;

/**
 * The central directory of a zip (ZIP64 included), every name in archive order
 * with repeats. Throws on a corrupt archive, an unsafe entry path, or more
 * entries or declared bytes than the limits, before inflating anything.
 */
export async function readZipDirectory(src: RandomAccess, limits = STREAM_ZIP_LIMITS): Promise<ZipDirEntry[]> {
  const tailLen = Math.min(src.size, 22 + 0xffff);
  const tail = await src.read(src.size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.byteLength - 22; i >= 0 && eocd < 0; i--) if (u32(tail, i) === 0x06054b50) eocd = i;
  if (eocd < 0) throw new Error("no end of central directory record");
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdStart = u32(tail, eocd + 16);
  if (count === 0xffff || cdSize === MAX32 || cdStart === MAX32) {
    const locAt = src.size - tailLen + eocd - 20;
    const loc = locAt >= 0 ? await src.read(locAt, 20) : new Uint8Array(0);
    if (loc.byteLength === 20 && u32(loc, 0) === 0x07064b50) {
      const rec = await src.read(u64(loc, 8), 56);
      if (rec.byteLength < 56 || u32(rec, 0) !== 0x06064b50) throw new Error("corrupt ZIP64 end of central directory");
      count = u64(rec, 32);
      cdSize = u64(rec, 40);
      cdStart = u64(rec, 48);
    }
  }
  if (count > limits.maxEntries) throw new Error(`more than ${limits.maxEntries} entries`);
  if (cdStart + cdSize > src.size) throw new Error("central directory past the end of the archive");
  const cd = await src.read(cdStart, cdSize);
  const out: ZipDirEntry[] = [];
  let p = 0;
  let total = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.byteLength || u32(cd, p) !== 0x02014b50) throw new Error("corrupt central directory");
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen));
    const e: ZipDirEntry = { name, method: u16(cd, p + 10), crc: u32(cd, p + 16), csize: u32(cd, p + 20), usize: u32(cd, p + 24), offset: u32(cd, p + 42) };
    const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    for (let q = 0; q + 4 <= extra.byteLength;) {
      const id = u16(extra, q);
      const len = u16(extra, q + 2);
      if (id === 0x0001) {
        let r = q + 4;
        if (e.usize === MAX32) {
          e.usize = u64(extra, r);
          r += 8;
        }
        if (e.csize === MAX32) {
          e.csize = u64(extra, r);
          r += 8;
        }
        if (e.offset === MAX32) e.offset = u64(extra, r);
      }
      q += 4 + len;
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (!SAFE_PATH.test(name) || /^\d+$/.test(name)) throw new Error(`entry ${JSON.stringify(name.slice(0, 200))} has an unsafe path`);
    total += e.usize;
    if (e.usize > limits.maxEntryBytes || total > limits.maxTotalBytes) {
      throw new Error(`entry ${name} would inflate past the limit (${Math.round(Math.max(e.usize, total) / 1024 / 1024)} MB declared)`);
    }
    out.push(e);
  }
  return out;
}

/** The uncompressed bytes of one entry, as they are inflated; never more than the entry declares. */
export async function* entryData(src: RandomAccess, e: ZipDirEntry): AsyncGenerator<Uint8Array> {
  const lh = await src.read(e.offset, 30);
  if (lh.byteLength < 30 || u32(lh, 0) !== 0x04034b50) throw new Error(`entry ${e.name}: corrupt local header`);
  const start = e.offset + 30 + u16(lh, 26) + u16(lh, 28);
  if (start + e.csize > src.size) throw new Error(`entry ${e.name} runs past the end of the archive`);
  async function* raw() {
    for (let p = 0; p < e.csize; p += BLOCK) yield Buffer.from(await src.read(start + p, Math.min(BLOCK, e.csize - p)));
  }
  if (e.method !== 0 && e.method !== 8) throw new Error(`entry ${e.name}: unsupported compression method ${e.method}`);
  const stream = e.method === 0 ? Readable.from(raw()) : Readable.from(raw()).pipe(createInflateRaw());
  let got = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const room = e.usize - got;
    if (room <= 0) break;
    const piece = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
    got += piece.byteLength;
    yield piece;
  }
  stream.destroy();
}

/** SHA-256 and size of an entry's data, streamed. */
export async function hashEntry(src: RandomAccess, e: ZipDirEntry): Promise<{ sha256: string; bytes: number }> {
  const h = createHash("sha256");
  let bytes = 0;
  for await (const c of entryData(src, e)) {
    h.update(c);
    bytes += c.byteLength;
  }
  return { sha256: h.digest("hex"), bytes };
}

/** The whole of a small entry (the manifest), refusing one larger than maxBytes. */
export async function readEntry(src: RandomAccess, e: ZipDirEntry, maxBytes = 64 * 1024 * 1024): Promise<Uint8Array> {
  if (e.usize > maxBytes) throw new Error(`${e.name} is larger than ${maxBytes} bytes`);
  const parts: Uint8Array[] = [];
  for await (const c of entryData(src, e)) parts.push(c);
  return Buffer.concat(parts);
}

/** SHA-256 of the whole package, read in pieces. */
export async function sha256Of(src: RandomAccess): Promise<string> {
  const h = createHash("sha256");
  for (let p = 0; p < src.size; p += BLOCK) h.update(await src.read(p, Math.min(BLOCK, src.size - p)));
  return h.digest("hex");
}
