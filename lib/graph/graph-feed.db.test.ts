import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";
import { seedGraph } from "@/db/seed/seed";
import { eventually } from "@/lib/testing/jobs";
import { pgBinariesAvailable, startAppInstance, startClusterPair, type AppInstance, type PgClusterPair } from "@/lib/testing/pg-cluster";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { graphFeedStats, knownGraphVersion, pickCaughtUpReadDb, pickReadDb } from "./graph-feed";
import { bumpGraphVersion } from "./version";

// In this file the staleness bound is long, so nothing below is explained by the feed's heartbeat or a fallback
// read: a version known here was learnt from a notification, or from the catch-up read after (re)connecting.
// (The app instances in the cluster tests run with the default bound.)
process.env.ATTEST_VERSION_POLL_MS = "60000";

describe(`the graph version feed (${testTarget()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.cleanup());

  it("learns a committed change from its notification, without reading graph_state", async () => {
    const v0 = await knownGraphVersion(t.db);
    await eventually("the feed to listen", async () => graphFeedStats(t.db)?.listening);
    const before = graphFeedStats(t.db)!;
    const v1 = await t.db.transaction((tx) => bumpGraphVersion(tx));
    expect(v1).toBe(v0 + 1);
    await eventually("the new version to be known", async () => (await knownGraphVersion(t.db)) === v1);
    const after = graphFeedStats(t.db)!;
    expect(after.notifications).toBe(before.notifications + 1);
    expect(after.fallbackReads).toBe(before.fallbackReads);
  });

  it("announces nothing for a change that rolls back", async () => {
    const v = await knownGraphVersion(t.db, { refresh: true });
    const n0 = graphFeedStats(t.db)!.notifications;
    await expect(
      t.db.transaction(async (tx) => {
        await bumpGraphVersion(tx);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    const committed = await bumpGraphVersion(t.db);
    expect(committed).toBe(v + 1);
    await eventually("the committed version to be known", async () => (await knownGraphVersion(t.db)) === committed);
    expect(graphFeedStats(t.db)!.notifications).toBe(n0 + 1);
  });

  it("reads the primary when no replica is configured", async () => {
    expect(await pickReadDb(t.db, 0)).toBe(t.db);
    expect(await pickCaughtUpReadDb(t.db)).toBe(t.db);
  });

  if (testTarget() === "postgres")
    it("catches a change committed while its LISTEN connection was down, by reading once after reconnecting", async () => {
      await eventually("the feed to listen", async () => graphFeedStats(t.db)?.listening);
      const connects = graphFeedStats(t.db)!.connects;
      const notifications = graphFeedStats(t.db)!.notifications;
      await t.db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'attest-feed' and datname = current_database()`);
      const v = await bumpGraphVersion(t.db);
      await eventually("the feed to reconnect", async () => graphFeedStats(t.db)!.connects > connects);
      await eventually("the missed version to be known", async () => (await knownGraphVersion(t.db)) === v);
      // Learnt by the catch-up read: the notification went to the connection that was gone.
      expect(graphFeedStats(t.db)!.notifications).toBe(notifications);
    });
});

