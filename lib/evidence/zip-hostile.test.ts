import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { buildZip, readZip } from "./zip";
import { verifyPackage } from "./verify-package";

/**
 * Issue #8, archive inputs: `npm run evidence:verify` reads packages that may
 * come from anywhere. A zip bomb is refused from its declared sizes before
 * anything is inflated; entry paths that climb out, are absolute or are not
 * ones Attest writes are refused by name. Nothing is ever written to disk.
 */

/** A one-entry zip named `name`: written under a placeholder of the same length, then renamed in place (so names fflate would not write, like __proto__, can be tested). */
function small(name = "a.txt"): Uint8Array {
  const placeholder = "p".repeat(new TextEncoder().encode(name).length);
  const zip = zipSync({ [placeholder]: new TextEncoder().encode("hello") });
  const from = new TextEncoder().encode(placeholder);
  const to = new TextEncoder().encode(name);
  for (let i = 0; i + from.length <= zip.length; i++) if (from.every((b, j) => zip[i + j] === b)) zip.set(to, i);
  return zip;
}

/** Rewrites the uncompressed size every central-directory and local header declares, as a bomb's would read. */
function declareSize(zip: Uint8Array, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x02014b50) view.setUint32(i + 24, size, true); // central directory: uncompressed size
    if (sig === 0x04034b50) view.setUint32(i + 22, size, true); // local header: uncompressed size
  }
  return out;
}

describe("reading untrusted zips", () => {
  it("a package Attest wrote reads back whole", () => {
    const zip = buildZip([
      { path: "README.txt", data: new TextEncoder().encode("x") },
      { path: "items/items.csv", data: new TextEncoder().encode("a,b") },
    ]);
    expect([...readZip(zip).files.keys()]).toEqual(["README.txt", "items/items.csv"]);
  });

  it("an entry declaring more than the limit is refused before it is inflated", () => {
    const bomb = declareSize(small(), 3_000_000_000);
    expect(() => readZip(bomb)).toThrow(/would inflate past the limit/);
    expect(verifyPackage(bomb).problems[0]).toMatch(/^not a readable zip archive: entry a\.txt would inflate past the limit/);
  });

  it("many entries whose declared sizes add up past the total limit are refused", () => {
    const files = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}.txt`, new Uint8Array(10)]));
    expect(() => readZip(zipSync(files), { maxEntries: 100, maxEntryBytes: 100, maxTotalBytes: 35 })).toThrow(/f3\.txt would inflate past the limit/);
    expect(() => readZip(zipSync(files), { maxEntries: 3, maxEntryBytes: 100, maxTotalBytes: 1000 })).toThrow(/more than 3 entries/);
  });

  it("an entry that declares less than it holds inflates to no more than it declared", () => {
    expect(readZip(declareSize(small(), 2)).files.get("a.txt")!.length).toBeLessThanOrEqual(2);
  });

  it("path traversal, absolute paths, backslashes and __proto__ are refused by name", () => {
    for (const name of ["../evil.txt", "a/../../evil.txt", "/etc/passwd", "C:\\\\evil.txt", "..\\\\evil.txt", "__proto__", ".hidden"]) {
      expect(() => readZip(small(name)), name).toThrow(/has an unsafe path/);
      expect(verifyPackage(small(name)).ok, name).toBe(false);
    }
  });
});
