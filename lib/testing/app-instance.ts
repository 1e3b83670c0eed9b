/**
 * One app instance for the several-instances tests and bench (issue #19): its own process, its own pools (primary
 * DATABASE_URL, replica DATABASE_READ_URL), its own graph feed and in-memory access index — the real lib code behind
 * a few plain HTTP endpoints. Run with tsx; prints `listening <port>` when ready. Not part of the app.
 *
 *   POST /import            a graph document (JSON) → runImport → { status, graphVersion }
 *   GET  /who-can-reach?target=…  → { graphVersion, ids } (every principal, through the cached index, by pages)
 *   GET  /who-can-reach-ids?target=…  → { graphVersion, ids } (the whole answer, ids only: the bench's read)
 *   GET  /index?min=v       builds an index through withReadDb(db, v) (pickReadDb, the primary if the replica fails) → { onReplica, version }
 *   GET  /export-read       pickCaughtUpReadDb → { onReplica }
 *   GET  /known             knownGraphVersion from memory, and the feed's and replica's counters
 *   POST /pdp/evaluate      an AuthZEN evaluation body → the decision point's answer (lib/pdp), from this instance's memory
 */
import http from "node:http";
import { openDatabase } from "@/db/client";
import { systemActor } from "@/lib/authz/actor";
import { getAccessIndex, loadAccessIndexFrom } from "@/lib/graph/access-cache";
import { whoCanReachAnswer, whoCanReachFor, whoCanReachQuerySchema } from "@/lib/graph/access-api";
import { graphFeedStats, knownGraphVersion, pickCaughtUpReadDb, replicaStats, withReadDb } from "@/lib/graph/graph-feed";
import { decodeGraphDocument } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { accessEvaluation } from "@/lib/pdp/authzen";

const database = await openDatabase({ url: process.env.DATABASE_URL!, readUrl: process.env.DATABASE_READ_URL || undefined });
const { db } = database;
const actor = systemActor(`instance-${process.pid}`);
// The access API limits each actor to 600 queries a minute; the bench's readers take turns over many system actors.
let turn = 0;
const readers = Array.from({ length: 64 }, (_, i) => systemActor(`instance-${process.pid}-reader-${i}`));

async function body(req: http.IncomingMessage): Promise<string> {
  let s = "";
  for await (const c of req) s += c;
  return s;
}

const server = http.createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? "/", "http://x");
    const reply = (code: number, v: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(v));
    };
    try {
      if (req.method === "POST" && url.pathname === "/import") {
        const decoded = decodeGraphDocument(JSON.parse(await body(req)));
        if ("errors" in decoded) return reply(400, decoded);
        const r = await runImport(db, actor, decoded, { format: "graph" });
        return reply(200, { status: r.status, errors: r.errors, graphVersion: await knownGraphVersion(db, { refresh: true }) });
      }
      if (url.pathname === "/who-can-reach") {
        const q = whoCanReachQuerySchema.parse({ target: url.searchParams.get("target") ?? "", limit: "500" });
        const ids: string[] = [];
        let version = -1;
        let cursor: string | undefined;
        do {
          const page = await whoCanReachFor(db, actor, { ...q, cursor });
          version = page.graphVersion;
          ids.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        return reply(200, { graphVersion: version, ids: ids.sort() });
      }
      if (url.pathname === "/who-can-reach-ids") {
        const q = whoCanReachQuerySchema.parse({ target: url.searchParams.get("target") ?? "" });
        const a = await whoCanReachAnswer(db, readers[turn++ % readers.length]!, q);
        return reply(200, { graphVersion: a.ix.version, ids: a.reached.map((r) => a.ix.ids[r.node]!) });
      }
      if (req.method === "POST" && url.pathname === "/pdp/evaluate") {
        return reply(200, await accessEvaluation(db, actor, JSON.parse(await body(req))));
      }
      if (url.pathname === "/rss") return reply(200, { rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
      if (url.pathname === "/index") {
        const min = Number(url.searchParams.get("min") ?? 0);
        const r = await withReadDb(db, min, async (readDb) => ({ onReplica: readDb !== db, ix: await loadAccessIndexFrom(readDb) }));
        return reply(200, { onReplica: r.onReplica, version: r.ix.version, nodes: r.ix.ids.length });
      }
      if (url.pathname === "/cached-index") {
        const ix = await getAccessIndex(db);
        return reply(200, { version: ix.version });
      }
      if (url.pathname === "/export-read") {
        const readDb = await pickCaughtUpReadDb(db);
        return reply(200, { onReplica: readDb !== db });
      }
      if (url.pathname === "/known") {
        return reply(200, { known: await knownGraphVersion(db), feed: graphFeedStats(db), replica: replicaStats(db) ?? null });
      }
      reply(404, { error: "no such endpoint" });
    } catch (err) {
      reply(500, { error: (err as Error).message });
    }
  })();
});

server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  console.log(`listening ${typeof addr === "object" && addr ? addr.port : 0}`);
});

const stop = () => {
  server.close();
  void database.close().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
