import Link from "next/link";
import { getDb } from "@/db/client";
import { day, when } from "@/components/campaigns/badges";
import { Inbox, type GroupBy } from "@/components/campaigns/inbox";
import { AccessRequests } from "@/components/requests/access-requests";
import { EmptyState } from "@/components/ui/empty-state";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { itemsQuerySchema, listMyCampaigns, listMyItems, listReviewerCandidates } from "@/lib/campaigns/queries";
import { describeItemReach } from "@/lib/campaigns/item-reach";
import { listNotificationsFor } from "@/lib/campaigns/reminders";
import { actorUserId } from "@/lib/campaigns/views";
import { TOOL_RISKS } from "@/lib/graph/tool-risk";
import { hrefWith } from "@/lib/nav/url-state";
import { listAccessRequests, requestsQuerySchema } from "@/lib/requests/queries";

export const metadata = { title: "Review inbox" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const KEYS = ["status", "campaign", "recommendation", "minRisk", "q", "group", "cursor"] as const;
const GROUPS: { key: GroupBy; label: string }[] = [
  { key: "subject", label: "By subject" },
  { key: "access", label: "By access" },
  { key: "none", label: "Flat" },
];

const href = (params: Record<string, string>, change: Record<string, string | undefined>) => hrefWith("/campaigns/inbox", params, change);

export default async function InboxPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requirePagePermission("review.decide");
  const db = await getDb();
  const raw = await searchParams;
  const params: Record<string, string> = {};
  for (const k of KEYS) if (typeof raw[k] === "string" && raw[k] !== "") params[k] = raw[k] as string;
  const groupBy: GroupBy = params.group === "access" || params.group === "none" ? params.group : "subject";
  const parsed = itemsQuerySchema.safeParse({
    status: params.status ?? "pending",
    campaign: params.campaign,
    recommendation: params.recommendation,
    minRisk: params.minRisk,
    q: params.q,
    cursor: params.cursor,
    limit: "200",
  });
  const query = parsed.success ? parsed.data : itemsQuerySchema.parse({ status: "pending", limit: "200" });
  const status = query.status;
  const [page, campaigns, candidates, notes, requests] = await Promise.all([
    listMyItems(db, actor, query),
    listMyCampaigns(db, actor),
    listReviewerCandidates(db, actor),
    listNotificationsFor(db, actorUserId(actor) ?? ""),
    // Micro-approvals: access requests waiting for this reader (issue #20), shown above the campaign items.
    listAccessRequests(db, actor, requestsQuerySchema.parse({ status: "pending" })),
  ]);
  const reach = await describeItemReach(db, actor, page.items);
  const pendingTotal = campaigns.reduce((a, c) => a + c.pending, 0);
  const activeIds = new Set(campaigns.map((c) => c.id));
  const myNotes = notes.filter((n) => activeIds.has(n.campaignId)).slice(0, 3);
  const { cursor: _c, ...filters } = params;

  return (
    <>
      <h1>Review inbox</h1>
      <p className="subtitle">
        {pendingTotal
          ? `${pendingTotal} item${pendingTotal === 1 ? "" : "s"} to decide across ${campaigns.length} campaign${campaigns.length === 1 ? "" : "s"}; next due ${day(campaigns[0]?.dueAt)}.`
          : requests.total
            ? "No campaign items waiting for you."
            : "Nothing waiting for you."}{" "}
        Each item shows Attest&apos;s recommendation and the access path behind it. <Link href="/notifications">My notifications</Link>
        {can(actor, "campaign.read") ? (
          <>
            {" "}
            <Link href="/campaigns">All campaigns →</Link>
          </>
        ) : null}
      </p>
      {myNotes.length ? (
        <div className="panel" role="note" aria-label="Reminders for you" style={{ padding: "0.6rem 1rem" }}>
          {myNotes.map((n) => (
            <div key={n.id} style={{ fontSize: "0.88rem" }}>
              <span className={`badge ${n.kind === "escalation" ? "danger" : "warn"}`}>{n.kind}</span> {n.message}{" "}
              <span className="subtitle">({when(n.createdAt)})</span>
            </div>
          ))}
        </div>
      ) : null}

      <AccessRequests initial={requests} />

      <form className="toolbar" role="search" action="/campaigns/inbox">
        {filters.status ? <input type="hidden" name="status" value={filters.status} /> : null}
        {filters.group ? <input type="hidden" name="group" value={filters.group} /> : null}
        <input type="search" name="q" defaultValue={filters.q ?? ""} placeholder="Search subject or target" aria-label="Search" style={{ minWidth: 220 }} />
        <select name="campaign" defaultValue={filters.campaign ?? ""} aria-label="Campaign" style={{ maxWidth: 260 }}>
          <option value="">All campaigns</option>
          {campaigns.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.pending} left)
            </option>
          ))}
        </select>
        <select name="recommendation" defaultValue={filters.recommendation ?? ""} aria-label="Recommendation">
          <option value="">Any recommendation</option>
          <option value="approve">Suggest approve</option>
          <option value="revoke">Suggest revoke</option>
          <option value="review">Needs review</option>
        </select>
        <select name="minRisk" defaultValue={filters.minRisk ?? ""} aria-label="Tool risk">
          <option value="">Any risk</option>
          {TOOL_RISKS.map((r) => (
            <option key={r} value={r}>
              {r} or higher
            </option>
          ))}
        </select>
        <button className="btn" type="submit">
          Filter
        </button>
      </form>
      <div className="toolbar">
        <nav className="chips" aria-label="Decision status" style={{ margin: 0 }}>
          {(["pending", "decided", "all"] as const).map((s) => (
            <Link key={s} className="chip" href={href(filters, { status: s === "pending" ? undefined : s })} aria-current={status === s ? "true" : undefined}>
              {s === "pending" ? "To decide" : s === "decided" ? "Decided" : "All"}
            </Link>
          ))}
        </nav>
        <nav className="segmented" aria-label="Group items">
          {GROUPS.map((g) => (
            <Link key={g.key} href={href(filters, { group: g.key === "subject" ? undefined : g.key })} aria-current={groupBy === g.key ? "true" : undefined}>
              {g.label}
            </Link>
          ))}
        </nav>
      </div>

      {/* The inbox keeps what it shows until the reader reloads or changes the filter (it is keyed by the filters). */}
      <Inbox
        key={JSON.stringify(params)}
        items={page.items}
        reach={reach}
        groupBy={groupBy}
        candidates={candidates}
        meId={actorUserId(actor) ?? ""}
        canOpenNodes={can(actor, "graph.read")}
        empty={
          <EmptyState title={status === "pending" && !filters.q && !filters.recommendation && !filters.minRisk ? "Inbox zero" : "No items match"}>
            <p>
              {status === "pending"
                ? "Every item assigned to you is decided. Decisions can still be changed under “Decided” until each campaign closes."
                : "Try another filter."}
            </p>
          </EmptyState>
        }
      />
      {page.nextCursor || params.cursor ? (
        <div className="pager">
          <span>
            {page.items.length} shown of {page.total}
            {page.totalExact ? "" : "+"}
          </span>
          {params.cursor ? <Link href={href(filters, {})}>First page</Link> : null}
          {page.nextCursor ? (
            <Link className="btn secondary" href={href(filters, { cursor: page.nextCursor })} rel="next">
              Next page →
            </Link>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
