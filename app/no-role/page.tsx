import Link from "next/link";
import { redirect } from "next/navigation";
import { signOut } from "@/lib/auth/auth";
import { sessionActor } from "@/lib/authz/session";

export const metadata = { title: "No role yet" };

/** Where a signed-in person without a role waits: no navigation, no data, until an admin grants a role. */
export default async function NoRolePage() {
  const actor = await sessionActor();
  if (!actor) redirect("/sign-in");
  // Roles are read per request: once granted, the next visit goes on to the app.
  if (actor.roles.length > 0) redirect("/");
  async function signOutAction() {
    "use server";
    await signOut({ redirectTo: "/sign-in" });
  }
  return (
    <main className="signin" style={{ display: "block", maxWidth: 560 }}>
      <div className="panel empty">
        <h1>You&apos;re signed in but have no role yet</h1>
        <p>
          Ask an administrator to grant you a role in Attest (Admin → Users and roles). You are signed in as <strong>{actor.name}</strong>
          {"email" in actor && actor.email !== actor.name ? ` (${actor.email})` : null}.
        </p>
        <p className="subtitle">Once a role is granted, reload this page or open the dashboard; you do not need to sign in again.</p>
        <form action={signOutAction}>
          <Link className="btn secondary" href="/">
            Open the dashboard
          </Link>{" "}
          <button className="btn" type="submit">
            Sign out
          </button>
        </form>
      </div>
    </main>
  );
}
