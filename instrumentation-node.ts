/**
 * Background workers run inside the server process (`npm start` needs no
 * second command; PGlite allows one process anyway). Each area registers its
 * own handlers, schedules and sweeps; this is where they are gathered.
 * Node runtime only: instrumentation.ts imports it behind NEXT_RUNTIME.
 */
export async function startBackgroundJobs(): Promise<void> {
  await import("./lib/ingest/jobs");
  await import("./lib/findings/jobs");
  await import("./lib/campaigns/jobs");
  await import("./lib/campaigns/triggers/jobs");
  await import("./lib/campaigns/template-jobs");
  await import("./lib/pipeline/jobs");
  await import("./lib/connectors/jobs");
  await import("./lib/notifications/jobs");
  await import("./lib/requests/jobs");
  await import("./lib/jobs/partition-upkeep");
  const { getDatabase } = await import("./db/client");
  const { startJobs, stopJobs } = await import("./lib/jobs");
  const database = await getDatabase();
  await startJobs(database);
  // The decision log's writer (issue #20): every second it writes what the decision point recorded, one audited batch.
  const { startDecisionFlusher, stopDecisionFlusher } = await import("./lib/usage/decision-flusher");
  startDecisionFlusher(database.db);
  // Best effort: Next exits on its own once the server is closed; whatever this does not finish is failed by the next sweep.
  // The decision log is written out first, while the database is still open.
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.once(sig, () => {
      stopDecisionFlusher()
        .catch((e: Error) => console.error("[decision-log] final write failed:", e.message))
        .finally(() => stopJobs().catch((e: Error) => console.error("[jobs] stop failed:", e.message)));
    });
  }
}

/**
 * The decision port for gateways (issue #20, lib/pdp/listener.ts): when ATTEST_PDP_PORT is set, the AuthZEN
 * evaluation endpoints are also served there by node:http directly (ATTEST_PDP_HOST, default 0.0.0.0).
 */
export async function startPdpListener(): Promise<void> {
  const raw = process.env.ATTEST_PDP_PORT?.trim();
  if (!raw) return;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    console.error(`[pdp] ATTEST_PDP_PORT must be a port number (1-65535); the decision port is not started`);
    return;
  }
  const { getDb } = await import("./db/client");
  const { createPdpListener } = await import("./lib/pdp/listener");
  const server = createPdpListener(getDb);
  server.on("error", (e: Error) => console.error(`[pdp] the decision port failed: ${e.message}`));
  server.listen(port, process.env.ATTEST_PDP_HOST?.trim() || "0.0.0.0", () => console.log(`[pdp] AuthZEN decisions on port ${port}`));
  for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => server.close());
}
