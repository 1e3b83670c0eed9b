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
export const SAFE_PATH = /^(?!.*\.\.)(?!\/)[A-Za-z0-9][A-Za-z0-9._/-]{0,200}$/;

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

/** What readZip inflates at most: evidence packages are far smaller; a zip bomb is far larger. */
export const READ_ZIP_LIMITS = { maxEntries: 10_000, maxEntryBytes: 256 * 1024 * 1024, maxTotalBytes: 512 * 1024 * 1024 };

/**
 * The entries of a zip, and every entry name in archive order, repeats
 * included (a verifier must notice a name that appears twice: tools disagree on
 * which copy they extract). Throws on a corrupt archive, and before inflating
 * anything on an archive that could not be a package: an entry path that is
 * absolute, climbs out with `..` or is otherwise not one buildZip writes, more
 * entries or more declared bytes than READ_ZIP_LIMITS (a zip bomb). fflate
 * inflates each entry into a buffer of its declared size, so an entry that
 * lies about its size is cut short (and then fails its SHA-256), never larger.
 */
export function readZip(bytes: Uint8Array, limits = READ_ZIP_LIMITS): { files: Map<string, Uint8Array>; names: string[] } {
  const names: string[] = [];
  let total = 0;
  const entries = unzipSync(bytes, {
    filter: (f) => {
      names.push(f.name);
      if (!SAFE_PATH.test(f.name) || /^\d+$/.test(f.name)) throw new Error(`entry ${JSON.stringify(f.name.slice(0, 200))} has an unsafe path`);
      if (names.length > limits.maxEntries) throw new Error(`more than ${limits.maxEntries} entries`);
      total += f.originalSize;
      if (f.originalSize > limits.maxEntryBytes || total > limits.maxTotalBytes) {
        throw new Error(`entry ${f.name} would inflate past the limit (${Math.round(Math.max(f.originalSize, total) / 1024 / 1024)} MB declared)`);
      }
      return true;
    },
  });
  return { files: new Map(Object.entries(entries)), names };
}
