export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // A bad AUTH_OIDC_* configuration stops the server at start with the reason, rather than at the first sign-in.
    const { oidcConfigFromEnv, OidcConfigError } = await import("./lib/auth/oidc-config");
    try {
      oidcConfigFromEnv();
    } catch (e) {
      if (!(e instanceof OidcConfigError)) throw e;
      console.error(`[attest] ${e.message}`);
      process.exit(1);
    }
    const { prepareDatabase } = await import("./db/prepare");
    await prepareDatabase();
    await startBackgroundJobs();
  }
}

/**
 * Workers run inside the server process (`npm start` needs no second command;
 * PGlite allows one process anyway). Each area registers its own handlers,
 * schedules and sweeps; this is where they are gathered.
 */
async function startBackgroundJobs() {
  await import("./lib/ingest/jobs");
  await import("./lib/findings/jobs");
  await import("./lib/campaigns/jobs");
  const { getDatabase } = await import("./db/client");
  const { startJobs, stopJobs } = await import("./lib/jobs");
  await startJobs(await getDatabase());
  // Best effort: Next exits on its own after closing the server; anything this does not finish is failed by the next sweep.
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.once(sig, () => {
      stopJobs().catch((e: Error) => console.error("[jobs] stop failed:", e.message));
    });
  }
}
