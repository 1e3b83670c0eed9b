import Link from "next/link";
import { EDGE_VERB } from "@/lib/campaigns/model";
import { NODE_KIND_LABEL, type NodeKind } from "@/lib/graph/model";
import type { CampaignView } from "@/lib/campaigns/views";

const STRATEGY: Record<string, string> = { target_owner: "owner of the target", subject_owner: "owner of the subject", manager: "the subject's manager" };

/** The definition in words: what is reviewed, by whom, by when. */
export function ScopeSummary({ c, linkNodes }: { c: CampaignView; linkNodes: boolean }) {
  const s = c.scope;
  const nodeList = (list: { id: string; name: string }[] | undefined) =>
    list?.map((n, i) => (
      <span key={n.id}>
        {i > 0 ? ", " : ""}
        {linkNodes ? <Link href={`/nodes/${n.id}`}>{n.name}</Link> : n.name}
      </span>
    ));
  const strategy = typeof c.reviewerStrategy === "string" ? STRATEGY[c.reviewerStrategy] : `named reviewer: ${c.reviewerStrategy.reviewer?.name ?? "—"}`;
  return (
    <dl className="attrs">
      <dt>Reviews</dt>
      <dd>{s.edgeKinds.map((k) => EDGE_VERB[k] ?? k).join(", ")}</dd>
      {s.subjectKinds?.length ? (
        <>
          <dt>Subjects</dt>
          <dd>{s.subjectKinds.map((k) => NODE_KIND_LABEL[k as NodeKind]).join(", ")}</dd>
        </>
      ) : null}
      {s.sources?.length ? (
        <>
          <dt>Sources</dt>
          <dd>{s.sources.join(", ")}</dd>
        </>
      ) : null}
      {s.minToolRisk ? (
        <>
          <dt>Tool risk</dt>
          <dd>{s.minToolRisk} or higher</dd>
        </>
      ) : null}
      {s.targetNodes?.length ? (
        <>
          <dt>Reaching</dt>
          <dd>{nodeList(s.targetNodes)}</dd>
        </>
      ) : null}
      {s.ownedByNodes?.length ? (
        <>
          <dt>Subjects owned by</dt>
          <dd>{nodeList(s.ownedByNodes)}</dd>
        </>
      ) : null}
      <dt>Reviewer</dt>
      <dd>
        {strategy}; fallback {c.fallbackReviewer ? c.fallbackReviewer.name : "the campaign owner"}
      </dd>
      {c.secondLevel ? (
        <>
          <dt>Second level</dt>
          <dd>
            {c.secondLevel.reviewer?.name ?? "—"} for {c.secondLevel.minRisk}-risk access or higher;{" "}
            {c.secondLevel.rule === "any_revoke" ? "one revoke revokes" : "the second level's answer stands"}
          </dd>
        </>
      ) : null}
      <dt>Deadline</dt>
      <dd>
        due {c.dueAt.slice(0, 10)}; reminders {c.reminderDays.length ? `${c.reminderDays.join(" and ")} day(s) before` : "off"}; escalation to{" "}
        {c.escalateTo === "reviewer_manager" ? "the reviewer's manager" : "the campaign owner"}{" "}
        {c.escalateAfterDays ? `${c.escalateAfterDays} day(s) after` : "once it passes"}
        {c.revokeOnNoResponse ? "; revoke on no response" : ""}
      </dd>
    </dl>
  );
}
