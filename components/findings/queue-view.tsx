import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { Pager } from "@/components/ui/pager";
import { NODE_KINDS, NODE_KIND_LABEL, type NodeKind } from "@/lib/graph/model";
import { FINDING_RULES, RULES, type FindingRule } from "@/lib/findings/rules";
import type { FindingGroupView } from "@/lib/findings/views";
import styles from "./findings.module.css";
import qs from "./queue.module.css";
import { WorkQueueTable } from "./work-queue";

export interface QueueFilters {
  rule?: FindingRule;
  causeKind?: NodeKind;
  q?: string;
}

/**
 * The findings page's default view, "Fix these first": the root causes of the open findings in priority order, with
 * their filters, pages and empty states. Data comes from the page (listFindingGroups, queueTotals).
 */
export function QueueView({
  page,
  totals,
  filters,
  from,
  firstHref,
  nextHref,
  evaluated,
  pending,
  canCampaign,
}: {
  page: { items: FindingGroupView[]; total: number };
  totals: { groups: number; findings: number; uncaused: boolean };
  filters: QueueFilters;
  from: number;
  firstHref: string | null;
  nextHref: string | null;
  evaluated: boolean;
  pending: number;
  canCampaign: boolean;
}) {
  const filtered = !!(filters.rule || filters.causeKind || filters.q);
  return (
    <section aria-labelledby="fix-first">
      <h2 id="fix-first" className="sr-only">
        Fix these first
      </h2>
      <p className={qs.intro} data-testid="queue-intro">
        {totals.groups
          ? `${totals.findings.toLocaleString("en")} open finding${totals.findings === 1 ? "" : "s"} come from ${totals.groups.toLocaleString("en")} cause${totals.groups === 1 ? "" : "s"}: the node whose removal or fix resolves them. Highest priority first.`
          : "The causes of the open findings, highest priority first, each with the one action that resolves it."}
      </p>
      <div className={styles.filters}>
        <form action="/findings" role="search" aria-label="Filter causes">
          <input type="hidden" name="view" value="queue" />
          <select name="rule" defaultValue={filters.rule ?? ""} aria-label="Main rule">
            <option value="">Every rule</option>
            {FINDING_RULES.map((r) => (
              <option key={r} value={r}>
                {RULES[r].label}
              </option>
            ))}
          </select>
          <select name="causeKind" defaultValue={filters.causeKind ?? ""} aria-label="Kind of cause">
            <option value="">Every kind of cause</option>
            {NODE_KINDS.map((k) => (
              <option key={k} value={k}>
                {NODE_KIND_LABEL[k]}
              </option>
            ))}
          </select>
          <input type="search" name="q" defaultValue={filters.q ?? ""} placeholder="Search causes by name" aria-label="Search causes" />
          <button className="btn secondary" type="submit">
            Filter
          </button>
          {filtered ? <Link href="/findings">Clear filters</Link> : null}
        </form>
      </div>
      {page.total === 0 ? (
        <QueueEmpty filtered={filtered} evaluated={evaluated} pending={pending} uncaused={totals.uncaused} />
      ) : (
        <>
          <WorkQueueTable items={page.items} from={from} canCampaign={canCampaign} />
          <p className={qs.intro}>
            A cause&apos;s score counts its highest finding in full, the next half, the third a third, and so on: many findings raise it, without burying a
            single critical one. “Closes” is how many of its findings the action is expected to resolve.
          </p>
          <div className={qs.pagerRow}>
            <Pager from={from} shown={page.items.length} total={page.total} nextHref={nextHref} />
            {firstHref ? <Link href={firstHref}>← First page</Link> : null}
          </div>
        </>
      )}
    </section>
  );
}

function QueueEmpty({ filtered, evaluated, pending, uncaused }: { filtered: boolean; evaluated: boolean; pending: number; uncaused: boolean }) {
  if (filtered)
    return (
      <EmptyState title="No causes match">
        <p>Change the filters above, or clear them.</p>
      </EmptyState>
    );
  if (!evaluated)
    return (
      <EmptyState title="Not evaluated yet">
        <p>Findings and their causes are computed after every import, or on demand with “Evaluate now”.</p>
      </EmptyState>
    );
  if (uncaused)
    return (
      <EmptyState title="Causes not computed yet">
        <p>
          Some open findings were recorded before causes were computed; the next full evaluation groups them. Meanwhile they are in{" "}
          <Link href="/findings?view=all">All findings</Link>.
        </p>
      </EmptyState>
    );
  return (
    <EmptyState title={pending ? "Nothing to fix yet" : "No open findings"}>
      <p>
        {pending
          ? "Recent changes are still being evaluated: their findings and causes appear here when they are."
          : "Nothing in the graph breaks a rule right now. Findings are evaluated after every import."}
      </p>
    </EmptyState>
  );
}
