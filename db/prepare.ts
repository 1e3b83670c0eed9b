import { getDatabase, isDemoMode } from "./client";

/**
 * Runs once when the server starts (instrumentation.ts), inside the server
 * process so PGlite is only ever opened by one process: applies migrations and,
 * in demo mode, seeds the demo organisation into an empty database.
 */
export async function prepareDatabase(): Promise<void> {
  const database = await getDatabase();
  const { failInterruptedImports } = await import("@/lib/ingest/run-import");
  const interrupted = await failInterruptedImports(database.db, database.kind);
  if (interrupted) console.log(`[attest] marked ${interrupted} interrupted import(s) as failed`);
  // Monthly partitions (the audit log) made ahead before anything writes; the nightly job keeps them so.
  const { runPartitionUpkeep } = await import("@/lib/jobs/partition-upkeep");
  const made = Object.entries(await runPartitionUpkeep(database.db)).filter(([, p]) => p.length);
  if (made.length) console.log(`[attest] made partitions: ${made.map(([t, p]) => `${t} ${p.map((x) => x.partition).join(", ")}`).join("; ")}`);
  if (!isDemoMode()) return;
  const { seedGraph } = await import("./seed/seed");
  const { buildDemoOrg } = await import("./seed/demo-org");
  const result = await seedGraph(database.db, buildDemoOrg());
  if (result.seeded) {
    console.log(`[attest] seeded the demo organisation: ${result.nodes} nodes, ${result.edges} edges, ${result.users} sign-in users`);
    // The seed bypasses the import engine: findings are evaluated here, then the demo is given a past
    // (a closed campaign, a later discovery run) through the real domain functions.
    const { seedDemoHistory } = await import("./seed/demo-history");
    await seedDemoHistory(database.db);
    // Two access requests waiting for the demo reviewer (micro-approvals in her inbox).
    const { seedDemoAccessRequests } = await import("./seed/demo-access-requests");
    await seedDemoAccessRequests(database.db);
  }
}
