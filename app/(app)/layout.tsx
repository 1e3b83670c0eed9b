import type { ReactNode } from "react";
import { CollapsibleNav } from "@/components/nav/collapsible-nav";
import { SidebarLinks } from "@/components/nav/sidebar";
import { signOut } from "@/lib/auth/auth";
import { requirePageActor } from "@/lib/authz/session";
import { navFor } from "@/lib/nav/nav-items";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageActor();
  async function signOutAction() {
    "use server";
    await signOut({ redirectTo: "/sign-in" });
  }
  return (
    <div className="shell">
      {/* First in the tab order: past the navigation to the page itself (globals.css shows it only while focused). */}
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          Attest<small>identity-graph governance</small>
        </div>
        <CollapsibleNav>
          <SidebarLinks items={navFor(actor)} />
          <div className="spacer" />
          <div className="me" data-testid="current-user">
            <div>{actor.name}</div>
            <div className="roles">{actor.roles.join(" · ") || "no role yet"}</div>
            <form action={signOutAction}>
              <button type="submit">Sign out</button>
            </form>
          </div>
        </CollapsibleNav>
      </aside>
      <main className="content" id="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
