import { getDb } from "@/db/client";
import { DigestToggle } from "@/components/campaigns/digest-toggle";
import { requirePageActor } from "@/lib/authz/session";
import { getPreferences } from "@/lib/notifications/preferences";

export const metadata = { title: "My notifications" };

export default async function MyNotificationsPage() {
  const actor = await requirePageActor();
  const prefs = await getPreferences(await getDb(), actor);
  return (
    <>
      <h1>My notifications</h1>
      <p className="subtitle">
        What Attest tells you about your review work, by e-mail{actor.type === "user" ? ` (${actor.email})` : ""} and in the team&apos;s chat channels.
      </p>
      <section className="panel">
        <DigestToggle digestOptOut={prefs.digestOptOut} />
        <p className="subtitle" style={{ marginBottom: 0 }}>
          Reminders before a due date, overdue notices and escalations are always sent: they cannot be turned off.
        </p>
      </section>
    </>
  );
}
