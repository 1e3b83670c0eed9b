import Link from "next/link";
import { getDb } from "@/db/client";
import { AllFindingsView, type AllFindingsState } from "@/components/findings/all-findings-view";
import { AcceptByRule } from "@/components/findings/accept-by-rule";
import { EvaluateButton } from "@/components/findings/evaluate-button";
import styles from "@/components/findings/findings.module.css";
import qs from "@/components/findings/queue.module.css";
import { QueueView } from "@/components/findings/queue-view";
import { PendingChanges } from "@/components/ui/pending-changes";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { pendingChanges } from "@/lib/graph/after-change";
import { describeCause, getFindingGroup, listFindingGroups, listGroupsQuerySchema, queueTotals } from "@/lib/findings/group-queries";
import { findingsSummary, lastEvaluations, listFindings, listFindingsQuerySchema } from "@/lib/findings/queries";
import { MAX_SUPPRESSION_DAYS } from "@/lib/findings/manage-suppressions";
import { FINDING_RULES, type FindingStatus } from "@/lib/findings/rules";
import type { FindingsSummary } from "@/lib/findings/views";
import { hrefWith, pickParams, type RawSearchParams } from "@/lib/nav/url-state";

export const metadata = { title: "Findings" };

const TRIGGER_LABEL: Record<string, string> = {
  import: "after an import",
  change: "after a change",
  ownership: "after an ownership change",
  schedule: "nightly",
};
const LIST_KEYS = ["status", "rule", "severity", "q", "group", "sort"] as const;
const utc = (iso: string) => iso.slice(0, 16).replace("T", " ");
/** The parameters that are set. */
const drop = (o: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined));

/**
 * Findings: by default the work queue ("Fix these first": root causes in priority order, each with the action that
 * resolves it); `view=all` lists every finding in priority order with the charts and filters.
 */
