import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import pkg from "@/package.json";
import { ACCESS_REVIEW_FRAMEWORKS } from "./frameworks";
import { MANIFEST_PATH, sha256Hex, type Manifest } from "./manifest";
import { buildEvidencePackage, README_PATH } from "./package";
import { verifyPackage } from "./verify-package";
import { buildZip } from "./zip";

const files = () => [
  { path: "items.csv", data: strToU8('"a","b"\r\n"1","2"\r\n') },
  { path: "report.json", data: strToU8('{"x":1}\n') },
  { path: "report.pdf", data: new Uint8Array([37, 80, 68, 70, 45, 1, 2, 3]) },
];
const build = (generatedAt = new Date("2026-04-01T10:00:00Z")) =>
  buildEvidencePackage(
    {
      kind: "access_report",
      id: "rpt_test",
      title: "Who could reach X",
      generatedAt,
      actor: systemActor("test"),
      parameters: { asOf: "2026-03-31T00:00:00.000Z" },
      frameworks: ACCESS_REVIEW_FRAMEWORKS,
      chain: { ok: true, entries: 0, head: GENESIS_HASH },
    },
    files(),
  );

/** Rebuilds a zip from entries, changed by `edit` (the way someone tampering would). */
function rezip(zip: Uint8Array, edit: (entries: Record<string, Uint8Array>) => void): Uint8Array {
  const entries = unzipSync(zip);
  edit(entries);
  return zipSync(entries);
}

describe("evidence package", () => {
  it("holds manifest.json first, a README, and the files in order; the manifest hashes every other file", () => {
    const { zip, manifest } = build();
    const entries = unzipSync(zip);
    expect(Object.keys(entries)).toEqual([MANIFEST_PATH, README_PATH, "items.csv", "report.json", "report.pdf"]);
    const written = JSON.parse(new TextDecoder().decode(entries[MANIFEST_PATH])) as Manifest;
    expect(written).toEqual(manifest);
    expect(written).toMatchObject({
      format: "attest-evidence-package/1",
      kind: "access_report",
      id: "rpt_test",
      generatedAt: "2026-04-01T10:00:00.000Z",
      generatedBy: { type: "system", id: "system:test", label: "test" },
      appVersion: pkg.version,
      auditChain: { ok: true, entries: 0, head: GENESIS_HASH },
      hashAlgorithm: "SHA-256",
    });
    expect(written.frameworks.map((f) => f.control)).toContain("A.5.18");
    for (const f of written.files) expect(f.sha256).toBe(sha256Hex(entries[f.path]!));
    expect(written.files.find((f) => f.path === "items.csv")).toMatchObject({ mediaType: "text/csv; charset=utf-8", bytes: 18 });
  });

  it("gives identical bytes for identical content, and only the manifest differs when generated later", () => {
    expect(Buffer.from(build().zip).equals(Buffer.from(build().zip))).toBe(true);
    const a = unzipSync(build().zip);
    const b = unzipSync(build(new Date("2026-05-01T00:00:00Z")).zip);
    for (const name of Object.keys(a)) {
      expect(Buffer.from(a[name]!).equals(Buffer.from(b[name]!)), name).toBe(name !== MANIFEST_PATH);
    }
  });

  it("zips the same in every time zone (fixed DOS times)", () => {
    const keep = process.env.TZ;
    try {
      const zips = ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"].map((tz) => {
        process.env.TZ = tz;
        return Buffer.from(buildZip(files()));
      });
      expect(zips[1]!.equals(zips[0]!) && zips[2]!.equals(zips[0]!)).toBe(true);
      // 1980-01-01 00:00: DOS time 0, DOS date (0 << 9) | (1 << 5) | 1 = 0x21, at offset 10 of the first local header.
      expect([...zips[0]!.subarray(10, 14)]).toEqual([0, 0, 0x21, 0]);
    } finally {
      if (keep === undefined) delete process.env.TZ;
      else process.env.TZ = keep;
    }
  });

  it("verifies an untouched package, and names a changed, missing or added file, and a broken manifest", () => {
    const { zip } = build();
    const ok = verifyPackage(zip);
    expect(ok).toMatchObject({ ok: true, problems: [] });
    expect(ok.files.map((f) => f.path)).toEqual([README_PATH, "items.csv", "report.json", "report.pdf"]);
    expect(ok.packageSha256).toBe(sha256Hex(zip));

    const changed = verifyPackage(rezip(zip, (e) => (e["items.csv"] = strToU8('"a","b"\r\n"1","3"\r\n'))));
    expect(changed.ok).toBe(false);
    expect(changed.files.find((f) => f.path === "items.csv")).toMatchObject({ ok: false, problem: expect.stringMatching(/SHA-256 differs/) });

    const missing = verifyPackage(rezip(zip, (e) => delete e["report.pdf"]));
    expect(missing.files.find((f) => f.path === "report.pdf")).toMatchObject({ ok: false, problem: "missing from the package" });

    const added = verifyPackage(rezip(zip, (e) => (e["extra.csv"] = strToU8("x"))));
    expect(added).toMatchObject({ ok: false, problems: ["extra.csv is in the package but not in the manifest"] });

    expect(verifyPackage(rezip(zip, (e) => (e[MANIFEST_PATH] = strToU8("{not json"))))).toMatchObject({
      ok: false,
      problems: ["manifest.json is not valid JSON"],
    });
    expect(verifyPackage(rezip(zip, (e) => delete e[MANIFEST_PATH]))).toMatchObject({ ok: false, problems: ["manifest.json is missing"] });
    expect(verifyPackage(strToU8("not a zip")).problems[0]).toMatch(/not a readable zip/);
  });

  it("flags a name that appears twice in the archive, as tools disagree on which copy they extract", () => {
    const genuine = strToU8("genuine");
    const manifest = { format: "attest-evidence-package/1", files: [{ path: "items.csv", bytes: genuine.byteLength, sha256: sha256Hex(genuine) }] };
    // Stored (not deflated), so the only bytes spelling "itemz.csv" are its entry names, which become a second "items.csv".
    const zip = zipSync({
      [MANIFEST_PATH]: [strToU8(JSON.stringify(manifest)), { level: 0 }],
      "items.csv": [genuine, { level: 0 }],
      "itemz.csv": [strToU8("forged!"), { level: 0 }],
    });
    const patched = Buffer.from(Buffer.from(zip).toString("latin1").replaceAll("itemz.csv", "items.csv"), "latin1");
    const v = verifyPackage(new Uint8Array(patched));
    expect(v.ok).toBe(false);
    expect(v.problems).toContain("items.csv appears more than once in the archive");
  });
});
