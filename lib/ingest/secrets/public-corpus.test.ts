import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseMcpConfig } from "@/lib/ingest/mcp-config/parse";
import { isSecretKeyName } from "./detect";
import { scanValues } from "./scanner";
import { extractCandidates } from "./secretlint-corpus";

/**
 * Recall and false positives of the scanner (secretlint's preset + our own
 * rules) on data that is NOT secretlint's own test data: detect-secrets'
 * plugin test cases, and documentation placeholders from vendors' MCP install
 * guides (fixtures/public-corpus/PROVENANCE.md). The figures are printed and
 * quoted in the README; the thresholds below fail on a regression.
 */

const DIR = path.resolve(import.meta.dirname, "fixtures/public-corpus");
interface Case {
  family: string;
  payload: string;
  label: "secret" | "not-secret" | "placeholder";
  note?: string;
}
interface Placeholder {
  vendor: string;
  place: "env" | "header" | "arg";
  key?: string;
  value: string;
}
const cases = JSON.parse(readFileSync(path.join(DIR, "detect-secrets-cases.json"), "utf8")) as Case[];
const placeholders = JSON.parse(readFileSync(path.join(DIR, "vendor-placeholders.json"), "utf8")) as Placeholder[];

/** Whether the scanner flags anything in a line cut into the values a config could hold. */
async function flagged(lines: string[]): Promise<boolean[]> {
  const cut = lines.map((l) => [{ value: l, key: undefined as string | undefined }, ...extractCandidates(l).map((c) => ({ value: c.value, key: c.key }))]);
  const found = await scanValues(cut.flat());
  let i = 0;
  return cut.map((c) => {
    const hit = found.slice(i, i + c.length).some((f) => f.length > 0);
    i += c.length;
    return hit;
  });
}

const pct = (n: number, d: number) => (d === 0 ? "n/a" : `${((100 * n) / d).toFixed(1)}%`);

describe("scanner figures on a corpus that is not secretlint's", () => {
  it("detect-secrets plugin cases: recall, false positives, placeholders", async () => {
    const hits = await flagged(cases.map((c) => c.payload));
    const by = (label: Case["label"]) => cases.map((c, i) => ({ c, hit: hits[i]! })).filter((x) => x.c.label === label);
    const secrets = by("secret");
    const negatives = by("not-secret");
    const holders = by("placeholder");
    const found = secrets.filter((x) => x.hit).length;
    // detect-secrets tests its regexes' edges with near misses: a true token's prefix with one character too many or
    // too few. Those are token-shaped (flagging them is by design); ordinary negatives are everything else.
    const stem = (p: string) => p.replace(/^[^A-Za-z0-9]+/, "").slice(0, 5);
    const nearMiss = (c: Case) => secrets.some((x) => x.c.family === c.family && stem(x.c.payload) === stem(c.payload));
    const near = negatives.filter((x) => nearMiss(x.c));
    const ordinary = negatives.filter((x) => !nearMiss(x.c));
    const fp = ordinary.filter((x) => x.hit);
    const families = [...new Set(secrets.map((x) => x.c.family))].sort();
    const perFamily = families.map((f) => {
      const s = secrets.filter((x) => x.c.family === f);
      return `${f} ${s.filter((x) => x.hit).length}/${s.length}`;
    });
    console.info(
      `[secret scanner] detect-secrets corpus: recall ${found}/${secrets.length} (${pct(found, secrets.length)}); ` +
        `flagged ordinary negatives ${fp.length}/${ordinary.length} (${pct(fp.length, ordinary.length)}); ` +
        `flagged near-miss token shapes ${near.filter((x) => x.hit).length}/${near.length}; ` +
        `placeholders flagged ${holders.filter((x) => x.hit).length}/${holders.length}\n  per family: ${perFamily.join(", ")}\n  flagged ordinary negatives: ${fp.map((x) => x.c.family).join(", ")}`,
    );
    expect(secrets.length).toBeGreaterThanOrEqual(30);
    expect(found / secrets.length).toBeGreaterThanOrEqual(0.8);
    expect(ordinary.length).toBeGreaterThanOrEqual(30);
    expect(fp.length / ordinary.length).toBeLessThanOrEqual(0.1);
    expect(holders.filter((x) => x.hit).map((x) => x.c.payload)).toEqual([]);
  });

  it("vendors' documentation placeholders and references are never secrets, neither to the scanner nor as MCP config credentials", async () => {
    // Plus every env value under a secret-ish name in the vendored README configs (lib/ingest/mcp-config/fixtures).
    const configDir = path.resolve(import.meta.dirname, "../mcp-config/fixtures/client-configs");
    const fromReadmes: Placeholder[] = [];
    for (const f of readdirSync(configDir).filter((f) => f.endsWith(".json"))) {
      for (const m of readFileSync(path.join(configDir, f), "utf8").matchAll(/"([A-Z][A-Z0-9_]{2,60})"\s*:\s*"([^"]{1,200})"/g)) {
        if (isSecretKeyName(m[1])) fromReadmes.push({ vendor: f, place: "env", key: m[1]!, value: m[2]! });
      }
    }
    const all = [...placeholders, ...fromReadmes];
    expect(placeholders.length).toBeGreaterThanOrEqual(40);
    expect(fromReadmes.length).toBeGreaterThanOrEqual(30);
    const found = await scanValues(all.map((p) => ({ value: p.value, key: p.key })));
    const flaggedValues = all.filter((_, i) => found[i]!.length > 0).map((p) => `${p.vendor}: ${p.value}`);

    // The same values in a real config: no hard-coded credential, so no critical finding.
    const servers: Record<string, unknown> = {};
    all.forEach((p, i) => {
      const args = p.place === "arg" ? (p.key ? [p.key, p.value] : [p.value]) : [];
      servers[`s${i}`] =
        p.place === "header"
          ? { url: "https://mcp.example.com/mcp", headers: { [p.key!]: p.value } }
          : { command: "npx", args: ["-y", "@acme/mcp@1.0.0", ...args], ...(p.place === "env" ? { env: { [p.key!]: p.value } } : {}) };
    });
    const r = await parseMcpConfig(JSON.stringify({ mcpServers: servers }), { source: "docs" });
    expect(r.ok).toBe(true);
    const hardCoded = r.ok ? r.document.nodes.filter((n) => n.kind === "credential" && n.attributes?.storage === "hard_coded").map((n) => n.externalId) : [];
    console.info(
      `[secret scanner] documentation placeholders: ${flaggedValues.length}/${all.length} flagged by the scanner, ${hardCoded.length} hard-coded credentials recorded`,
    );
    expect(flaggedValues).toEqual([]);
    expect(hardCoded).toEqual([]);
  });
});
