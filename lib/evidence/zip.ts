import { unzipSync, zipSync, type Zippable } from "fflate";

export interface PackageFile {
  /** A relative path inside the package: letters, digits, . _ - and /. */
  path: string;
  data: Uint8Array;
}

/**
 * Every entry's modification time. DOS timestamps in a zip are local wall-clock
 * fields, so the date is built from local fields: 1980-01-01 00:00 (the DOS
 * epoch, as reproducible-build tools use) in every time zone.
 */
const fixedMtime = () => new Date(1980, 0, 1, 0, 0, 0);
const SAFE_PATH = /^(?!.*\.\.)(?!\/)[A-Za-z0-9][A-Za-z0-9._/-]{0,200}$/;

/**
 * A deterministic zip: entries in the order given, fixed times, fixed
 * compression level, no comments or extra fields, so the same files always give
 * the same bytes (and the same hash).
 */
export function buildZip(files: readonly PackageFile[]): Uint8Array {
  const mtime = fixedMtime();
  const zippable: Zippable = {};
  for (const f of files) {
    // Object keys that look like integers would be reordered by JavaScript; paths with an extension never do.
    if (!SAFE_PATH.test(f.path) || /^\d+$/.test(f.path)) throw new Error(`unsafe package path: ${f.path}`);
    if (f.path in zippable) throw new Error(`duplicate package path: ${f.path}`);
    zippable[f.path] = [f.data, { level: 6, mtime }];
  }
  return zipSync(zippable, { level: 6, mtime });
}

/**
 * The entries of a zip, and every entry name in archive order, repeats
 * included (a verifier must notice a name that appears twice: tools disagree on
 * which copy they extract). Throws on a corrupt archive.
 */
export function readZip(bytes: Uint8Array): { files: Map<string, Uint8Array>; names: string[] } {
  const names: string[] = [];
  const entries = unzipSync(bytes, {
    filter: (f) => {
      names.push(f.name);
      return true;
    },
  });
  return { files: new Map(Object.entries(entries)), names };
}
