import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { strToU8, unzipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { toCsv } from "@/lib/api/csv";
import { GENESIS_HASH } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { csvLine, Spool } from "./csv-stream";
import { MANIFEST_PATH } from "./manifest";
import { buildEvidencePackage, StreamedEvidencePackage } from "./package";
import { verifyPackage, verifyPackageStream } from "./verify-package";
import { bytesSource, entryData, readZipDirectory, ZipStreamWriter } from "./zip-stream";

const dir = mkdtempSync(path.join(os.tmpdir(), "attest-zip-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sink that keeps what it is given, and how many writes it took. */
function collector() {
  const parts: Uint8Array[] = [];
  return {
    parts,
    write: (b: Uint8Array) => void parts.push(Uint8Array.from(b)),
    bytes: () => new Uint8Array(Buffer.concat(parts)),
  };
}

const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");
// Compressible but not trivially so: 3 MiB of CSV-like lines, crossing several 1 MiB blocks.
const big = Array.from({ length: 40_000 }, (_, k) => `"itm_${k}","subject ${k % 977}","member_of","group ${k % 13}"\r\n`).join("");

async function zipOf(files: [string, string | Uint8Array][], pieces = 1): Promise<Uint8Array> {
  const out = collector();
  const z = new ZipStreamWriter(out);
  for (const [name, data] of files) {
    const e = z.entry(name);
    const b = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
    const step = Math.ceil(b.byteLength / pieces) || 1;
    for (let p = 0; p < b.byteLength; p += step) await e.write(b.subarray(p, p + step));
    await e.end();
  }
  await z.finish();
  return out.bytes();
}

describe("streaming zip writer", () => {
  it("writes entries other tools read back exactly (fflate, Info-ZIP unzip -t), with data descriptors", async () => {
    const bin = randomBytes(70_000);
    const zip = await zipOf([
      ["a.txt", "hello"],
      ["empty.txt", ""],
      ["items/big.csv", big],
      ["bin.dat", bin],
    ]);
    const back = unzipSync(zip);
    expect(Object.keys(back)).toEqual(["a.txt", "empty.txt", "items/big.csv", "bin.dat"]);
    expect(new TextDecoder().decode(back["items/big.csv"])).toBe(big);
    expect(sha(back["bin.dat"]!)).toBe(sha(bin));
    expect(back["empty.txt"]!.byteLength).toBe(0);
    expect(zip.byteLength).toBeLessThan(big.length / 4); // it is compressed
    const file = path.join(dir, "t.zip");
    writeFileSync(file, zip);
    const t = spawnSync("unzip", ["-t", file], { encoding: "utf8" });
    expect(t.status, t.stdout + t.stderr).toBe(0);
    expect(t.stdout).toContain("No errors detected");
    // Its own reader, entry by entry.
    const src = bytesSource(zip);
    const entries = await readZipDirectory(src);
    expect(entries.map((e) => [e.name, e.usize])).toEqual([
      ["a.txt", 5],
      ["empty.txt", 0],
      ["items/big.csv", big.length],
      ["bin.dat", 70_000],
    ]);
    const parts: Uint8Array[] = [];
    for await (const c of entryData(src, entries[2]!)) parts.push(c);
    expect(Buffer.concat(parts).toString()).toBe(big);
  });

  it("is deterministic: the same files give the same bytes however the writes were split", async () => {
    const files: [string, string][] = [
      ["README.txt", "x"],
      ["items.csv", big],
    ];
    const one = await zipOf(files, 1);
    expect(sha(await zipOf(files, 7))).toBe(sha(one));
    expect(sha(await zipOf(files, 1000))).toBe(sha(one));
  });

  it("refuses unsafe and repeated paths, and a second open entry", async () => {
    const z = new ZipStreamWriter(collector());
    expect(() => z.entry("../evil.txt")).toThrow(/unsafe package path/);
    expect(() => z.entry("/abs.txt")).toThrow(/unsafe package path/);
    const e = z.entry("a.txt");
    expect(() => z.entry("b.txt")).toThrow(/still open/);
    await e.end();
    expect(() => z.entry("a.txt")).toThrow(/duplicate package path/);
  });

  it("writes ZIP64 end records past 65,535 entries, and reads them back", async () => {
    const out = collector();
    const z = new ZipStreamWriter(out);
    for (let k = 0; k < 65_537; k++) await z.add(`f${k}.txt`, k % 1000 === 0 ? `${k}` : "");
    await z.finish();
    const zip = out.bytes();
    const entries = await readZipDirectory(bytesSource(zip), { maxEntries: 70_000, maxEntryBytes: 10, maxTotalBytes: 1e6 });
    expect(entries).toHaveLength(65_537);
    expect(entries.at(-1)!.name).toBe("f65536.txt");
    const file = path.join(dir, "many.zip");
    writeFileSync(file, zip);
    const t = spawnSync("unzip", ["-l", file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/65537 files/);
  });
});

describe("streamed evidence packages", () => {
  const input = {
    kind: "access_report" as const,
    id: "rpt_stream",
    title: "Streamed",
    generatedAt: new Date("2026-01-01T00:00:00Z"),
    actor: systemActor("test"),
    chain: { ok: true, entries: 0, head: GENESIS_HASH },
  };

  async function streamed() {
    const out = collector();
    const pkg = new StreamedEvidencePackage(out, "Streamed", ["items.csv", "empty.csv"]);
    await pkg.file("items.csv", async (e) => {
      for (let p = 0; p < big.length; p += 100_000) await e.write(big.slice(p, p + 100_000));
    });
    await pkg.file("empty.csv", async () => undefined);
    const { manifest } = await pkg.finish(input);
    return { zip: out.bytes(), manifest };
  }

  it("puts manifest.json last, says so in README.txt, and verifies in memory and streamed", async () => {
    const { zip, manifest } = await streamed();
    const names = Object.keys(unzipSync(zip));
    expect(names).toEqual(["README.txt", "items.csv", "empty.csv", MANIFEST_PATH]);
    expect(new TextDecoder().decode(unzipSync(zip)["README.txt"])).toContain("manifest.json is its LAST entry");
    expect(manifest.files.find((f) => f.path === "items.csv")).toMatchObject({ bytes: big.length, sha256: sha(big) });
    expect(verifyPackage(zip)).toMatchObject({ ok: true, problems: [] });
    const v = await verifyPackageStream(bytesSource(zip));
    expect(v).toMatchObject({ ok: true, problems: [], packageSha256: sha(zip) });
    expect(v.files.map((f) => f.path)).toEqual(["README.txt", "items.csv", "empty.csv"]);
  });

  it("the streamed verifier accepts an older package (manifest first) and catches a changed file in either", async () => {
    const old = buildEvidencePackage(input, [{ path: "rows.csv", data: strToU8('"a"\r\n"1"\r\n') }]).zip;
    expect(Object.keys(unzipSync(old))[0]).toBe(MANIFEST_PATH);
    expect(await verifyPackageStream(bytesSource(old))).toMatchObject({ ok: true });
    // Flip one byte inside items.csv's compressed data: the CRC, the hash or the inflate notices.
    const { zip } = await streamed();
    const at = Buffer.from(zip).indexOf("items.csv") + 200;
    const bad = Uint8Array.from(zip);
    bad[at] = bad[at]! ^ 0xff;
    const v = await verifyPackageStream(bytesSource(bad));
    expect(v.ok).toBe(false);
    expect(verifyPackage(bad).ok).toBe(false);
    expect((await verifyPackageStream(bytesSource(strToU8("not a zip")))).problems[0]).toMatch(/not a readable zip archive/);
  });

  it("the streamed reader refuses a bomb by its declared size before inflating", async () => {
    const zip = await zipOf([["a.txt", "x".repeat(5000)]]);
    await expect(readZipDirectory(bytesSource(zip), { maxEntries: 10, maxEntryBytes: 1000, maxTotalBytes: 1000 })).rejects.toThrow(
      /would inflate past the limit/,
    );
  });
});

describe("streamed CSV", () => {
  it("csvLine writes exactly what toCsv writes, hostile cells included", () => {
    const rows = [
      ["=1+1", "+x", "-y", "@z", "'q", "\tt", 'say "hi"', "a,b", "line\nbreak", "", null, undefined, 3, -4.5, true, false, new Date(0), "Zoë ＝"],
      ["plain", "", "", "", "", "", "", "", "", "", "", "", 0, 0, false, true, new Date(1), ""],
    ];
    const header = rows[0]!.map((_, k) => `c${k}`);
    expect(csvLine(header) + rows.map(csvLine).join("")).toBe(toCsv(header, rows));
  });

  it("a spool keeps small text in memory and spills large text to a file, in order", async () => {
    const small = new Spool(100);
    await small.write("a");
    await small.write("b");
    expect(small.spilled).toBe(false);
    const got: string[] = [];
    await small.drain({ write: (b) => void got.push(typeof b === "string" ? b : Buffer.from(b).toString()) });
    expect(got.join("")).toBe("ab");
    const large = new Spool(100);
    for (let k = 0; k < 50; k++) await large.write(`line ${k}\n`);
    expect(large.spilled).toBe(true);
    const back: string[] = [];
    await large.drain({ write: (b) => void back.push(typeof b === "string" ? b : Buffer.from(b).toString()) });
    expect(back.join("")).toBe(Array.from({ length: 50 }, (_, k) => `line ${k}\n`).join(""));
    await large.cleanup();
    await small.cleanup();
  });
});
