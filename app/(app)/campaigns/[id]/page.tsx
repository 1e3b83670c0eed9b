import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { CampaignStatusBadge, day, DecisionBadge, PathLine, ProgressBar, Recommendation, when } from "@/components/campaigns/badges";
import { BurndownChart } from "@/components/campaigns/burndown-chart";
import { CampaignActions } from "@/components/campaigns/campaign-actions";
import { LaunchProgress } from "@/components/campaigns/launch-progress";
import { DeliveriesPanel } from "@/components/campaigns/deliveries-panel";
import { ScopeSummary } from "@/components/campaigns/scope-summary";
import { EmptyState } from "@/components/ui/empty-state";
import { KindBadge, RiskBadge } from "@/components/ui/kind-badge";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { previewCampaign } from "@/lib/campaigns/launch-campaign";
import { EDGE_VERB } from "@/lib/campaigns/model";
import { getCampaign, itemsQuerySchema, listCampaignItems } from "@/lib/campaigns/queries";
import { instanceLinks } from "@/lib/campaigns/templates";
import { actorUserId } from "@/lib/campaigns/views";
import { isAppError } from "@/lib/errors";
import { listCampaignDeliveries } from "@/lib/notifications/queries";

export const metadata = { title: "Campaign" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function CampaignPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: SearchParams }) {
  const actor = await requirePagePermission("campaign.read", "review.decide");
  const { id } = await params;
  if (!can(actor, "campaign.read")) redirect(`/campaigns/inbox?campaign=${encodeURIComponent(id)}`);
  const db = await getDb();
  const sp = await searchParams;
  const filter = typeof sp.status === "string" && ["pending", "decided", "all"].includes(sp.status) ? sp.status : "all";
  const cursor = typeof sp.cursor === "string" ? sp.cursor : undefined;
  const now = new Date();
  let c;
  try {
    c = await getCampaign(db, actor, id, now);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  }
  const p = c.progress!;
  const links = c.origin === "template" ? await instanceLinks(db, actor, c) : null;
  const preview = c.status === "draft" ? await previewCampaign(db, actor, id, { now }) : null;
  const items =
    c.status === "draft" || c.status === "launching"
      ? null
      : await listCampaignItems(db, actor, id, itemsQuerySchema.parse({ status: filter, limit: "100", ...(cursor ? { cursor } : {}) }));
  const overdue = c.status === "active" && now.getTime() > Date.parse(c.dueAt);
  const isOwner = c.owner?.id === actorUserId(actor);
  const canManage = can(actor, "campaign.manage");
  const showActions = (canManage && (c.status === "draft" || c.status === "active")) || c.status === "closed";

  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
        <Link href="/campaigns">← all campaigns</Link>
      </p>
      <h1 style={{ display: "flex", gap: "0.6rem", alignItems: "center", flexWrap: "wrap" }}>
        {c.name} <CampaignStatusBadge status={c.status} />
        {c.control ? <span className="badge info">{c.control}</span> : null}
        {overdue ? <span className="badge danger">overdue</span> : null}
      </h1>
      <p className="subtitle">
        {c.description ? `${c.description} · ` : ""}Owner {c.owner?.name ?? "—"} · due {day(c.dueAt)}
        {c.launchedAt
          ? ` · launched ${when(c.launchedAt)} from graph version ${c.launchGraphVersion}`
          : c.status === "launching"
            ? " · launching"
            : " · draft, not launched"}
      </p>
      {c.trigger ? (
        <div className="panel" role="note" data-testid="fired-by">
          <span className="badge info">micro-certification</span> Fired by: {c.trigger.summary}
          {c.triggerRuleId ? (
            <>
              {" "}
              · <Link href={`/campaigns/triggers/${c.triggerRuleId}`}>the trigger rule</Link>
            </>
          ) : null}
        </div>
      ) : null}
      {c.status === "launching" ? <LaunchProgress done={c.launch.done} total={c.launch.total} /> : null}
      {c.status === "draft" && c.launch.error ? (
        <p className="alert" role="alert" data-testid="launch-error">
          The last launch failed: {c.launch.error}
        </p>
      ) : null}
      {links ? (
        <p className="subtitle" data-testid="template-instance">
          Instance of recurring campaign {links.template ? <Link href="/campaigns/templates">{links.template.name}</Link> : "(template deleted)"}
          {links.previous ? (
            <>
              {" "}
              · previous: <Link href={`/campaigns/${encodeURIComponent(links.previous.id)}`}>{links.previous.name}</Link> (items show last time&apos;s answer)
            </>
          ) : (
            " · the first instance"
          )}
        </p>
      ) : null}
      {c.status === "signed_off" ? (
        <div className="panel" role="note" style={{ borderColor: "var(--ok)" }}>
          <strong>Signed off</strong> by {c.signedOffBy} on {when(c.signedOffAt)}: “{c.signOffStatement}”
        </div>
      ) : null}
      {showActions ? (
        <CampaignActions
          campaignId={c.id}
          status={c.status}
          canManage={canManage}
          isOwner={isOwner}
          undecided={p.undecided}
          dueAt={c.dueAt}
          revokeOnNoResponse={c.revokeOnNoResponse}
          unassigned={preview?.unassigned}
        />
      ) : null}

      {preview ? (
        <section className="panel" aria-labelledby="preview-title">
          <h2 id="preview-title" style={{ marginTop: 0 }}>
            Preview: launching now would create {preview.items} item{preview.items === 1 ? "" : "s"}
            {preview.secondLevelItems ? ` (+${preview.secondLevelItems} second-level)` : ""} for {preview.reviewers.length} reviewer
            {preview.reviewers.length === 1 ? "" : "s"}
          </h2>
          {preview.estimate ? (
            <p className="subtitle">
              Estimated from the first {preview.estimate.examined.toLocaleString("en")} of {preview.estimate.of.toLocaleString("en")} accesses in scope.
            </p>
          ) : null}
          {preview.unassigned ? (
            <p className="alert">
              {preview.unassigned} item(s) would have no reviewer: {preview.unassignedSample.map((u) => `${u.subject} → ${u.target}`).join("; ")}
            </p>
          ) : null}
          <p className="subtitle" style={{ margin: 0 }}>
            {preview.reviewers.map((r) => `${r.name} (${r.items})`).join(" · ")}
          </p>
        </section>
      ) : null}

      <div className={c.status !== "draft" && c.status !== "launching" && p.burndown ? "grid2" : undefined}>
        <section className="panel" aria-labelledby="def-title">
          <h2 id="def-title" style={{ marginTop: 0 }}>
            Definition
          </h2>
          <ScopeSummary c={c} linkNodes={can(actor, "graph.read")} />
        </section>
        {c.status !== "draft" && p.burndown ? (
          <section className="panel" aria-labelledby="burndown-h">
            <h2 id="burndown-h" style={{ marginTop: 0 }}>
              Progress over time
            </h2>
            <BurndownChart data={p.burndown} now={c.status === "active" ? now.toISOString() : null} />
          </section>
        ) : null}
      </div>

      {c.status !== "draft" && c.status !== "launching" ? (
        <>
          <div className="cards" aria-label="Totals">
            <Card n={p.total} l="Items" />
            {p.reviewedElsewhere.total ? <Card n={p.reviewedElsewhere.total} l="Reviewed in another campaign" /> : null}
            <Card n={p.decided} l="Decided" />
            <Card n={p.undecided} l="Undecided" />
            <Card n={p.overdue} l="Overdue" tone={p.overdue ? "danger" : undefined} />
            <Card n={p.byDecision.approve} l="Approved" />
            <Card n={p.byDecision.revoke} l="Revoked" />
            <Card n={p.byDecision.abstain} l="Abstained" />
            {p.outcomes ? <Card n={p.outcomes.no_response} l="No response at close" tone={p.outcomes.no_response ? "warn" : undefined} /> : null}
          </div>
          <div className="grid2">
            <section className="panel" aria-labelledby="by-reviewer">
              <h2 id="by-reviewer" style={{ marginTop: 0 }}>
                Progress by reviewer
              </h2>
              <table className="data" data-testid="reviewer-progress" aria-labelledby="by-reviewer" tabIndex={0}>
                <thead>
                  <tr>
                    <th>Reviewer</th>
                    <th>Decided</th>
                    <th className="num">Approve</th>
                    <th className="num">Revoke</th>
                    <th className="num">Abstain</th>
                  </tr>
                </thead>
                <tbody>
                  {p.byReviewer.map((r) => (
                    <tr key={r.id}>
                      <td>{r.name}</td>
                      <td>
                        <ProgressBar done={r.decided} total={r.total} label={`${r.name}: decided`} />
                      </td>
                      <td className="num">{r.approve}</td>
                      <td className="num">{r.revoke}</td>
                      <td className="num">{r.abstain}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="panel" aria-labelledby="notes-h">
              <h2 id="notes-h" style={{ marginTop: 0 }}>
                Messages recorded
              </h2>
              {p.notifications.length === 0 ? (
                <p className="subtitle" style={{ margin: 0 }}>
                  None recorded yet. Reminders go out {c.reminderDays.join(" and ")} day(s) before the due date; overdue notices and escalations after it.
                </p>
              ) : (
                <ul style={{ margin: 0, paddingLeft: "1.1rem", fontSize: "0.88rem" }} data-testid="notifications">
                  {p.notifications.slice(0, 12).map((n) => (
                    <li key={n.id}>
                      <span className={`badge ${n.kind === "escalation" ? "danger" : "info"}`}>{n.kind}</span> to {n.recipient?.name ?? "—"} ·{" "}
                      {when(n.createdAt)}
                      <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }}>
                        {n.message}
                      </div>
                    </li>
                  ))}
                </ul>
              )}
              {c.status !== "active" ? (
                <>
                  <h2 style={{ marginBottom: "0.4rem" }}>Remediation</h2>
                  <p style={{ margin: 0, fontSize: "0.9rem" }}>
                    {p.remediation.open} open · {p.remediation.done} done{p.remediation.not_effective ? ` (${p.remediation.not_effective} not effective)` : ""}{" "}
                    · {p.remediation.verified} verified · <Link href={`/campaigns/remediation?campaign=${c.id}`}>remediation tasks →</Link>
                  </p>
                </>
              ) : null}
            </section>
          </div>

          <DeliveriesPanel deliveries={await listCampaignDeliveries(db, actor, c.id, { limit: 200 })} />

          <h2 id="items-h">Items</h2>
          <nav className="chips" aria-label="Filter items">
            {(["all", "pending", "decided"] as const).map((s) => (
              <Link key={s} className="chip" href={`/campaigns/${c.id}?status=${s}`} aria-current={filter === s ? "true" : undefined}>
                {s === "pending" ? "undecided" : s}
              </Link>
            ))}
          </nav>
          {items && items.total === 0 ? (
            <EmptyState title="No items here" />
          ) : items ? (
            <>
              <table className="data" data-testid="campaign-items" aria-labelledby="items-h" tabIndex={0}>
                <thead>
                  <tr>
                    <th>Subject and access</th>
                    <th>Risk</th>
                    <th>Recommendation</th>
                    <th>Reviewer</th>
                    <th>{c.status === "active" ? "Decision" : "Outcome"}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.items.map((i) => (
                    <tr key={i.id}>
                      <td style={{ maxWidth: 420 }}>
                        <div style={{ display: "flex", gap: "0.35rem", flexWrap: "wrap", alignItems: "center" }}>
                          <strong>{i.subject.name}</strong> <KindBadge kind={i.subject.kind} />
                          <span style={{ color: "var(--muted)" }}>{EDGE_VERB[i.access.kind]}</span> <strong>{i.target.name}</strong>
                          {i.level === 2 ? <span className="badge info">2nd level</span> : null}
                        </div>
                        {i.campaignId !== c.id ? (
                          <div className="subtitle" style={{ margin: 0, fontSize: "0.78rem" }} data-testid="reviewed-elsewhere">
                            reviewed in campaign <Link href={`/campaigns/${i.campaignId}`}>{i.campaignName}</Link> (the same access, decided there once)
                          </div>
                        ) : i.alsoIn.length ? (
                          <div className="subtitle" style={{ margin: 0, fontSize: "0.78rem" }}>
                            also in {i.alsoIn.map((a) => a.name).join(", ")}
                          </div>
                        ) : null}
                        <PathLine nodes={i.context.path.nodes} edges={i.context.path.edges} />
                      </td>
                      <td>{i.toolRisk ? <RiskBadge risk={i.toolRisk} /> : "—"}</td>
                      <td style={{ maxWidth: 260 }}>
                        <Recommendation recommendation={i.recommendation} reason={i.recommendationReason} />
                      </td>
                      <td>
                        {i.reviewer?.name}
                        <div className="subtitle" style={{ margin: 0, fontSize: "0.75rem" }}>
                          {i.reviewerReason}
                        </div>
                      </td>
                      <td>
                        <DecisionBadge decision={c.status === "active" ? i.decision : (i.outcome ?? i.decision)} />
                        {i.justification ? (
                          <div className="subtitle" style={{ margin: 0, fontSize: "0.78rem" }}>
                            “{i.justification}”
                          </div>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="pager">
                <span>
                  {items.items.length} shown of {items.total}
                  {items.totalExact ? "" : "+"}
                </span>
                {cursor ? <Link href={`/campaigns/${c.id}?status=${filter}`}>First page</Link> : null}
                {items.nextCursor ? (
                  <Link className="btn secondary" href={`/campaigns/${c.id}?status=${filter}&cursor=${encodeURIComponent(items.nextCursor)}`}>
                    Next page →
                  </Link>
                ) : null}
              </div>
            </>
          ) : null}
        </>
      ) : null}
    </>
  );
}

function Card({ n, l, tone }: { n: number; l: string; tone?: "danger" | "warn" }) {
  return (
    <div className="card" style={tone ? { borderColor: tone === "danger" ? "var(--danger)" : "var(--warn)" } : undefined}>
      <div className="n" style={tone ? { color: tone === "danger" ? "var(--danger)" : "var(--warn)" } : undefined}>
        {n}
      </div>
      <div className="l">{l}</div>
    </div>
  );
}
