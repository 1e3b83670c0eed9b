import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { KindBadge } from "@/components/ui/kind-badge";
import type { NodeKind } from "@/lib/graph/model";
import { FINDING_RULES, FINDING_SEVERITIES, RULES, type FindingRule, type FindingSeverity } from "@/lib/findings/rules";
import type { FindingGroupView, FindingsSummary, FindingView } from "@/lib/findings/views";
import { SEVERITY_COLOR } from "./badges";
import { BarChart } from "./bar-chart";
import { FindingsTable } from "./findings-table";
import { GroupCampaignButton } from "./group-campaign-button";
import styles from "./findings.module.css";
import qs from "./queue.module.css";

const STATUS_TABS = [
  ["open", "Open"],
  ["accepted", "Accepted"],
  ["resolved", "Resolved"],
  ["all", "All"],
] as const;
const SORTS = [
  ["priority", "Priority"],
  ["severity", "Severity"],
  ["newest", "Newest"],
] as const;
const RULE_COLOR = "#5b6675";

/** The "All findings" view's state in the URL (absent = the default). */
export interface AllFindingsState {
  status?: string;
  rule?: FindingRule;
  severity?: FindingSeverity;
  q?: string;
  group?: string;
  sort?: string;
}

/**
 * Every finding, in priority order unless another sort is chosen, with the charts that filter it, the status tabs,
 * the filters and, when it lists one root-cause group, that group's cause as a removable chip.
 */
