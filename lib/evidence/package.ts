import pkg from "@/package.json";
import { buildManifest, MANIFEST_PATH, manifestBytes, type Manifest, type ManifestInput } from "./manifest";
import { buildZip, type PackageFile } from "./zip";
import { ZipStreamWriter, type ByteSink, type EntryFacts, type ZipEntryWriter } from "./zip-stream";

export const README_PATH = "README.txt";

function readme(title: string, paths: readonly string[], manifestLast = false): string {
  return [
    title,
    "",
    "An evidence package exported from Attest. manifest.json lists every other file with its",
    "size and SHA-256, says who exported it and when (UTC), and records the head of Attest's",
    "hash-chained audit log at that moment and whether the whole chain verified.",
    manifestLast
      ? "This package was written as it was read (streamed), so manifest.json is its LAST entry,"
      : "In this package manifest.json is the first entry; packages written as they are read",
    manifestLast
      ? "after the files it lists (older or in-memory packages have it first; verifiers find it by name)."
      : "(streamed: campaign evidence) have it last. Verifiers find it by name either way.",
    "",
    "To check the files have not changed since:",
    "  npm run evidence:verify -- <this file>.zip        (in an Attest checkout), or by hand:",
    "  unzip the package, run `sha256sum` on each file and compare with manifest.json.",
    "To check the audit log still contains the recorded head (nothing was removed since):",
    "  npm run audit:verify -- --anchor <auditChain.head from manifest.json>",
    "",
    "CSV files are UTF-8 (RFC 4180). A cell that would start with = + - @ ' a tab or a CR",
    "is written with a leading apostrophe, so no spreadsheet runs it as a formula; drop",
    "that one apostrophe to get the original text.",
    "",
    "Files:",
    ...paths.map((p) => `  ${p}`),
    "",
  ].join("\r\n");
}

/**
 * An evidence package: manifest.json, README.txt, then the files in the order
 * given, as a deterministic zip. Identical files give identical bytes for all
 * but manifest.json, whose generatedAt (and chain head) tell exports apart.
 */
export function buildEvidencePackage(
  input: Omit<ManifestInput, "files" | "appVersion">,
  files: readonly PackageFile[],
): { zip: Uint8Array; manifest: Manifest } {
  const all = [
    {
      path: README_PATH,
      data: new TextEncoder().encode(
        readme(
          input.title,
          files.map((f) => f.path),
        ),
      ),
    },
    ...files,
  ];
  const manifest = buildManifest({ ...input, appVersion: pkg.version, files: all });
  return { zip: buildZip([{ path: MANIFEST_PATH, data: manifestBytes(manifest) }, ...all]), manifest };
}

/**
 * An evidence package written as it is produced (campaign evidence): README.txt
 * first, then each file streamed into the zip with its SHA-256 computed on the
 * way, then manifest.json LAST (its hashes are only known once the files are
 * written), then the central directory. The same files still give the same
 * bytes for all but manifest.json.
 */
export class StreamedEvidencePackage {
  private readonly zip: ZipStreamWriter;
  private readonly facts: EntryFacts[] = [];
  private next = 0;

  constructor(
    sink: ByteSink,
    private readonly title: string,
    private readonly paths: readonly string[],
  ) {
    this.zip = new ZipStreamWriter(sink);
  }

  private async start() {
    if (this.facts.length === 0) this.facts.push(await this.zip.add(README_PATH, readme(this.title, this.paths, true)));
  }

  /** Writes the next file (in the order given to the constructor) through `produce`. */
  async file(path: string, produce: (out: ZipEntryWriter) => Promise<void>): Promise<EntryFacts> {
    await this.start();
    if (this.paths[this.next] !== path) throw new Error(`package file ${path} out of order (expected ${this.paths[this.next] ?? "none"})`);
    this.next++;
    const e = this.zip.entry(path);
    await produce(e);
    const f = await e.end();
    this.facts.push(f);
    return f;
  }

  /** Writes manifest.json and the central directory; returns the manifest and the package size in bytes. */
  async finish(input: Omit<ManifestInput, "files" | "appVersion">): Promise<{ manifest: Manifest; bytes: number }> {
    await this.start();
    if (this.next !== this.paths.length) throw new Error(`package file ${this.paths[this.next]} was not written`);
    const manifest = buildManifest({ ...input, appVersion: pkg.version, files: this.facts });
    await this.zip.add(MANIFEST_PATH, manifestBytes(manifest));
    return { manifest, bytes: await this.zip.finish() };
  }
}
