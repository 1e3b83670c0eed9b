import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { strToU8, unzipSync, zipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { GENESIS_HASH } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { buildEvidencePackage } from "./package";
import { runEvidenceVerify } from "./verify-cli";

const dir = mkdtempSync(path.join(os.tmpdir(), "attest-evidence-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { zip } = buildEvidencePackage(
  {
    kind: "access_report",
    id: "rpt_cli",
    title: "CLI test",
    generatedAt: new Date("2026-01-01T00:00:00Z"),
    actor: systemActor("test"),
    chain: { ok: true, entries: 0, head: GENESIS_HASH },
  },
  [{ path: "rows.csv", data: strToU8('"a"\r\n"=1"\r\n') }],
);
const good = path.join(dir, "good.zip");
writeFileSync(good, zip);
const bad = path.join(dir, "bad.zip");
const entries = unzipSync(zip);
entries["rows.csv"] = strToU8('"a"\r\n"2"\r\n');
writeFileSync(bad, zipSync(entries));

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runEvidenceVerify(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("npm run evidence:verify", () => {
  it("exits 0 on an untouched package and shows what it is and the head to anchor", async () => {
    const r = await run([good]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("OK, every file matches its manifest hash");
    expect(r.out).toContain("ok       rows.csv");
    expect(r.out).toContain(`npm run audit:verify -- --anchor ${GENESIS_HASH}`);
  });

  it("exits 1 naming the changed file, and 2 when it cannot check", async () => {
    const r = await run([bad]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("MISMATCH rows.csv: SHA-256 differs");
    expect(JSON.parse((await run([bad, "--json"])).out)).toMatchObject({
      ok: false,
      files: expect.arrayContaining([expect.objectContaining({ path: "rows.csv", ok: false })]),
    });
    expect((await run([path.join(dir, "nope.zip")])).code).toBe(2);
    expect((await run([])).code).toBe(2);
  });

  it("runs as the npm script", () => {
    const r = spawnSync("npm", ["run", "--silent", "evidence:verify", "--", good], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("OK, every file matches its manifest hash");
    expect(spawnSync("npm", ["run", "--silent", "evidence:verify", "--", bad], { encoding: "utf8" }).status).toBe(1);
  });
});
