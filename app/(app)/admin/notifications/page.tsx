import Link from "next/link";
import { getDb } from "@/db/client";
import { DeliveriesTable } from "@/components/campaigns/deliveries-panel";
import { ChannelsPanel, EmailPanel } from "@/components/admin/notifications-panel";
import { requirePagePermission } from "@/lib/authz/session";
import { listChannels } from "@/lib/notifications/channels";
import { smtpStatus } from "@/lib/notifications/config";
import { listRecentDeliveries } from "@/lib/notifications/queries";

export const metadata = { title: "Notifications" };

export default async function NotificationsAdminPage() {
  const actor = await requirePagePermission("admin.settings");
  const db = await getDb();
  const [channels, recent] = await Promise.all([listChannels(db, actor), listRecentDeliveries(db, actor, 50)]);
  const myEmail = actor.type === "user" || actor.type === "token" ? actor.email : "your address";
  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
        <Link href="/admin">← Admin</Link>
      </p>
      <h1>Notifications</h1>
      <p className="subtitle">
        Reviewers get one digest of their new items after a launch, reminders before the due date and an overdue notice after it; their manager gets the
        escalation. Each message links to the inbox filtered to its campaign and goes by e-mail and to the chat channels that take it. People may turn the
        digest off for themselves (<Link href="/notifications">My notifications</Link>); escalations and overdue notices always go.
      </p>
      <div className="grid2">
        <EmailPanel smtp={smtpStatus()} myEmail={myEmail} />
        <ChannelsPanel channels={channels} />
      </div>
      <h2>Recent deliveries</h2>
      {recent.length === 0 ? (
        <p className="subtitle">Nothing delivered yet.</p>
      ) : (
        <DeliveriesTable deliveries={recent} showCampaign label="Recent deliveries" />
      )}
    </>
  );
}