export default async function FindingsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const actor = await requirePagePermission("findings.read");
  const db = await getDb();
  const p = await searchParams;
  const raw = pickParams(p, ["view", "status", "rule", "severity", "q", "group", "sort", "cursor", "causeKind", "from"]);
  // A bare /findings is the work queue; a link with the list's filters (a group's members, a severity, older links
  // with a rule or a search) opens the list, unless it names its view.
  const view = raw.view === "all" || raw.view === "queue" ? raw.view : LIST_KEYS.some((k) => raw[k]) ? "all" : "queue";
  const canCampaign = can(actor, "campaign.manage");
  const pending = await pendingChanges(db);

  let body: React.ReactNode;
  let evaluations: Pick<FindingsSummary, "lastEvaluation" | "lastFullEvaluation">;
  let understood = true;
  if (view === "queue") {
    const parsed = listGroupsQuerySchema.safeParse(drop({ rule: raw.rule, causeKind: raw.causeKind, q: raw.q, cursor: raw.cursor, limit: "25" }));
    understood = parsed.success;
    const query = parsed.success ? parsed.data : listGroupsQuerySchema.parse({ limit: "25" });
    const state = drop({ view: "queue", rule: query.rule, causeKind: query.causeKind, q: query.q });
    const from = query.cursor ? Math.max(0, Number.parseInt(raw.from ?? "0", 10) || 0) : 0;
    let page: Awaited<ReturnType<typeof listFindingGroups>>;
    try {
      page = await listFindingGroups(db, actor, query);
    } catch (e) {
      // A cursor from an older page (or edited by hand): start from the first page.
      if (!isAppError(e) || e.code !== "validation") throw e;
      understood = false;
      page = await listFindingGroups(db, actor, { ...query, cursor: undefined });
    }
    const [totals, evals] = await Promise.all([queueTotals(db, actor), lastEvaluations(db)]);
    evaluations = evals;
    body = (
      <QueueView
        page={page}
        totals={totals}
        filters={query}
        from={from}
        firstHref={query.cursor ? hrefWith("/findings", state) : null}
        nextHref={page.nextCursor ? hrefWith("/findings", state, { cursor: page.nextCursor, from: String(from + page.items.length) }) : null}
        evaluated={!!evals.lastEvaluation}
        pending={pending.count}
        canCampaign={canCampaign}
      />
    );
  } else {
    const statusParam = raw.status ?? "open";
    const parsed = listFindingsQuerySchema.safeParse(
      drop({
        rule: raw.rule,
        severity: raw.severity,
        status: statusParam === "all" ? undefined : statusParam,
        q: raw.q,
        group: raw.group,
        sort: raw.sort,
        cursor: raw.cursor,
        limit: "50",
      }),
    );
    understood = parsed.success;
    const query = parsed.success ? parsed.data : listFindingsQuerySchema.parse({ status: "open" });
    const state: AllFindingsState = drop({
      status: parsed.success && statusParam !== "open" ? statusParam : undefined,
      rule: query.rule,
      severity: query.severity,
      q: query.q,
      group: query.group,
      sort: query.sort === "priority" ? undefined : query.sort,
    });
    const href = (change: Record<string, string | undefined>) => hrefWith("/findings", { view: "all", ...drop({ ...state }) }, change);
    let page: Awaited<ReturnType<typeof listFindings>>;
    try {
      page = await listFindings(db, actor, query);
    } catch (e) {
      if (!isAppError(e) || e.code !== "validation") throw e;
      understood = false;
      page = await listFindings(db, actor, { ...query, cursor: undefined });
    }
    const [summary, cause, group] = await Promise.all([
      findingsSummary(db, actor, { status: query.status as FindingStatus | undefined, rule: query.rule, severity: query.severity, group: query.group }),
      query.group ? describeCause(db, actor, query.group) : null,
      query.group ? getFindingGroup(db, actor, query.group).catch((e) => (isAppError(e) && e.code === "not_found" ? null : Promise.reject(e))) : null,
    ]);
    evaluations = summary;
    body = (
      <AllFindingsView
        state={state}
        statusParam={parsed.success ? statusParam : "open"}
        sort={query.sort}
        summary={summary}
        page={page}
        cause={cause}
        group={group}
        hasCursor={!!query.cursor}
        href={href}
        canCampaign={canCampaign}
      />
    );
  }

  const last = evaluations.lastEvaluation;
  return (
    <>
      <h1>Findings</h1>
      <p className="subtitle">
        Non-human identity and MCP risks in the graph (OWASP NHI Top 10), grouped by root cause, highest priority first.{" "}
        {last ? (
          <span data-testid="last-evaluation">
            Last evaluated {utc(last.finishedAt)} UTC ({TRIGGER_LABEL[last.trigger] ?? last.trigger}
            {last.trigger === "change"
              ? `: ${last.counts.subjects ?? 0} subjects re-checked, ${last.counts.found ?? 0} found`
              : `, ${last.counts.found ?? 0} found`}
            )
            {evaluations.lastFullEvaluation && evaluations.lastFullEvaluation.id !== last.id
              ? `; last full evaluation ${utc(evaluations.lastFullEvaluation.finishedAt)} UTC`
              : ""}
            .
          </span>
        ) : (
          "Not evaluated yet: findings are evaluated after every import, or on demand."
        )}
      </p>
      <PendingChanges count={pending.count} what="these findings" />
      <div className={`${styles.actionsBar} ${qs.tabs}`}>
        <nav className="segmented" aria-label="View">
          <Link href="/findings" aria-current={view === "queue" ? "true" : undefined} data-testid="view-queue">
            Fix these first
          </Link>
          <Link href="/findings?view=all" aria-current={view === "all" ? "true" : undefined} data-testid="view-all">
            All findings
          </Link>
        </nav>
        {can(actor, "findings.manage") ? (
          <>
            <EvaluateButton />
            <AcceptByRule defaultRule={FINDING_RULES.find((r) => r === raw.rule)} maxDays={MAX_SUPPRESSION_DAYS} />
          </>
        ) : null}
        <Link href="/findings/suppressions">Suppressions</Link>
      </div>
      {!understood ? (
        <p className="alert" role="alert">
          Some filters in the address were not understood and were ignored.
        </p>
      ) : null}
      {body}
    </>
  );
}
