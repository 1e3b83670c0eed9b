import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb, isDemoMode } from "@/db/client";
import { appUsers } from "@/db/schema";
import { findUserByEmail } from "@/lib/authz/load-user";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "@/lib/authz/password";
import { clientAddress, rateCount, rateLimit } from "@/lib/authz/rate-limit";
import { oidcConfigFromEnv } from "./oidc-config";
import { findUserIdByOidcIdentity, signInWithOidc } from "./oidc-sign-in";

/** Password sign-in is for the demo and for deployments that ask for it; otherwise people sign in through OIDC. */
export function passwordSignInEnabled(): boolean {
  return isDemoMode() || process.env.ATTEST_PASSWORD_SIGNIN === "1";
}

/** Too many attempts for this account or address: the page says so (the same for unknown users). */
class TooManyAttempts extends CredentialsSignin {
  code = "rate_limited";
}

/** OIDC settings, or null when AUTH_OIDC_* are unset; a bad configuration throws here, at start (see instrumentation.ts). */
export const oidcConfig = oidcConfigFromEnv();

const credentialsSchema = z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) });

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
  // Auth.js's own errors (a refused or failed OIDC sign-in) come back to the sign-in page as ?error=<type>.
  pages: { signIn: "/sign-in", error: "/sign-in" },
  logger: {
    // A refused sign-in (wrong password, rate limited, OIDC refusal) is an answer, not a server error: one line,
    // without Auth.js's stack trace. Anything else keeps its stack.
    error(error: Error) {
      const type = (error as Error & { type?: string }).type ?? error.name;
      if (type === "CredentialsSignin" || type === "AccessDenied") console.warn(`[auth] sign-in refused (${type})`);
      else console.error("[auth]", error);
    },
  },
  providers: [
    ...(oidcConfig
      ? [
          {
            // Auth.js's generic OIDC provider: endpoints from the issuer's discovery document, authorization code flow
            // with PKCE, state and nonce; the profile is the validated ID token's claims (so the roles claim must be in
            // the ID token). Auth.js passes oauth4webapi's allowInsecureRequests itself, so a plain-http issuer works;
            // oidc-config.ts admits one on loopback only. The redirect URI is <origin>/api/auth/callback/oidc, the
            // origin from AUTH_URL or the (forwarded) Host header (lib/auth/public-request.ts).
            id: "oidc",
            name: oidcConfig.name,
            type: "oidc" as const,
            issuer: oidcConfig.issuer,
            clientId: oidcConfig.clientId,
            clientSecret: oidcConfig.clientSecret,
            checks: ["pkce" as const, "state" as const, "nonce" as const],
          },
        ]
      : []),
    ...(passwordSignInEnabled()
      ? [
          Credentials({
            credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
            async authorize(raw, request) {
              const parsed = credentialsSchema.safeParse(raw);
              if (!parsed.success) throw new CredentialsSignin();
              // Failed attempts are counted per account and per address; once over the limit every attempt is refused
              // the same way before the password is checked, whether or not the account exists.
              const email = parsed.data.email.toLowerCase();
              const keys = [`signin:email:${email}`, `signin:ip:${clientAddress(request.headers)}`];
              if (rateCount(keys[0]!) >= 10 || rateCount(keys[1]!) >= 50) throw new TooManyAttempts();
              const db = await getDb();
              const user = await findUserByEmail(db, parsed.data.email);
              // Same work for unknown users and wrong passwords: the answer must not tell them apart.
              const ok = await verifyPassword(parsed.data.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
              if (!user || !ok || user.status !== "active") {
                rateLimit(keys[0]!, 10, 5 * 60_000);
                rateLimit(keys[1]!, 50, 5 * 60_000);
                throw new CredentialsSignin();
              }
              await db.update(appUsers).set({ lastSignInAt: new Date() }).where(eq(appUsers.id, user.id));
              return { id: user.id, email: user.email, name: user.name };
            },
          }),
        ]
      : []),
  ],
  callbacks: {
    async signIn({ account, profile }) {
      if (account?.provider !== "oidc") return true;
      if (!oidcConfig || !profile) return false;
      const result = await signInWithOidc(await getDb(), oidcConfig, profile as Record<string, unknown>);
      // A refusal goes back to the sign-in page with its reason; no session is issued.
      return result.ok ? true : `/sign-in?error=oidc-${result.reason}`;
    },
    async jwt({ token, user, account, profile }) {
      if (account?.provider === "oidc") {
        // The signIn callback above linked or created the app user; the session names that user, never the IdP's sub.
        const issuer = typeof profile?.iss === "string" ? profile.iss : oidcConfig?.issuer;
        const uid = profile?.sub && issuer ? await findUserIdByOidcIdentity(await getDb(), issuer, profile.sub) : null;
        if (!uid) throw new Error("OIDC sign-in: no app user for this identity");
        token.uid = uid;
        token.signedInAt = Date.now();
      } else if (user?.id) {
        token.uid = user.id;
        // Fixed at sign-in (unlike iat, which rolls): lets sign-out and disabling void older sessions.
        token.signedInAt = Date.now();
      }
      return token;
    },
    session({ session, token }) {
      // Only the user id and sign-in time travel in the cookie; roles and status are read from the database per request.
      if (typeof token.uid === "string") session.user.id = token.uid;
      return Object.assign(session, { signedInAt: typeof token.signedInAt === "number" ? token.signedInAt : 0 });
    },
  },
  events: {
    async signOut(message) {
      const uid = "token" in message ? message.token?.uid : undefined;
      if (typeof uid === "string") await (await getDb()).update(appUsers).set({ sessionsValidAfter: new Date() }).where(eq(appUsers.id, uid));
    },
  },
});