// A primary and a hot standby of its own (initdb + pg_basebackup on spare ports), and two app instances in their
// own processes. PostgreSQL pass only: PGlite is one process with no replica (the block above covers its feed).
if (testTarget() === "postgres")
  describe("two app instances on a primary and a hot standby", () => {
    if (!pgBinariesAvailable()) throw new Error("the PostgreSQL pass needs the PostgreSQL 15 server binaries (initdb, pg_ctl, pg_basebackup)");
    let pair: PgClusterPair;
    let admin: Database;
    let one: AppInstance;
    let two: AppInstance;
    const target = "mcp:resource:repo";
    const env = () => ({ DATABASE_URL: pair.primaryUrl, DATABASE_READ_URL: pair.standbyUrl, ATTEST_VERSION_POLL_MS: "250" });
    const standbyVersion = () => Number(pair.psql("standby", "select version from graph_state where id = 1;"));

    beforeAll(async () => {
      pair = await startClusterPair();
      admin = await openDatabase({ url: pair.primaryUrl });
      await migrate(admin);
      await seedGraph(admin.db, smallGraph());
      await pair.waitCaughtUp();
      [one, two] = await Promise.all([startAppInstance(env()), startAppInstance(env())]);
    }, 600_000);
    afterAll(async () => {
      await Promise.all([one?.stop(), two?.stop()]);
      await admin?.close();
      await pair?.stop();
    }, 120_000);

    type Reach = { graphVersion: number; ids: string[] };
    type Index = { onReplica: boolean; version: number };
    const person = (externalId: string, name: string) => ({
      source: "hr",
      mode: "incremental",
      nodes: [
        { kind: "human", externalId, name, attributes: { status: "active" } },
        { kind: "group", externalId: "g1", name: "Codebreakers" },
      ],
      edges: [
        { kind: "member_of", from: { kind: "human", externalId }, to: { kind: "group", externalId: "g1" } },
        { kind: "has_entitlement", from: { kind: "group", externalId: "g1" }, to: { kind: "entitlement", externalId: "ent-gh", source: "okta" } },
      ],
    });

    it("an import through instance 1 is seen by instance 2", async () => {
      type Known = { known: number; feed: { notifications: number; listening: boolean } };
      await eventually("instance 2's feed to listen", async () => (await two.get<Known>("/known")).feed.listening);
      const before = await two.get<Reach>(`/who-can-reach?target=${target}`);
      const r = await one.post<{ status: string; graphVersion: number }>("/import", person("e1", "Alan Turing"));
      expect(r.status).toBe("succeeded");
      expect(r.graphVersion).toBeGreaterThan(before.graphVersion);
      await eventually("instance 2 to know the import's version", async () => (await two.get<{ known: number }>("/known")).known >= r.graphVersion);
      const after = await two.get<Reach>(`/who-can-reach?target=${target}`);
      expect(after.graphVersion).toBe(r.graphVersion);
      // Alan reaches the repository now (through his new group); instance 1 answers the same.
      expect(after.ids.length).toBe(before.ids.length + 1);
      expect(before.ids.every((id) => after.ids.includes(id))).toBe(true);
      expect(await one.get<Reach>(`/who-can-reach?target=${target}`)).toEqual(after);
      // Instance 2 heard of it by its LISTEN connection.
      const feed = (await two.get<Known>("/known")).feed;
      expect(feed.listening).toBe(true);
      expect(feed.notifications).toBeGreaterThanOrEqual(1);
    });

    it("builds indexes and exports from the replica once it has the version", async () => {
      await pair.waitCaughtUp();
      // The standby's own statistics count the scans of edges run there (flushed by its backends within seconds).
      const scans = () =>
        Number(pair.psql("standby", "select coalesce(seq_scan, 0) + coalesce(idx_scan, 0) from pg_stat_user_tables where relname = 'edges';"));
      const scansBefore = scans();
      const v = (await two.get<{ known: number }>("/known")).known;
      const ix = await two.get<Index>(`/index?min=${v}`);
      expect(ix).toMatchObject({ onReplica: true, version: v });
      expect((await two.get<{ onReplica: boolean }>("/export-read")).onReplica).toBe(true);
      // The standby itself saw it: instance 2's read pool is connected there, and the edges were read there.
      expect(Number(pair.psql("standby", "select count(*) from pg_stat_activity where application_name = 'attest-read';"))).toBeGreaterThanOrEqual(1);
      await eventually("the standby to count the index build's scan of edges", async () => scans() > scansBefore);
    });

    it("answers a newer version from the primary while the replica lags, never a stale answer as new", async () => {
      await pair.waitCaughtUp();
      const old = standbyVersion();
      pair.pauseReplay();
      try {
        const r = await one.post<{ status: string; graphVersion: number }>("/import", person("e2", "Joan Clarke"));
        expect(r.status).toBe("succeeded");
        await eventually("instance 2 to know the import's version", async () => (await two.get<{ known: number }>("/known")).known >= r.graphVersion);
        expect(standbyVersion()).toBe(old); // the replica really is behind
        // Demanding the new version: the replica is passed over, the primary answers it.
        expect(await two.get<Index>(`/index?min=${r.graphVersion}`)).toMatchObject({ onReplica: false, version: r.graphVersion });
        const reach = await two.get<Reach>(`/who-can-reach?target=${target}`);
        expect(reach.graphVersion).toBe(r.graphVersion);
        expect(reach).toEqual(await one.get<Reach>(`/who-can-reach?target=${target}`));
        // An export must see everything committed: not the lagging replica.
        expect((await two.get<{ onReplica: boolean }>("/export-read")).onReplica).toBe(false);
        // The version the replica has is still served from it, and reported as what it is.
        expect(await two.get<Index>(`/index?min=${old}`)).toMatchObject({ onReplica: true, version: old });
      } finally {
        pair.resumeReplay();
      }
      const v = (await two.get<{ known: number }>("/known")).known;
      await eventually("the replica to catch up and serve the new version", async () => {
        const ix = await two.get<Index>(`/index?min=${v}`);
        return ix.onReplica && ix.version >= v;
      });
      await eventually("exports to return to the replica", async () => (await two.get<{ onReplica: boolean }>("/export-read")).onReplica);
    });

    it("reads the primary when the replica fails under a read, and returns to the replica after", async () => {
      await pair.waitCaughtUp();
      const v = (await two.get<{ known: number }>("/known")).known;
      expect(await two.get<Index>(`/index?min=${v}`)).toMatchObject({ onReplica: true, version: v }); // the replica is known to have v
      pair.stopStandby();
      try {
        // Chosen without a round trip (its version is remembered), it fails under the build: the primary answers.
        expect(await two.get<Index>(`/index?min=${v}`)).toMatchObject({ onReplica: false, version: v });
      } finally {
        pair.startStandby();
      }
      // Skipped for a few seconds, then used again.
      await eventually("index builds to return to the replica", async () => (await two.get<Index>(`/index?min=${v}`)).onReplica);
    });

    it("keeps building indexes from the replica with the primary stopped", async () => {
      await pair.waitCaughtUp();
      const v = (await two.get<{ known: number }>("/known")).known;
      await admin.close();
      pair.stopPrimary();
      try {
        expect(await two.get<Index>(`/index?min=${v}`)).toMatchObject({ onReplica: true, version: v });
      } finally {
        pair.startPrimary();
        admin = await openDatabase({ url: pair.primaryUrl });
      }
    });
  });
