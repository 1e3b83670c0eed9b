import Link from "next/link";
import { KindBadge } from "@/components/ui/kind-badge";
import { Table } from "@/components/ui/table";
import { summarizeGroupScore } from "@/lib/findings/explain-group";
import type { FindingGroupView } from "@/lib/findings/views";
import { GroupCampaignButton } from "./group-campaign-button";
import styles from "./queue.module.css";

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
const membersHref = (id: string) => `/findings?group=${encodeURIComponent(id)}`;

/**
 * "Fix these first": root-cause groups in priority order, each with its cause and main rule, how many findings it is
 * behind and how many the action closes, its score in words, and the one action that resolves it.
 */
export function WorkQueueTable({ items, from, canCampaign }: { items: FindingGroupView[]; from: number; canCampaign: boolean }) {
  return (
    <div className={styles.queueTable}>
      <Table caption="Fix these first: causes of open findings, highest priority first" testId="work-queue">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Cause</th>
            <th>Findings</th>
            <th>Score</th>
            <th>Action</th>
          </tr>
        </thead>
        <tbody>
          {items.map((g, i) => (
            <tr key={g.id} data-testid="group-row" data-rule={g.rule} data-cause={g.cause.id}>
              <td className={`num ${styles.rank}`}>{from + i + 1}</td>
              <td className={styles.cause}>
                <KindBadge kind={g.cause.kind} /> <Link href={`/nodes/${encodeURIComponent(g.cause.id)}`}>{g.cause.name}</Link>
                <p className={styles.why}>{g.ruleLabel}</p>
              </td>
              <td className={styles.members}>
                <Link href={membersHref(g.id)} data-testid="group-members" aria-label={`${plural(g.count, "finding")} caused by ${g.cause.name}`}>
                  {plural(g.count, "finding")}
                </Link>
                <p className={styles.why}>closes {g.action.closes.toLocaleString("en")}</p>
              </td>
              <td className={styles.score}>
                <span className={styles.phoneLabel}>Score </span>
                <span className={styles.scoreValue} data-testid="group-score">
                  {g.score}
                </span>
                <p className={styles.why}>{summarizeGroupScore(g.scoreParts)}</p>
              </td>
              <td className={styles.action}>
                <Link href={g.action.href} data-testid="group-action">
                  {g.action.label}
                </Link>
                {g.action.campaign && canCampaign ? <GroupCampaignButton group={g.id} causeName={g.cause.name} compact /> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
