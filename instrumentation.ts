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
    const { startBackgroundJobs, startPdpListener } = await import("./instrumentation-node");
    await startBackgroundJobs();
    await startPdpListener();
  }
}
