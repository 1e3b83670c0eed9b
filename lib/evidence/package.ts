import pkg from "@/package.json";
import { buildManifest, MANIFEST_PATH, manifestBytes, type Manifest, type ManifestInput } from "./manifest";
import { buildZip, type PackageFile } from "./zip";

export const README_PATH = "README.txt";

function readme(title: string, files: readonly PackageFile[]): string {
  return [
    title,
    "",
    "An evidence package exported from Attest. manifest.json lists every other file with its",
    "size and SHA-256, says who exported it and when (UTC), and records the head of Attest's",
    "hash-chained audit log at that moment and whether the whole chain verified.",
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
    ...files.map((f) => `  ${f.path}`),
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
  const all = [{ path: README_PATH, data: new TextEncoder().encode(readme(input.title, files)) }, ...files];
  const manifest = buildManifest({ ...input, appVersion: pkg.version, files: all });
  return { zip: buildZip([{ path: MANIFEST_PATH, data: manifestBytes(manifest) }, ...all]), manifest };
}
