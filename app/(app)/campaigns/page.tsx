import Link from "next/link";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { CampaignStatusBadge, day, ProgressBar } from "@/components/campaigns/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { CAMPAIGN_STATUSES, type CampaignStatus } from "@/lib/campaigns/model";
import { listCampaigns, listMyItems } from "@/lib/campaigns/queries";

export const metadata = { title: "Campaigns" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const LABEL: Record<CampaignStatus, string> = { draft: "Drafts", launching: "Launching", active: "Active", closed: "Closed", signed_off: "Signed off" };

export default async function CampaignsPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requirePagePermission("campaign.read", "review.decide");
  // Reviewers work from their inbox; campaigns are the analysts' and auditors' view.
  if (!can(actor, "campaign.read")) redirect("/campaigns/inbox");
  const db = await getDb();
  const sp = await searchParams;
  const status = typeof sp.status === "string" && (CAMPAIGN_STATUSES as readonly string[]).includes(sp.status) ? (sp.status as CampaignStatus) : undefined;
  const list = await listCampaigns(db, actor, status ? { status } : {});
  const pending = can(actor, "review.decide") ? (await listMyItems(db, actor, { status: "pending", limit: 1 })).total : null;
  const now = new Date().getTime();

  return (
    <>
      <h1>Campaigns</h1>
      <p className="subtitle">Access recertification: scope what to review, route each item to its reviewer, close with outcomes and verified remediation.</p>
      <div className="toolbar">
        {can(actor, "campaign.manage") ? (
          <Link className="btn" href="/campaigns/new">
            New campaign
          </Link>
        ) : null}
        {pending !== null ? (
          <Link className="btn secondary" href="/campaigns/inbox">
            My review inbox{pending ? ` (${pending} to decide)` : ""}
          </Link>
        ) : null}
        <Link className="btn secondary" href="/campaigns/remediation">
          Remediation tasks
        </Link>
        <Link className="btn secondary" href="/campaigns/templates">
          Recurring campaigns
        </Link>
      </div>
      <nav className="chips" aria-label="Filter by status">
        <Link className="chip" href="/campaigns" aria-current={!status ? "true" : undefined}>
          All
        </Link>
        {CAMPAIGN_STATUSES.map((s) => (
          <Link key={s} className="chip" href={`/campaigns?status=${s}`} aria-current={status === s ? "true" : undefined}>
            {LABEL[s]}
          </Link>
        ))}
      </nav>
      {list.total === 0 ? (
        <EmptyState title={status ? `No ${LABEL[status].toLowerCase()} campaigns` : "No campaigns yet"}>
          <p>A campaign asks the owners of access to confirm or revoke it, and keeps the evidence.</p>
          {can(actor, "campaign.manage") ? <Link href="/campaigns/new">Define the first campaign →</Link> : null}
        </EmptyState>
      ) : (
        <table className="data" data-testid="campaigns-table">
          <thead>
            <tr>
              <th>Campaign</th>
              <th>Status</th>
              <th>Decided</th>
              <th className="num">Reviewers</th>
              <th>Due</th>
              <th>Owner</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link href={`/campaigns/${c.id}`}>{c.name}</Link>
                  {c.control ? (
                    <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }}>
                      {c.control}
                    </div>
                  ) : null}
                </td>
                <td>
                  <CampaignStatusBadge status={c.status} />
                </td>
                <td>
                  {c.status === "draft" ? <span className="subtitle">not launched</span> : <ProgressBar done={c.counts.decided} total={c.counts.items} />}
                </td>
                <td className="num">{c.counts.reviewers || "—"}</td>
                <td>
                  {day(c.dueAt)} {c.status === "active" && Date.parse(c.dueAt) < now ? <span className="badge danger">overdue</span> : null}
                </td>
                <td>{c.owner?.name ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
