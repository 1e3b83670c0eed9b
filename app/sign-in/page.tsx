import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { isDemoMode } from "@/db/client";
import { oidcConfig, passwordSignInEnabled, signIn } from "@/lib/auth/auth";
import { sessionActor } from "@/lib/authz/session";

export const metadata = { title: "Sign in" };

async function signInAction(formData: FormData) {
  "use server";
  try {
    await signIn("credentials", {
      email: String(formData.get("email") ?? ""),
      password: String(formData.get("password") ?? ""),
      redirectTo: "/",
    });
  } catch (e) {
    // Auth.js signals success with a redirect, which must propagate; only its own errors mean "refused".
    if (e instanceof AuthError) redirect(`/sign-in?error=${(e as { code?: string }).code === "rate_limited" ? "rate" : "invalid"}`);
    throw e;
  }
}

async function oidcSignInAction() {
  "use server";
  try {
    await signIn("oidc", { redirectTo: "/" });
  } catch (e) {
    // Success is a redirect to the identity provider; an AuthError here means it could not be reached or refused us.
    if (e instanceof AuthError) redirect("/sign-in?error=oidc-failed");
    throw e;
  }
}

/** What the page says for each `?error=`: ours (oidc-*, set by lib/auth/auth.ts) and Auth.js's own error types. */
function errorMessage(error: string, idp: string): string {
  switch (error) {
    case "rate":
      return "Too many sign-in attempts. Wait a few minutes and try again.";
    case "invalid":
    case "CredentialsSignin":
      return "That email and password do not match an active account.";
    case "oidc-disabled":
      return "Your Attest account is disabled. Ask an administrator if you need access.";
    case "oidc-cannot_link":
      return `An Attest account with your email exists, but your ${idp} sign-in could not be linked to it safely (the email is not verified by ${idp}, or the account already signs in with another identity). Ask an administrator.`;
    case "oidc-no_email":
      return `${idp} did not send your email address, which a new Attest account needs. Ask an administrator to release the email claim to Attest.`;
    default:
      return `Sign-in with ${idp} did not complete. Try again; if it keeps failing, ask an administrator.`;
  }
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  if (await sessionActor()) redirect("/");
  const { error } = await searchParams;
  const demoUsers = isDemoMode() ? (await import("@/db/seed/demo-org")).buildDemoOrg().users : [];
  const enabled = passwordSignInEnabled();
  return (
    <main className="signin">
      <section className="panel">
        <h1>Sign in to Attest</h1>
        <p className="subtitle">Identity-graph governance for people, service accounts, AI agents and MCP servers.</p>
        {error ? (
          <p className="alert" role="alert">
            {errorMessage(error, oidcConfig?.name ?? "single sign-on")}
          </p>
        ) : null}
        {oidcConfig ? (
          <form action={oidcSignInAction}>
            <button className="btn" type="submit">
              Sign in with {oidcConfig.name}
            </button>
          </form>
        ) : null}
        {oidcConfig && enabled ? <p className="subtitle">or with your email and password:</p> : null}
        {enabled ? (
          <form action={signInAction}>
            <label>
              Email
              <input name="email" type="email" autoComplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
            <button className="btn" type="submit">
              Sign in
            </button>
          </form>
        ) : oidcConfig ? null : (
          <p>Password sign-in is turned off on this server. Ask an administrator how to sign in.</p>
        )}
      </section>
      {demoUsers.length > 0 ? (
        <section className="panel" aria-labelledby="demo-users">
          <h2 id="demo-users" style={{ marginTop: 0 }}>
            Demo accounts
          </h2>
          <p className="subtitle">This server runs the demo organisation, Northwind Analytics. Pick a role to look around.</p>
          <ul className="demo-users">
            {demoUsers.map((u) => (
              <li key={u.email}>
                <form action={signInAction} style={{ display: "flex", justifyContent: "space-between", gap: "0.5rem", alignItems: "center" }}>
                  <input type="hidden" name="email" value={u.email} />
                  <input type="hidden" name="password" value={u.password} />
                  <div>
                    <strong>{u.name}</strong> <span className="badge info">{u.roles.join(" + ")}</span>
                    <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }}>
                      {u.description}
                      <br />
                      <span className="mono">
                        {u.email} / {u.password}
                      </span>
                    </div>
                  </div>
                  <button className="btn secondary" type="submit" aria-label={`Sign in as ${u.name} (${u.roles.join(", ")})`}>
                    Sign in
                  </button>
                </form>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}
