import Link from "next/link";
import { getDb } from "@/db/client";
import { CampaignStatusBadge } from "@/components/campaigns/badges";
import { TemplateControls } from "@/components/campaigns/template-controls";
import { EmptyState } from "@/components/ui/empty-state";
import { LocalTime } from "@/components/ui/local-time";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { listTemplates } from "@/lib/campaigns/templates";

export const metadata = { title: "Recurring campaigns" };

export default async function TemplatesPage() {
  const actor = await requirePagePermission("campaign.read");
  const list = await listTemplates(await getDb(), actor);
  const canManage = can(actor, "campaign.manage");
  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
        <Link href="/campaigns">← campaigns</Link>
      </p>
      <h1>Recurring campaigns</h1>
      <p className="subtitle">
        Templates the job engine turns into campaigns on a schedule (cron, UTC). Each instance is linked to the one before, so reviewers see last time&apos;s
        answer and what changed.
      </p>
      {canManage ? (
        <div className="toolbar">
          <Link className="btn" href="/campaigns/templates/new">
            New recurring campaign
          </Link>
        </div>
      ) : null}
      {list.total === 0 ? (
        <EmptyState title="No recurring campaigns yet">
          <p>A quarterly access review, for instance: define it once, and each quarter&apos;s campaign is created and launched on time.</p>
        </EmptyState>
      ) : (
        <div style={{ overflowX: "auto" }}>
          <table className="data" data-testid="templates-table">
            <thead>
              <tr>
                <th>Template</th>
                <th>Schedule</th>
                <th>Next run</th>
                <th>Last instance</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((t) => (
                <tr key={t.id} data-testid="template-row">
                  <td>
                    <strong>{t.name}</strong>
                    <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }}>
                      due {t.durationDays} day{t.durationDays === 1 ? "" : "s"} after each run · owner {t.owner?.name ?? "—"}
                    </div>
                  </td>
                  <td>
                    {t.schedule}
                    <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }}>
                      <code>{t.cron}</code>
                      {t.scheduleWarning ? <span title={t.scheduleWarning}> · day of month OR day of week</span> : null}
                    </div>
                  </td>
                  <td>{t.enabled ? <LocalTime value={t.nextRunAt} /> : <span className="subtitle">disabled</span>}</td>
                  <td>
                    {t.lastCampaign ? (
                      <>
                        <Link href={`/campaigns/${encodeURIComponent(t.lastCampaign.id)}`}>{t.lastCampaign.name}</Link>{" "}
                        <CampaignStatusBadge status={t.lastCampaign.status} />
                      </>
                    ) : (
                      <span className="subtitle">none yet</span>
                    )}
                    {t.instances > 1 ? (
                      <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }}>
                        {t.instances} instances
                      </div>
                    ) : null}
                    {t.lastError ? (
                      <div className="badge danger" role="note" style={{ whiteSpace: "normal" }}>
                        last run failed: {t.lastError}
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <TemplateControls id={t.id} name={t.name} enabled={t.enabled} canManage={canManage} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
