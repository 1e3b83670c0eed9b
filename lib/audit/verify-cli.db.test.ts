import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, PGLITE_LOCK_FILE } from "@/db/client";
import { migrate } from "@/db/migrate";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { systemActor } from "@/lib/authz/actor";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { GET as verifyRoute } from "@/app/api/v1/audit/verify/route";
import { emitAudit, verifyAuditChain } from "./emit-audit";
import { runAuditVerify } from "./verify-cli";

async function cli(args: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAuditVerify(args, { env, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

let dir: string;
let head: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "attest-verify-cli-"));
  const database = await openDatabase({ dataDir: dir });
  await migrate(database);
  for (let i = 0; i < 3; i++) await database.db.transaction((tx) => emitAudit(tx, systemActor("test"), { action: "test.cli", after: { i } }));
  head = (await verifyAuditChain(database.db)).head;
  await database.close();
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** A process that opens the folder and keeps it open, as the server does. */
function holdFolder(): Promise<ChildProcess> {
  const script = path.join(dir, "hold.mts");
  const client = JSON.stringify(path.resolve("db", "client.ts"));
  writeFileSync(
    script,
    `import { openDatabase } from ${client};\nawait openDatabase({ dataDir: ${JSON.stringify(dir)} });\nconsole.log("open");\nsetInterval(() => {}, 1000);\n`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("open") && resolve(child));
    child.on("exit", (c) => reject(new Error(`the holder exited with ${c}`)));
  });
}

describe("npm run audit:verify on the embedded database", () => {
  it("opens the folder when no server holds it, prints ok, entries and head, exits 0, and leaves no lock behind", async () => {
    const r = await cli([], { ATTEST_DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.out).toContain("OK, the chain is intact");
    expect(r.out).toContain("entries: 3");
    expect(r.out).toContain(head);
    expect(existsSync(path.join(dir, PGLITE_LOCK_FILE))).toBe(false);
  });

  it("refuses with a clear message and exit 2 while another process (the server) holds the folder", async () => {
    const holder = await holdFolder();
    try {
      expect(existsSync(path.join(dir, PGLITE_LOCK_FILE))).toBe(true);
      const r = await cli([], { ATTEST_DATA_DIR: dir });
      expect(r.code).toBe(2);
      expect(r.err).toContain(`in use by process ${holder.pid}`);
      expect(r.err).toContain("ATTEST_URL=");
    } finally {
      holder.kill();
      await new Promise((resolve) => (holder.exitCode === null ? holder.on("exit", resolve) : resolve(null)));
    }
  });

  it("takes over a lock left by a process that is gone", async () => {
    const gone = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => gone.on("exit", resolve));
    writeFileSync(path.join(dir, PGLITE_LOCK_FILE), JSON.stringify({ pid: gone.pid, host: os.hostname(), identity: null, since: "2020-01-01T00:00:00.000Z" }));
    const r = await cli(["--json"], { ATTEST_DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ ok: true, entries: 3, head });
    expect(existsSync(path.join(dir, PGLITE_LOCK_FILE))).toBe(false);
  });

  it("names the first broken entry and exits 1 when an event was edited", async () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), "attest-verify-cli-broken-"));
    try {
      const database = await openDatabase({ dataDir: copy });
      await migrate(database);
      const { id } = await database.db.transaction((tx) => emitAudit(tx, systemActor("test"), { action: "test.victim" }));
      await database.db.transaction((tx) => emitAudit(tx, systemActor("test"), { action: "test.after" }));
      await database.db.execute(sql`alter table audit_events disable trigger audit_events_no_update`);
      await database.db.execute(sql`update audit_events set action = 'test.forged' where id = ${id}`);
      await database.close();
      const r = await cli([], { ATTEST_DATA_DIR: copy });
      expect(r.code).toBe(1);
      expect(r.out).toContain("BROKEN");
      expect(r.out).toMatch(new RegExp(`first broken entry: seq \\d+, id ${id}: event content does not match its hash`));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("exits 1 when an anchor recorded earlier is no longer in the chain, 2 on a folder with no database", async () => {
    const r = await cli(["--anchor", "b".repeat(64)], { ATTEST_DATA_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.out).toContain("is NOT in the chain");
    const empty = await cli([], { ATTEST_DATA_DIR: path.join(dir, "nothing-here") });
    expect(empty.code).toBe(2);
    expect(empty.err).toContain("no embedded database");
    expect((await cli(["--frobnicate"], {})).code).toBe(2);
  });
});

describe(`npm run audit:verify against a server or PostgreSQL (${testTarget()})`, () => {
  let t: TestDatabase;
  let server: Server;
  let base: string;
  let token: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedGraph(t.db, smallGraph());
    useAsAppDatabase(t);
    const admin = await actorByEmail(t, "admin@example.com");
    const auditor = await actorByEmail(t, "audit@example.com");
    token = (await createApiToken(t.db, admin, { name: "cli", userId: auditor.id, roles: ["auditor"] })).token;
    server = createServer(async (req, res) => {
      const r = await verifyRoute(new Request(`http://127.0.0.1${req.url}`, { headers: req.headers as Record<string, string> }), {
        params: Promise.resolve({}),
      } as never);
      res.writeHead(r.status, { "content-type": "application/json" }).end(await r.text());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.cleanup();
  });

  it("asks the running server when ATTEST_URL and a token are given", async () => {
    const r = await cli([], { ATTEST_URL: base, ATTEST_TOKEN: token });
    expect(r.code).toBe(0);
    expect(r.out).toContain(`the Attest server at ${base}`);
    expect(r.out).toContain((await verifyAuditChain(t.db)).head);
  });

  it("says what the server answered when the token is wrong, and asks for a token when there is none", async () => {
    const r = await cli(["--url", base, "--token", "att_wrong"], {});
    expect(r.code).toBe(2);
    expect(r.err).toContain("401");
    expect((await cli(["--url", base], {})).err).toContain("a token is needed");
  });

  it("verifies the database it is pointed at directly", async () => {
    if (t.kind === "postgres") {
      const url = (t.pool as unknown as { options: { connectionString: string } }).options.connectionString;
      const r = await cli(["--json"], { DATABASE_URL: url });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toEqual(await verifyAuditChain(t.db));
    } else {
      const r = await cli(["--json"], { ATTEST_DATA_DIR: dir });
      expect(JSON.parse(r.out)).toEqual({ ok: true, entries: 3, head });
    }
  });

  it("--from-hash starts the chain at an archive's head (oldest partitions detached): the genesis hash is today's start, another breaks at the first event", async () => {
    expect((await cli(["--from-hash", "0".repeat(64), "--json"], { ATTEST_DATA_DIR: dir })).code).toBe(0);
    const wrong = await cli(["--from-hash", "f".repeat(64)], { ATTEST_DATA_DIR: dir });
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/first broken entry: seq 1, .*previous hash does not match/);
    const bad = await cli(["--from-hash", "xyz"], { ATTEST_DATA_DIR: dir });
    expect(bad).toMatchObject({ code: 2, err: expect.stringMatching(/--from-hash must be a SHA-256 hash/) });
  });
});
