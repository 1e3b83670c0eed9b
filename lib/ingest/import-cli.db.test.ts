import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PGLITE_LOCK_FILE } from "@/db/client";
import { rows } from "@/db/rows";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { parseImportArgs, runImportCli } from "./import-cli";

let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), "attest-import-cli-"));
});
afterAll(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const jsonl = (name: string, lines: unknown[]) => {
  const file = path.join(dir, name);
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return file;
};
const node = (kind: string, externalId: string, name = externalId) => ({ node: { kind, externalId, name } });
const edge = (kind: string, from: [string, string], to: [string, string]) => ({
  edge: { kind, from: { kind: from[0], externalId: from[1] }, to: { kind: to[0], externalId: to[1] } },
});

/** Runs the CLI on the test database (which it must not close), collecting what it prints. */
async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runImportCli(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    open: async () => ({ ...t, close: async () => undefined }),
    progressEveryMs: 0,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
const count = async (table: "nodes" | "edges") => (await rows<{ n: number }>(t.db, sql.raw(`select count(*)::int as n from ${table}`)))[0]!.n;

describe("npm run import", () => {
  it("imports a JSONL file streamed from disk as the system actor, audited like the HTTP route, and prints the counts", async () => {
    const file = jsonl("org.jsonl", [
      { source: "cli-org", mode: "full" },
      node("human", "alice"),
      node("group", "eng"),
      node("entitlement", "admin"),
      edge("member_of", ["human", "alice"], ["group", "eng"]),
      edge("has_entitlement", ["group", "eng"], ["entitlement", "admin"]),
    ]);
    const r = await cli([file]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/applied in .* 5 records/);
    expect(r.out).toMatch(/nodesCreated 3/);
    expect(await count("nodes")).toBe(3);
    expect(await count("edges")).toBe(2);
    const [imp] = await rows<{ status: string; actor_type: string; actor_id: string; file_name: string; format: string }>(
      t.db,
      sql`select status, actor_type, actor_id, file_name, format from imports order by started_at desc limit 1`,
    );
    expect(imp).toEqual({ status: "succeeded", actor_type: "system", actor_id: "system:cli-import", file_name: "org.jsonl", format: "jsonl" });
    const audit = await rows<{ action: string; actor_id: string }>(t.db, sql`select action, actor_id from audit_events where action = 'import.apply'`);
    expect(audit).toEqual([{ action: "import.apply", actor_id: "system:cli-import" }]);
    // Idempotent: the same file again changes nothing.
    const again = await cli([file, "--mode", "full"]);
    expect(again.code).toBe(0);
    expect(await count("nodes")).toBe(3);
  });

  it("refuses a file with bad records: exit 1, every problem located, no value quoted, nothing written", async () => {
    const before = { nodes: await count("nodes"), edges: await count("edges") };
    const file = path.join(dir, "bad.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ source: "cli-bad", mode: "full" })}\n${JSON.stringify(node("human", "bob"))}\n{"node": {"kind": "human", "externalId": "tr0ub4dor" \n${JSON.stringify(node("planet", "s3cr3t-value"))}\n`,
    );
    const r = await cli([file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/was refused: \d+ problems?; nothing was written/);
    expect(r.err).toMatch(/line 3: /);
    expect(r.err).toMatch(/line 4/);
    expect(r.err).not.toMatch(/s3cr3t-value|tr0ub4dor/);
    expect({ nodes: await count("nodes"), edges: await count("edges") }).toEqual(before);
    const [imp] = await rows<{ status: string }>(t.db, sql`select status from imports order by started_at desc limit 1`);
    expect(imp!.status).toBe("rejected");
  });

  it("refuses a file whose header is unreadable, recording the refusal", async () => {
    const file = path.join(dir, "noheader.jsonl");
    writeFileSync(file, "not json\n");
    const r = await cli([file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/line 1: the header line is/);
  });

  it("exits 2 on bad usage, before opening anything", async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(["a.jsonl", "b.jsonl"])).code).toBe(2);
    expect((await cli(["x.jsonl", "--mode", "sometimes"])).err).toMatch(/--mode must be full or incremental/);
    expect((await cli(["x.jsonl", "--frobnicate"])).err).toMatch(/unknown option --frobnicate/);
    expect((await cli(["x.txt"])).err).toMatch(/give --format/);
    expect((await cli([path.join(dir, "missing.jsonl")])).err).toMatch(/cannot read/);
    expect(parseImportArgs(["nodes.csv", "--format", "csv"])).toEqual({ problem: "--format csv needs --source NAME (where the data comes from)" });
    expect(parseImportArgs(["x.jsonl", "--source=hr", "--mode=incremental"])).toEqual({
      file: "x.jsonl",
      format: "jsonl",
      allowPartial: false,
      source: "hr",
      mode: "incremental",
    });
  });

  it("refuses a --source that disagrees with the file's header", async () => {
    const file = jsonl("other.jsonl", [{ source: "cli-org", mode: "full" }, node("human", "carol")]);
    const r = await cli([file, "--source", "elsewhere"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/source: the file's header names another source/);
  });
});

describe("npm run import on the embedded database", () => {
  let holder: ChildProcess | undefined;
  afterAll(() => holder?.kill());

  it("says clearly that the folder is in use when another process (the server) holds it", async () => {
    const data = path.join(dir, "data");
    mkdirSync(data, { recursive: true });
    holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    writeFileSync(path.join(data, PGLITE_LOCK_FILE), JSON.stringify({ pid: holder.pid, host: os.hostname(), identity: null, since: new Date().toISOString() }));
    const file = jsonl("one.jsonl", [{ source: "cli-one", mode: "full" }, node("human", "dave")]);
    const saved = { url: process.env.DATABASE_URL, dir: process.env.ATTEST_DATA_DIR };
    delete process.env.DATABASE_URL;
    process.env.ATTEST_DATA_DIR = data;
    const err: string[] = [];
    try {
      const code = await runImportCli([file], { out: () => undefined, err: (l) => err.push(l), progressEveryMs: 0 });
      expect(code).toBe(1);
    } finally {
      if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
      if (saved.dir !== undefined) process.env.ATTEST_DATA_DIR = saved.dir;
      else delete process.env.ATTEST_DATA_DIR;
    }
    expect(err.join("\n")).toMatch(new RegExp(`in use by process ${holder.pid}.*most likely the Attest server`));
  });
});