export function AllFindingsView({
  state,
  statusParam,
  sort,
  summary,
  page,
  cause,
  group,
  hasCursor,
  href,
  canCampaign,
}: {
  state: AllFindingsState;
  statusParam: string;
  sort: string;
  summary: FindingsSummary;
  page: { items: FindingView[]; total: number; nextCursor: string | null };
  /** The cause of the group filtered to, as named; null when no group is (or the cause is unknown). */
  cause: { id: string; kind: NodeKind; name: string } | null;
  group: FindingGroupView | null;
  hasCursor: boolean;
  href(change: Partial<Record<keyof AllFindingsState | "cursor", string | undefined>>): string;
  canCampaign: boolean;
}) {
  const anyFinding = Object.values(summary.byRule).some((n) => n > 0) || !!state.rule || !!state.severity || statusParam !== "open" || !!state.group;
  return (
    <section aria-labelledby="all-findings">
      <h2 id="all-findings" className="sr-only">
        All findings
      </h2>
      {state.group ? (
        <div className={`panel ${qs.groupHeader}`} data-testid="group-filter">
          <span className={qs.chip}>
            Cause:
            {cause ? <KindBadge kind={cause.kind} /> : null}
            {cause ? <Link href={`/nodes/${encodeURIComponent(cause.id)}`}>{cause.name}</Link> : <span>an unknown cause</span>}
            <Link
              className="chip"
              href={href({ group: undefined, cursor: undefined })}
              data-testid="group-chip-remove"
              aria-label={`Remove the filter on cause ${cause?.name ?? ""}`.trim()}
            >
              <span aria-hidden>✕</span> Remove
            </Link>
          </span>
          {group ? (
            <>
              <span className={styles.note}>
                {group.count} open finding{group.count === 1 ? "" : "s"}, score {group.score}; fixing it is expected to close {group.action.closes}.
              </span>
              <Link href={group.action.href} className="btn secondary" data-testid="group-header-action">
                {group.action.label}
              </Link>
              {group.action.campaign && canCampaign ? <GroupCampaignButton group={group.id} causeName={group.cause.name} /> : null}
            </>
          ) : (
            <span className={styles.note}>This cause has no open findings now.</span>
          )}
        </div>
      ) : null}

      <div className={styles.charts}>
        <section className="panel" aria-labelledby="by-severity">
          <h3 id="by-severity" className={styles.chartTitle}>
            By severity
          </h3>
          <BarChart
            title="Findings by severity"
            testId="chart-severity"
            width={340}
            labelWidth={80}
            rows={FINDING_SEVERITIES.map((s) => ({
              key: s,
              label: s,
              value: summary.bySeverity[s],
              color: SEVERITY_COLOR[s],
              href: href({ severity: state.severity === s ? undefined : s, cursor: undefined }),
              selected: state.severity === s,
            }))}
          />
          <p className={styles.chartNote}>Click a bar to filter; click it again to clear.</p>
        </section>
        <section className="panel" aria-labelledby="by-rule">
          <h3 id="by-rule" className={styles.chartTitle}>
            By rule
          </h3>
          <BarChart
            title="Findings by rule"
            testId="chart-rule"
            rows={FINDING_RULES.map((r) => ({
              key: r,
              label: RULES[r].label,
              tag: RULES[r].owasp.join(" "),
              value: summary.byRule[r],
              color: RULE_COLOR,
              href: href({ rule: state.rule === r ? undefined : r, cursor: undefined }),
              selected: state.rule === r,
            }))}
          />
        </section>
      </div>

      <div className={styles.filters}>
        <nav className="segmented" aria-label="Status">
          {STATUS_TABS.map(([k, label]) => (
            <Link key={k} href={href({ status: k === "open" ? undefined : k, cursor: undefined })} aria-current={statusParam === k ? "true" : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        <div className={qs.sort}>
          <span id="sort-label">Sort by</span>
          <nav className="segmented" aria-labelledby="sort-label" data-testid="sort">
            {SORTS.map(([k, label]) => (
              <Link key={k} href={href({ sort: k === "priority" ? undefined : k, cursor: undefined })} aria-current={sort === k ? "true" : undefined}>
                {label}
              </Link>
            ))}
          </nav>
        </div>
        <form action="/findings" role="search" aria-label="Filter findings">
          <input type="hidden" name="view" value="all" />
          {state.status ? <input type="hidden" name="status" value={state.status} /> : null}
          {state.group ? <input type="hidden" name="group" value={state.group} /> : null}
          {state.sort ? <input type="hidden" name="sort" value={state.sort} /> : null}
          <select name="rule" defaultValue={state.rule ?? ""} aria-label="Rule">
            <option value="">Every rule</option>
            {FINDING_RULES.map((r) => (
              <option key={r} value={r}>
                {RULES[r].label} ({RULES[r].owasp.join(", ")})
              </option>
            ))}
          </select>
          <select name="severity" defaultValue={state.severity ?? ""} aria-label="Severity">
            <option value="">Every severity</option>
            {FINDING_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <input type="search" name="q" defaultValue={state.q ?? ""} placeholder="Search titles and subjects" aria-label="Search findings" />
          <button className="btn secondary" type="submit">
            Filter
          </button>
          {state.rule || state.severity || state.q ? (
            <Link href={href({ rule: undefined, severity: undefined, q: undefined, cursor: undefined })}>Clear filters</Link>
          ) : null}
        </form>
      </div>

      {page.total === 0 ? (
        <EmptyState title={anyFinding ? "No findings match" : "No open findings"}>
          <p>
            {anyFinding
              ? "Change the filters above, or look at another status."
              : "Nothing in the graph breaks a rule right now. Findings are evaluated after every import."}
          </p>
        </EmptyState>
      ) : (
        <>
          <p className={styles.note} data-testid="findings-total">
            {page.total} finding{page.total === 1 ? "" : "s"}
            {page.items.length < page.total ? `, showing ${page.items.length}` : ""}.
          </p>
          <FindingsTable items={page.items} canCreateCampaign={canCampaign} />
          <div className="pager">
            {hasCursor ? <Link href={href({ cursor: undefined })}>First page</Link> : null}
            {page.nextCursor ? <Link href={href({ cursor: page.nextCursor })}>Next page</Link> : null}
          </div>
        </>
      )}
    </section>
  );
}
