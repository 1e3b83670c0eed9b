import { LocalTime } from "@/components/ui/local-time";
import type { DeliveryView } from "@/lib/notifications/queries";

const TONE: Record<DeliveryView["status"], string> = { sent: "ok", pending: "info", failed: "danger", skipped: "warn" };
const CHANNEL: Record<DeliveryView["channel"], string> = { email: "e-mail", slack: "Slack", teams: "Teams" };

/** Who was told, when, where and how it went: one row per message and channel (newest first). */
export function DeliveriesTable({ deliveries, showCampaign = false, label }: { deliveries: DeliveryView[]; showCampaign?: boolean; label: string }) {
  return (
    <table className="data" data-testid="deliveries" aria-label={label} tabIndex={0}>
      <thead>
        <tr>
          {showCampaign ? <th>Campaign</th> : null}
          <th>Message</th>
          <th>To</th>
          <th>Channel</th>
          <th>Status</th>
          <th>When</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => (
          <tr key={d.id}>
            {showCampaign ? <td>{d.campaignName ?? d.campaignId}</td> : null}
            <td>
              {d.kind}
              {d.kind === "escalation" && d.reviewer ? <div className="subtitle">about {d.reviewer.name}</div> : null}
            </td>
            <td>
              {d.recipient?.name ?? "—"}
              <div className="subtitle" style={{ overflowWrap: "anywhere" }}>
                {d.address}
              </div>
            </td>
            <td>{CHANNEL[d.channel]}</td>
            <td>
              <span className={`badge ${TONE[d.status]}`}>{d.status}</span>
              {d.attempts > 1 ? <span className="subtitle"> · {d.attempts} attempts</span> : null}
              {d.reason ? (
                <div className="subtitle" style={{ fontSize: "0.8rem" }}>
                  {d.reason}
                </div>
              ) : null}
            </td>
            <td>
              <LocalTime value={d.sentAt ?? d.createdAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The campaign page's panel: who was told about this campaign (digests, reminders, overdue notices, escalations). */
export function DeliveriesPanel({ deliveries }: { deliveries: DeliveryView[] }) {
  const sent = deliveries.filter((d) => d.status === "sent").length;
  const failed = deliveries.filter((d) => d.status === "failed").length;
  const skipped = deliveries.filter((d) => d.status === "skipped").length;
  return (
    <section className="panel" aria-labelledby="deliveries-h" style={{ marginTop: "1rem" }}>
      <h2 id="deliveries-h" style={{ marginTop: 0 }}>
        Who was told
      </h2>
      {deliveries.length === 0 ? (
        <p className="subtitle" style={{ margin: 0 }}>
          No message delivered yet. Each reviewer gets one digest of their new items after launch, reminders before the due date, an overdue notice after it;
          their manager gets the escalation.
        </p>
      ) : (
        <>
          <p className="subtitle" style={{ marginTop: 0 }}>
            {sent} sent · {failed} failed · {skipped} skipped (with the reason) · e-mail and chat channels set up under Admin → Notifications.
          </p>
          <DeliveriesTable deliveries={deliveries.slice(0, 50)} label="Deliveries of this campaign" />
        </>
      )}
    </section>
  );
}
