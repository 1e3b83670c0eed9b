import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * A small PostgreSQL primary and a hot standby streaming from it, each its own cluster on a spare port, in a temp
 * folder, with this machine's PostgreSQL binaries (initdb, pg_ctl, pg_basebackup -R). For tests and the bench of
 * several instances with a read replica (issue #19). Never touches another cluster: the standby is a base backup
 * of the primary made here, never of the shared cluster on 5432.
 *
 * initdb refuses to run as root: then every binary runs as the `postgres` OS user (runuser), and the folder is
 * handed to it.
 */
export interface PgClusterPair {
  primaryUrl: string;
  standbyUrl: string;
  primaryPort: number;
  standbyPort: number;
  dir: string;
  /** Runs SQL on the standby or the primary as superuser (psql), answering its unaligned output. */
  psql(where: "primary" | "standby", sqlText: string, db?: string): string;
  /** Pauses / resumes WAL replay on the standby (pg_wal_replay_pause / resume): the replica lags on purpose. */
  pauseReplay(): void;
  resumeReplay(): void;
  /** Stops (fast) or starts the primary: the replica must answer alone. */
  stopPrimary(): void;
  startPrimary(): void;
  /** Stops (immediate) or starts the standby. */
  stopStandby(): void;
  startStandby(): void;
  /** Waits until the standby has replayed everything the primary has written. */
  waitCaughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export const PG_BIN = process.env.ATTEST_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** Whether this machine has the binaries (the PostgreSQL pass of the suite needs them). */
export function pgBinariesAvailable(): boolean {
  return ["initdb", "pg_ctl", "pg_basebackup", "psql"].every((b) => existsSync(path.join(PG_BIN, b)));
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** Ports for the pair: ATTEST_TEST_PG_PORTS="5441,5442", else two free ones from 5441–5449. */
async function choosePorts(): Promise<[number, number]> {
  const fixed = process.env.ATTEST_TEST_PG_PORTS?.split(",").map(Number);
  if (fixed?.length === 2 && fixed.every((p) => p > 0)) return [fixed[0]!, fixed[1]!];
  const free: number[] = [];
  for (let p = 5441; p <= 5449 && free.length < 2; p++) if (await portFree(p)) free.push(p);
  if (free.length < 2) throw new Error("no two free ports in 5441–5449 for a test cluster pair; set ATTEST_TEST_PG_PORTS");
  return [free[0]!, free[1]!];
}

export async function startClusterPair(opts: { database?: string } = {}): Promise<PgClusterPair> {
  const asRoot = process.getuid?.() === 0;
  const run = (bin: string, args: string[], input?: string): string => {
    const file = path.join(PG_BIN, bin);
    const [cmd, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", file, ...args]] : [file, args];
    return execFileSync(cmd, argv, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"], cwd: os.tmpdir() });
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), "attest-pgpair-"));
  chmodSync(dir, 0o755);
  if (asRoot) execFileSync("chown", ["postgres:postgres", dir]);
  const [primaryPort, standbyPort] = await choosePorts();
  const primaryDir = path.join(dir, "primary");
  const standbyDir = path.join(dir, "standby");
  const database = opts.database ?? "attest";
  let primaryUp = false;
  let standbyUp = false;
  const stopAll = () => {
    for (const [up, d] of [
      [standbyUp, standbyDir],
      [primaryUp, primaryDir],
    ] as const)
      if (up) {
        try {
          run("pg_ctl", ["-D", d, "-m", "immediate", "-w", "stop"]);
        } catch {
          // already gone
        }
      }
    standbyUp = primaryUp = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // initdb is the slow step (a minute and more on a loaded machine): one fresh cluster is kept as a template per
    // user and binary folder, and copied.
    const template = path.join(os.tmpdir(), `attest-initdb-template-${path.basename(path.dirname(PG_BIN))}`);
    if (!existsSync(path.join(template, "PG_VERSION"))) {
      const fresh = `${template}.${process.pid}`;
      rmSync(fresh, { recursive: true, force: true });
      if (asRoot) {
        execFileSync("mkdir", ["-p", fresh]);
        execFileSync("chown", ["postgres:postgres", fresh]);
      }
      run("initdb", ["-D", fresh, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
      try {
        renameSync(fresh, template);
      } catch {
        rmSync(fresh, { recursive: true, force: true }); // another process made it first
      }
    }
    execFileSync("cp", ["-a", template, primaryDir]);
    const conf = [
      `port = ${primaryPort}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      "wal_level = replica",
      "max_wal_senders = 4",
      "hot_standby = on",
      "hot_standby_feedback = on",
      "fsync = off",
      "full_page_writes = off",
      "shared_buffers = 64MB",
      "max_connections = 60",
      "logging_collector = off",
    ].join("\n");
    writeFileSync(path.join(primaryDir, "postgresql.auto.conf"), conf + "\n");
    writeFileSync(
      path.join(primaryDir, "pg_hba.conf"),
      "local all all trust\nhost all all 127.0.0.1/32 trust\nlocal replication all trust\nhost replication all 127.0.0.1/32 trust\n",
    );
    if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", primaryDir]);
    run("pg_ctl", ["-D", primaryDir, "-l", path.join(dir, "primary.log"), "-w", "-t", "60", "start"]);
    primaryUp = true;
    run("psql", ["-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-d", "postgres", "-qAtc", `create database ${database}`]);
    run("pg_basebackup", ["-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-D", standbyDir, "-R", "-X", "stream", "-c", "fast", "--no-sync"]);
    // The copy carries the primary's settings; only the port differs (-R wrote primary_conninfo and standby.signal).
    writeFileSync(
      path.join(standbyDir, "postgresql.auto.conf"),
      conf.replace(`port = ${primaryPort}`, `port = ${standbyPort}`) + "\n" + primaryConninfo(primaryPort),
    );
    if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", standbyDir]);
    run("pg_ctl", ["-D", standbyDir, "-l", path.join(dir, "standby.log"), "-w", "-t", "60", "start"]);
    standbyUp = true;
  } catch (err) {
    stopAll();
    throw err;
  }
  const psql = (where: "primary" | "standby", sqlText: string, db = database) =>
    run(
      "psql",
      ["-h", "127.0.0.1", "-p", String(where === "primary" ? primaryPort : standbyPort), "-U", "postgres", "-d", db, "-qAtX", "-v", "ON_ERROR_STOP=1"],
      sqlText,
    ).trim();
  const pair: PgClusterPair = {
    primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/${database}`,
    standbyUrl: `postgres://postgres@127.0.0.1:${standbyPort}/${database}`,
    primaryPort,
    standbyPort,
    dir,
    psql,
    pauseReplay: () => void psql("standby", "select pg_wal_replay_pause();"),
    stopPrimary: () => {
      run("pg_ctl", ["-D", primaryDir, "-m", "fast", "-w", "stop"]);
      primaryUp = false;
    },
    stopStandby: () => {
      run("pg_ctl", ["-D", standbyDir, "-m", "immediate", "-w", "stop"]);
      standbyUp = false;
    },
    startStandby: () => {
      run("pg_ctl", ["-D", standbyDir, "-l", path.join(dir, "standby.log"), "-w", "-t", "60", "start"]);
      standbyUp = true;
    },
    startPrimary: () => {
      run("pg_ctl", ["-D", primaryDir, "-l", path.join(dir, "primary.log"), "-w", "-t", "60", "start"]);
      primaryUp = true;
    },
    resumeReplay: () => void psql("standby", "select pg_wal_replay_resume();"),
    async waitCaughtUp(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const target = psql("primary", "select pg_current_wal_lsn();");
      for (;;) {
        if (psql("standby", `select pg_last_wal_replay_lsn() >= '${target}'::pg_lsn;`) === "t") return;
        if (Date.now() > deadline) throw new Error("the standby did not catch up with the primary");
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      stopAll();
    },
  };
  return pair;
}

function primaryConninfo(primaryPort: number): string {
  return `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres application_name=attest_standby'\n`;
}

export interface AppInstance {
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  get<T>(pathAndQuery: string): Promise<T>;
  post<T>(pathAndQuery: string, body: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts lib/testing/app-instance.ts in its own Node process (tsx): one app instance with its own pools, graph feed
 * and access index, on the given primary (and replica). Resolves once it listens.
 */
export async function startAppInstance(env: { DATABASE_URL: string; DATABASE_READ_URL?: string } & Record<string, string | undefined>): Promise<AppInstance> {
  const { spawn } = await import("node:child_process");
  const root = path.resolve(import.meta.dirname, "../..");
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "lib/testing/app-instance.ts")], {
    cwd: root,
    env: { ...process.env, ...env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`app instance exited (${code}): ${stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const call = async <T>(p: string, init?: RequestInit): Promise<T> => {
    const r = await fetch(url + p, { ...init, signal: AbortSignal.timeout(120_000) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${p}: HTTP ${r.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    url,
    pid: child.pid!,
    get: (p) => call(p),
    post: (p, b) => call(p, { method: "POST", body: JSON.stringify(b), headers: { "content-type": "application/json" } }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}
