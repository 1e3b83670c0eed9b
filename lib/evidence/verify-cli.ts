import { verifyPackageStream, type PackageVerification } from "./verify-package";
import { fileSource } from "./zip-stream";

export const USAGE = "usage: npm run evidence:verify -- <package.zip> [--json]";

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * `npm run evidence:verify -- package.zip`: rechecks the SHA-256 and size of
 * every file an evidence package's manifest lists, and that nothing was added.
 * Exits 0 when every hash matches, 1 when not, 2 when it could not check.
 * Reads the package in pieces (the manifest may be first or last), so a
 * package of any size checks in bounded memory.
 */
export async function runEvidenceVerify(argv: string[], io: CliIo): Promise<number> {
  const json = argv.includes("--json");
  const files = argv.filter((a) => a !== "--json");
  const unknown = files.find((a) => a.startsWith("--"));
  if (files.length !== 1 || unknown) {
    io.err(`${unknown ? `unknown option ${unknown}\n` : ""}${USAGE}`);
    return 2;
  }
  let v: PackageVerification;
  try {
    const src = await fileSource(files[0]!);
    try {
      v = await verifyPackageStream(src);
    } finally {
      await src.close();
    }
  } catch (e) {
    io.err(`evidence:verify cannot read ${files[0]}: ${(e as Error).message}`);
    return 2;
  }
  if (json) {
    io.out(JSON.stringify({ ok: v.ok, packageSha256: v.packageSha256, manifestSha256: v.manifestSha256, files: v.files, problems: v.problems }, null, 2));
    return v.ok ? 0 : 1;
  }
  const m = v.manifest;
  io.out(`${files[0]}: ${v.ok ? "OK, every file matches its manifest hash" : "FAILED"}`);
  io.out(`  package SHA-256:  ${v.packageSha256}`);
  if (v.manifestSha256) io.out(`  manifest SHA-256: ${v.manifestSha256}`);
  if (m) {
    io.out(`  ${m.kind ?? "package"} ${m.id ?? "?"}: ${m.title ?? ""}`);
    io.out(`  generated ${m.generatedAt ?? "?"} by ${m.generatedBy?.label ?? "?"} with Attest ${m.appVersion ?? "?"}`);
    if (m.auditChain) {
      io.out(`  audit chain then: ${m.auditChain.ok ? "verified" : "BROKEN"}, ${m.auditChain.entries} entries, head ${m.auditChain.head}`);
      io.out(`  to check the log still holds that head: npm run audit:verify -- --anchor ${m.auditChain.head}`);
    }
  }
  for (const f of v.files) io.out(`  ${f.ok ? "ok      " : "MISMATCH"} ${f.path}${f.problem ? `: ${f.problem}` : ""}`);
  for (const p of v.problems) io.out(`  PROBLEM  ${p}`);
  return v.ok ? 0 : 1;
}
