import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "@/lib/authz/actor";
import { loadAccessIndex } from "@/lib/graph/access-cache";
import { lines } from "@/lib/ingest/body-stream";
import { decodeJsonl } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { datasetStats, generateDataset, type SizeSpec } from "./dataset";
import { writeDatasetJsonl } from "./jsonl";

const TINY: SizeSpec = {
  humans: 30,
  departments: 3,
  teams: 12,
  appGroups: 3,
  superGroups: 3,
  serviceAccounts: 60,
  agents: 40,
  mcpServers: 6,
  entitlements: 40,
  resources: 30,
  credentials: 40,
  nhiEntitlements: [1, 3],
};

let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), "attest-gen-"));
});
afterAll(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const importFile = async (file: string) => {
  const decoded = await decodeJsonl(lines(createReadStream(file)));
  if ("errors" in decoded) throw new Error(JSON.stringify(decoded.errors));
  return runImport(t.db, systemActor("gen-test"), decoded, { format: "jsonl", fileName: path.basename(file) });
};

describe("the generator's JSONL file", () => {
  it("imports through the real import path: every node and edge created, the access graph intact, a second import changes nothing", async () => {
    const ds = generateDataset(TINY, 7, "synthetic-org");
    const stats = datasetStats(ds);
    const file = path.join(dir, "tiny.jsonl");
    const written = await writeDatasetJsonl(ds, file);
    expect(written).toMatchObject({ nodes: stats.nodes, edges: stats.edges });

    const first = await importFile(file);
    expect(first.status, JSON.stringify(first.errors)).toBe("succeeded");
    expect(first.recordsTotal).toBe(stats.nodes + stats.edges);
    expect(first.counts).toMatchObject({ nodesCreated: stats.nodes, edgesCreated: stats.edges, nodesEnded: 0, edgesEnded: 0 });

    const ix = await loadAccessIndex(t.db);
    expect(ix.ids).toHaveLength(stats.nodes);
    expect(ix.edgeCount).toBe(stats.accessEdges);

    const second = await importFile(file);
    expect(second.status).toBe("succeeded");
    expect(
      Object.values(second.counts!).every((n) => n === 0),
      JSON.stringify(second.counts),
    ).toBe(true);
  });

  it("is the same file for the same size and seed", async () => {
    const a = path.join(dir, "a.jsonl");
    const b = path.join(dir, "b.jsonl");
    await writeDatasetJsonl(generateDataset(TINY, 11), a);
    await writeDatasetJsonl(generateDataset(TINY, 11), b);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));
  });
});
