import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb, isDemoMode } from "@/db/client";
import { appUsers } from "@/db/schema";
import { findUserByEmail } from "@/lib/authz/load-user";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "@/lib/authz/password";
import { clientAddress, rateCount, rateLimit } from "@/lib/authz/rate-limit";

/** Password sign-in is for the demo and for deployments that ask for it; OIDC comes later. */
export function passwordSignInEnabled(): boolean {
  return isDemoMode() || process.env.ATTEST_PASSWORD_SIGNIN === "1";
}

/** Too many attempts for this account or address: the page says so (the same for unknown users). */
class TooManyAttempts extends CredentialsSignin {
  code = "rate_limited";
}

const credentialsSchema = z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) });

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
  pages: { signIn: "/sign-in" },
  providers: passwordSignInEnabled()
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
    : [],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) {
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
