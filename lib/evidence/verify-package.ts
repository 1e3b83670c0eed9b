import { MANIFEST_FORMAT, MANIFEST_PATH, sha256Hex, type Manifest } from "./manifest";
import { readZip } from "./zip";
import { hashEntry, readEntry, readZipDirectory, sha256Of, type RandomAccess } from "./zip-stream";

export interface FileCheck {
  path: string;
  ok: boolean;
  expectedSha256: string;
  actualSha256: string | null;
  problem?: string;
}

export interface PackageVerification {
  ok: boolean;
  /** SHA-256 of the package as received: worth writing down. */
  packageSha256: string;
  manifestSha256: string | null;
  manifest: Manifest | null;
  files: FileCheck[];
  problems: string[];
}

function isManifest(v: unknown): v is Manifest {
  const m = v as Manifest;
  return (
    typeof m === "object" &&
    m !== null &&
    Array.isArray(m.files) &&
    m.files.every((f) => typeof f?.path === "string" && typeof f.sha256 === "string" && typeof f.bytes === "number")
  );
}

type Facts = { sha256: string; bytes: number };

/**
 * The checks shared by both readers: every name once, a manifest that parses
 * and lists files with sizes and hashes, each listed file present with that
 * size and hash, nothing unlisted. The manifest may be anywhere in the archive
 * (first in packages built in memory, last in streamed ones): it is found by name.
 */
function check(
  out: PackageVerification,
  names: readonly string[],
  raw: Uint8Array | undefined,
  facts: (path: string) => Facts | undefined,
): PackageVerification {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) out.problems.push(`${name} appears more than once in the archive`);
    seen.add(name);
  }
  if (!raw) {
    out.problems.push(`${MANIFEST_PATH} is missing`);
    return out;
  }
  out.manifestSha256 = sha256Hex(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    out.problems.push(`${MANIFEST_PATH} is not valid JSON`);
    return out;
  }
  if (!isManifest(parsed)) {
    out.problems.push(`${MANIFEST_PATH} does not list files with their sizes and hashes`);
    return out;
  }
  out.manifest = parsed;
  if (parsed.format !== MANIFEST_FORMAT) out.problems.push(`unknown manifest format ${String(parsed.format)} (this tool checks ${MANIFEST_FORMAT})`);
  const listed = new Set<string>();
  for (const f of parsed.files) {
    listed.add(f.path);
    const data = facts(f.path);
    if (!data) {
      out.files.push({ path: f.path, ok: false, expectedSha256: f.sha256, actualSha256: null, problem: "missing from the package" });
      continue;
    }
    const problem =
      data.sha256 !== f.sha256
        ? "SHA-256 differs: the file was changed"
        : data.bytes !== f.bytes
          ? `size differs (${data.bytes} bytes, manifest says ${f.bytes})`
          : undefined;
    out.files.push({ path: f.path, ok: !problem, expectedSha256: f.sha256, actualSha256: data.sha256, ...(problem ? { problem } : {}) });
  }
  for (const name of seen) {
    if (name !== MANIFEST_PATH && !listed.has(name)) out.problems.push(`${name} is in the package but not in the manifest`);
  }
  if (out.files.length === 0) out.problems.push("the manifest lists no files");
  out.ok = out.problems.length === 0 && out.files.every((f) => f.ok);
  return out;
}

/**
 * Rechecks an evidence package held in memory: every file the manifest lists
 * is there with its size and SHA-256, nothing is in the package that the
 * manifest does not list, and no name appears twice. Needs nothing but the
 * package. For a package too large for memory (readZip's limits), use
 * verifyPackageStream.
 */
export function verifyPackage(zipBytes: Uint8Array): PackageVerification {
  const out: PackageVerification = { ok: false, packageSha256: sha256Hex(zipBytes), manifestSha256: null, manifest: null, files: [], problems: [] };
  let zip: ReturnType<typeof readZip>;
  try {
    zip = readZip(zipBytes);
  } catch (err) {
    out.problems.push(`not a readable zip archive: ${(err as Error).message}`);
    return out;
  }
  return check(out, zip.names, zip.files.get(MANIFEST_PATH), (path) => {
    const data = zip.files.get(path);
    return data ? { sha256: sha256Hex(data), bytes: data.byteLength } : undefined;
  });
}

/**
 * The same checks, reading the package in pieces (a file, or bytes): each
 * entry is inflated and hashed as a stream, so a package of a million-item
 * campaign verifies in bounded memory. Where a name repeats, the last copy is
 * hashed (the repeat is a problem either way).
 */
export async function verifyPackageStream(src: RandomAccess): Promise<PackageVerification> {
  const out: PackageVerification = { ok: false, packageSha256: await sha256Of(src), manifestSha256: null, manifest: null, files: [], problems: [] };
  const facts = new Map<string, Facts>();
  let names: string[];
  let raw: Uint8Array | undefined;
  try {
    const dir = await readZipDirectory(src);
    names = dir.map((e) => e.name);
    for (const e of dir) {
      if (e.name === MANIFEST_PATH) {
        raw = await readEntry(src, e);
        continue;
      }
      facts.set(e.name, await hashEntry(src, e));
    }
  } catch (err) {
    out.problems.push(`not a readable zip archive: ${(err as Error).message}`);
    return out;
  }
  return check(out, names, raw, (path) => facts.get(path));
}
