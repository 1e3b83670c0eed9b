#!/usr/bin/env node
// A real OpenID Provider (oidc-provider, the certified implementation) on 127.0.0.1, for the OIDC sign-in e2e tests.
// Started by playwright.config.ts. Its development login pages accept any login and password: the login becomes the
// account id (`sub`), and the accounts below say what the ID token claims. No network beyond loopback.
//   OIDC_PORT          port to listen on (playwright.config.ts derives it from ATTEST_E2E_PORT)
//   OIDC_REDIRECT_URI  the app's callback, http://127.0.0.1:<app port>/api/auth/callback/oidc
import { Provider } from "oidc-provider";

const port = Number(process.env.OIDC_PORT ?? 4100);
const redirectUri = process.env.OIDC_REDIRECT_URI ?? "http://127.0.0.1:3100/api/auth/callback/oidc";
const issuer = `http://127.0.0.1:${port}`;

/** Known people; any other login is a newcomer with a verified email at idp.test and no Attest group. */
const ACCOUNTS = {
  "olivia.oidc": { name: "Olivia Okafor", email: "olivia.oidc@idp.test", groups: ["attest-analysts", "all-staff"] },
};

function claimsFor(id) {
  const known = ACCOUNTS[id];
  return {
    sub: id,
    name: known?.name ?? `Newcomer ${id}`,
    email: known?.email ?? `${id}@idp.test`,
    email_verified: true,
    groups: known?.groups ?? ["all-staff"],
  };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "attest-e2e",
      client_secret: "attest-e2e-oidc-client-secret",
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  // Claims go in the ID token (Attest reads the ID token's claims), as Okta and Entra do for a groups claim.
  conformIdTokenClaims: false,
  claims: { openid: ["sub", "groups"], email: ["email", "email_verified"], profile: ["name"] },
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => claimsFor(id) }),
  features: { devInteractions: { enabled: true } },
  // Fixed keys are not needed: tokens live for one test run.
  cookies: { keys: ["attest-e2e-oidc-cookie-key"] },
});
provider.proxy = false;
// Why a token request failed, for the test log (the answer itself only says invalid_grant).
provider.on("grant.error", (_ctx, err) => console.error(`[oidc-provider] grant error: ${err.message}: ${err.error_detail ?? ""}`));

provider.listen(port, "127.0.0.1", () => {
  console.log(`[oidc-provider] ${issuer} (client attest-e2e → ${redirectUri})`);
});
