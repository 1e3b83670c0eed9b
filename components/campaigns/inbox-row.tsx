"use client";

import Link from "next/link";
import { KindBadge, RiskBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { EDGE_VERB, type Decision } from "@/lib/campaigns/model";
import type { ReachNode } from "@/lib/campaigns/item-reach";
import type { ItemView } from "@/lib/campaigns/views";
import { DecisionBadge, PathLine, Recommendation } from "./badges";
import { RecommendationEvidenceView } from "./recommendation-evidence";
import { SinceLastNote } from "./since-last-note";
import type { NodeKind } from "@/lib/graph/model";
import styles from "./campaigns.module.css";

export type GroupBy = "subject" | "access" | "none";

interface RowProps {
  item: ItemView;
  index: number;
  focused: boolean;
  picked: boolean;
  groupBy: GroupBy;
  busy: boolean;
  /** Names link to their node pages (MCP servers to their server page). */
  canOpenNodes: boolean;
  reach: Record<string, ReachNode>;
  /** Set when the item was delegated from this page: it stays in place, no longer actionable. */
  handedTo: string | null;
  onFocus(): void;
  onToggle(): void;
  onDecide(d: Decision): void;
  onDelegate(): void;
}

/** Where a node is explained: MCP servers have their own page; every other node its hub. */
export function nodeHref(n: { id: string; kind: NodeKind | string }): string {
  return n.kind === "mcp_server" ? `/mcp/${encodeURIComponent(n.id)}` : `/nodes/${encodeURIComponent(n.id)}`;
}

function NodeName({ node, link }: { node: { id: string; kind: NodeKind | string; name: string }; link: boolean }) {
  if (!link) return <>{node.name}</>;
  return (
    <Link href={nodeHref(node)} className={styles.nodeLink} onClick={(e) => e.stopPropagation()}>
      {node.name}
    </Link>
  );
}

/** "What it reaches": each node beyond the subject, with what it does, so the reviewer can judge without browsing the graph. */
function ReachDetails({ item, reach, link }: { item: ItemView; reach: Record<string, ReachNode>; link: boolean }) {
  const list = item.context.path.nodes.filter((n) => n.id !== item.subject.id && reach[n.id]).map((n) => reach[n.id]!);
  if (list.length === 0) return null;
  return (
    <details className={styles.reach}>
      <summary>What it reaches</summary>
      <dl>
        {list.map((n) => (
          <div key={n.id}>
            <dt>
              <NodeName node={n} link={link} /> <KindBadge kind={n.kind} />
              {n.risk ? <RiskBadge risk={n.risk.level} /> : null}
              {n.hints?.map((h) => (
                <span key={h} className="badge">
                  {h}
                </span>
              ))}
              {n.transport ? <span className={styles.verb}> · {n.transport}</span> : null}
            </dt>
            {n.description ? <dd className={styles.reachText}>{n.description}</dd> : null}
            {n.risk ? <dd className={styles.reachText}>{n.risk.reason}</dd> : null}
            {n.tools ? (
              <dd className={styles.reachText}>
                {n.tools.total} tool{n.tools.total === 1 ? "" : "s"}
                {n.tools.riskiest.length ? "; riskiest: " : ""}
                {n.tools.riskiest.map((t, k) => (
                  <span key={t.id} title={t.description ?? undefined}>
                    {k ? ", " : ""}
                    {link ? <Link href={nodeHref({ id: t.id, kind: "tool" })}>{t.name}</Link> : t.name} ({t.risk})
                  </span>
                ))}
              </dd>
            ) : null}
          </div>
        ))}
      </dl>
    </details>
  );
}

/** One review item: what it is, the recommendation, the path, the context, and its actions. */
export function InboxRow({ item: i, index, focused, picked, groupBy, busy, canOpenNodes, reach, handedTo, onFocus, onToggle, onDecide, onDelegate }: RowProps) {
  const owners = i.context.targetOwners.filter((o) => o.status !== "terminated");
  const creds = i.context.credentials;
  const own = i.target.kind === "credential" ? creds[0] : undefined;
  const hard = creds.filter((c) => c.storage === "hard_coded").length;
  const expired = creds.filter((c) => c.expired).length;
  // Tool risk already shows as a badge beside the title.
  const flags = i.context.flags.filter((f) => f.code !== "high_risk_tool" && f.code !== "critical_tool");
  return (
    <article
      className={`${styles.item} ${i.decision || handedTo ? styles.decided : ""}`}
      tabIndex={-1}
      data-decided={i.decision ? "true" : undefined}
      aria-current={focused ? "true" : undefined}
      aria-label={`${i.subject.name} ${EDGE_VERB[i.access.kind]} ${i.target.name}`}
      data-index={index}
      data-testid="inbox-item"
      onClick={onFocus}
    >
      <input
        type="checkbox"
        checked={picked}
        disabled={!!handedTo}
        onChange={onToggle}
        aria-label={`Select ${i.subject.name} ${EDGE_VERB[i.access.kind]} ${i.target.name}`}
        onClick={(e) => e.stopPropagation()}
      />
      <div className={styles.body}>
        <div className={styles.title}>
          {groupBy !== "subject" ? (
            <>
              <NodeName node={i.subject} link={canOpenNodes} /> {groupBy === "none" ? <KindBadge kind={i.subject.kind} /> : null}
            </>
          ) : null}
          {groupBy !== "access" ? (
            <>
              <span className={styles.verb}>{EDGE_VERB[i.access.kind]}</span> <NodeName node={i.target} link={canOpenNodes} />{" "}
              <KindBadge kind={i.target.kind} />
            </>
          ) : null}
          {i.toolRisk ? <RiskBadge risk={i.toolRisk} /> : null}
          {i.level === 2 ? <span className="badge info">second level</span> : null}
        </div>
        <div className={styles.line}>
          <Recommendation recommendation={i.recommendation} reason={i.recommendationReason} />
          <RecommendationEvidenceView evidence={i.context.evidence} />
        </div>
        <div className={styles.line}>
          <PathLine nodes={i.context.path.nodes} edges={i.context.path.edges} href={canOpenNodes ? nodeHref : undefined} />
        </div>
        <ReachDetails item={i} reach={reach} link={canOpenNodes} />
        <div className={styles.meta}>
          <span>
            owner{owners.length === 1 ? "" : "s"}: {owners.length ? owners.map((o) => `${o.name}${o.role ? ` (${o.role})` : ""}`).join(", ") : "none"}
          </span>
          {own ? (
            <span>
              credential: {own.storage ? own.storage.replace(/_/g, "-") : "storage unknown"}
              {own.ageDays !== null ? `, ${own.ageDays} days since rotation` : ""}
              {own.expired ? ", expired" : ""}
            </span>
          ) : creds.length ? (
            <span title={creds.map((c) => c.name).join("\n")}>
              {creds.length} credential{creds.length === 1 ? "" : "s"} behind the target{hard ? `, ${hard} hard-coded` : ""}
              {expired ? `, ${expired} expired` : ""}
            </span>
          ) : null}
          <span>
            first seen <LocalTime value={i.access.firstSeenAt} relative={false} dateOnly />
          </span>
          <span>
            {i.campaignName} · due <LocalTime value={i.dueAt} dateOnly />
          </span>
          {i.alsoIn?.length ? (
            <span data-testid="also-in" title="Other open campaigns include this access and rely on this decision">
              also in {i.alsoIn.map((a) => a.name).join(", ")}
            </span>
          ) : null}
        </div>
        {i.sinceLast ? <SinceLastNote since={i.sinceLast} /> : null}
        {flags.length ? (
          <div className={styles.flags}>
            {flags.slice(0, 4).map((f) => (
              <span key={f.code + f.message} className={`badge ${f.tone}`}>
                {f.message}
              </span>
            ))}
          </div>
        ) : null}
        {handedTo ? (
          <div className={styles.meta}>
            <span className="badge info">delegated to {handedTo}</span>
          </div>
        ) : null}
        {i.decision ? (
          <div className={styles.meta}>
            <DecisionBadge decision={i.decision} />
            {i.justification ? <span>“{i.justification}”</span> : null}
            <span>you can change it until the campaign closes</span>
          </div>
        ) : null}
      </div>
      {handedTo ? null : (
        <div className={styles.actions}>
          <button
            type="button"
            className={`btn ${styles.approve}`}
            disabled={busy}
            onClick={(e) => {
              e.stopPropagation();
              onDecide("approve");
            }}
            aria-keyshortcuts="a"
            title={i.highRisk ? "High-risk access: approving needs a justification" : undefined}
          >
            Approve
          </button>
          <button
            type="button"
            className={`btn ${styles.revoke}`}
            disabled={busy}
            onClick={(e) => {
              e.stopPropagation();
              onDecide("revoke");
            }}
            aria-keyshortcuts="r"
          >
            Revoke
          </button>
          <button
            type="button"
            className={`btn ${styles.plain}`}
            disabled={busy}
            onClick={(e) => {
              e.stopPropagation();
              onDecide("abstain");
            }}
            aria-keyshortcuts="n"
          >
            Abstain
          </button>
          {!i.decision ? (
            <button
              type="button"
              className={`btn ${styles.plain}`}
              disabled={busy}
              onClick={(e) => {
                e.stopPropagation();
                onDelegate();
              }}
              aria-keyshortcuts="d"
            >
              Delegate
            </button>
          ) : null}
        </div>
      )}
    </article>
  );
}
