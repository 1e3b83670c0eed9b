import Link from "next/link";
import { getDb } from "@/db/client";
import { BarChart } from "@/components/findings/bar-chart";
import { SEVERITY_COLOR } from "@/components/findings/badges";
import { AcceptByRule } from "@/components/findings/accept-by-rule";
import { EvaluateButton } from "@/components/findings/evaluate-button";
import { FindingsTable } from "@/components/findings/findings-table";
import styles from "@/components/findings/findings.module.css";
import { EmptyState } from "@/components/ui/empty-state";
import { PendingChanges } from "@/components/ui/pending-changes";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { pendingChanges } from "@/lib/graph/after-change";
import { MAX_SUPPRESSION_DAYS } from "@/lib/findings/manage-suppressions";
import { findingsSummary, listFindings, listFindingsQuerySchema } from "@/lib/findings/queries";
import { FINDING_RULES, FINDING_SEVERITIES, RULES, type FindingStatus } from "@/lib/findings/rules";

export const metadata = { title: "Findings" };

type Params = Record<string, string | string[] | undefined>;
const one = (p: Params, k: string) => (typeof p[k] === "string" && p[k] !== "" ? (p[k] as string) : undefined);
const STATUS_TABS = [
  ["open", "Open"],
  ["accepted", "Accepted"],
  ["resolved", "Resolved"],
  ["all", "All"],
] as const;
const RULE_COLOR = "#5b6675";
const TRIGGER_LABEL: Record<string, string> = {
  import: "after an import",
  change: "after a change",
  ownership: "after an ownership change",
  schedule: "nightly",
};
const utc = (iso: string) => iso.slice(0, 16).replace("T", " ");

function href(state: Record<string, string | undefined>) {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v) s.set(k, v);
  const q = s.toString();
  return q ? `/findings?${q}` : "/findings";
}

export default async function FindingsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const actor = await requirePagePermission("findings.read");
  const db = await getDb();
  const p = await searchParams;
  const statusParam = one(p, "status") ?? "open";
  const raw = {
    rule: one(p, "rule"),
    severity: one(p, "severity"),
    status: statusParam === "all" ? undefined : statusParam,
    q: one(p, "q"),
    cursor: one(p, "cursor"),
    limit: "50",
  };
  const parsed = listFindingsQuerySchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  const query = parsed.success ? parsed.data : listFindingsQuerySchema.parse({ status: "open" });
  const state = { status: statusParam === "open" ? undefined : statusParam, rule: query.rule, severity: query.severity, q: query.q };
  const [summary, page, pending] = await Promise.all([
    findingsSummary(db, actor, { status: query.status as FindingStatus | undefined, rule: query.rule, severity: query.severity }),
    listFindings(db, actor, query),
    pendingChanges(db),
  ]);
  const last = summary.lastEvaluation;
  const anyFinding = Object.values(summary.byRule).some((n) => n > 0) || !!query.rule || !!query.severity || statusParam !== "open";

  return (
    <>
      <h1>Findings</h1>
      <p className="subtitle">
        Non-human identity and MCP risks in the graph, most severe first, each mapped to the OWASP Non-Human Identity Top 10.{" "}
        {last ? (
          <span data-testid="last-evaluation">
            Last evaluated {utc(last.finishedAt)} UTC ({TRIGGER_LABEL[last.trigger] ?? last.trigger}
            {last.trigger === "change"
              ? `: ${last.counts.subjects ?? 0} subjects re-checked, ${last.counts.found ?? 0} found`
              : `, ${last.counts.found ?? 0} found`}
            )
            {summary.lastFullEvaluation && summary.lastFullEvaluation.id !== last.id
              ? `; last full evaluation ${utc(summary.lastFullEvaluation.finishedAt)} UTC`
              : ""}
            .
          </span>
        ) : (
          "Not evaluated yet: findings are evaluated after every import, or on demand."
        )}
      </p>
      <PendingChanges count={pending.count} what="these findings" />
      <div className={styles.actionsBar}>
        {can(actor, "findings.manage") ? (
          <>
            <EvaluateButton />
            <AcceptByRule defaultRule={query.rule} maxDays={MAX_SUPPRESSION_DAYS} />
          </>
        ) : null}
        <Link href="/findings/suppressions">Suppressions</Link>
      </div>
      {!parsed.success ? (
        <p className="alert" role="alert">
          Some filters in the address were not understood and were ignored.
        </p>
      ) : null}

      <div className={styles.charts}>
        <section className="panel" aria-labelledby="by-severity">
          <h2 id="by-severity" className={styles.chartTitle}>
            By severity
          </h2>
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
              href: href({ ...state, severity: query.severity === s ? undefined : s }),
              selected: query.severity === s,
            }))}
          />
          <p className={styles.chartNote}>Click a bar to filter; click it again to clear.</p>
        </section>
        <section className="panel" aria-labelledby="by-rule">
          <h2 id="by-rule" className={styles.chartTitle}>
            By rule
          </h2>
          <BarChart
            title="Findings by rule"
            testId="chart-rule"
            rows={FINDING_RULES.map((r) => ({
              key: r,
              label: RULES[r].label,
              tag: RULES[r].owasp.join(" "),
              value: summary.byRule[r],
              color: RULE_COLOR,
              href: href({ ...state, rule: query.rule === r ? undefined : r }),
              selected: query.rule === r,
            }))}
          />
        </section>
      </div>

      <div className={styles.filters}>
        <nav className="segmented" aria-label="Status">
          {STATUS_TABS.map(([k, label]) => (
            <Link key={k} href={href({ ...state, status: k === "open" ? undefined : k })} aria-current={statusParam === k ? "true" : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        <form action="/findings" role="search">
          {state.status ? <input type="hidden" name="status" value={state.status} /> : null}
          <select name="rule" defaultValue={query.rule ?? ""} aria-label="Rule">
            <option value="">Every rule</option>
            {FINDING_RULES.map((r) => (
              <option key={r} value={r}>
                {RULES[r].label} ({RULES[r].owasp.join(", ")})
              </option>
            ))}
          </select>
          <select name="severity" defaultValue={query.severity ?? ""} aria-label="Severity">
            <option value="">Every severity</option>
            {FINDING_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <input type="search" name="q" defaultValue={query.q ?? ""} placeholder="Search titles and subjects" aria-label="Search findings" />
          <button className="btn secondary" type="submit">
            Filter
          </button>
          {state.rule || state.severity || state.q ? <Link href={href({ status: state.status })}>Clear filters</Link> : null}
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
          <FindingsTable items={page.items} canCreateCampaign={can(actor, "campaign.manage")} />
          <div className="pager">
            {query.cursor ? <Link href={href(state)}>First page</Link> : null}
            {page.nextCursor ? <Link href={href({ ...state, cursor: page.nextCursor })}>Next page</Link> : null}
          </div>
        </>
      )}
    </>
  );
}
