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
    // Follow-ups of graph changes (findings, offboarding, remediation checks) run here, out of requests.
    // The job engine (lib/jobs) takes this over at merge: registerPipelineHandlers(registerHandler).
    const { getDb } = await import("./db/client");
    const { startInProcessPipeline } = await import("./lib/pipeline/in-process");
    startInProcessPipeline(getDb);
  }
}
