import Link from "next/link";
import { KIND_COLOR } from "@/lib/graph/kind-style";
import type { NodeKind } from "@/lib/graph/model";
import { EDGE_VERB, type NodeBrief } from "@/lib/campaigns/model";
import styles from "./campaigns.module.css";

const STATUS_TONE: Record<string, string> = { draft: "", launching: "info", active: "info", closed: "warn", signed_off: "ok" };
const STATUS_LABEL: Record<string, string> = { draft: "draft", launching: "launching…", active: "active", closed: "closed", signed_off: "signed off" };

export function CampaignStatusBadge({ status }: { status: string }) {
  return <span className={`badge ${STATUS_TONE[status] ?? ""}`}>{STATUS_LABEL[status] ?? status}</span>;
}

const DECISION_TONE: Record<string, string> = { approve: "ok", revoke: "danger", abstain: "", no_response: "warn" };
const DECISION_LABEL: Record<string, string> = { approve: "approved", revoke: "revoked", abstain: "abstained", no_response: "no response" };

/** A reviewer's answer or a final outcome. */
export function DecisionBadge({ decision }: { decision: string | null }) {
  if (!decision) return <span className="badge">undecided</span>;
  return <span className={`badge ${DECISION_TONE[decision] ?? ""}`}>{DECISION_LABEL[decision] ?? decision}</span>;
}

const REC_TONE: Record<string, string> = { approve: "ok", revoke: "danger", review: "warn" };

/** The recommendation and, beside it, its reason. */
export function Recommendation({ recommendation, reason }: { recommendation: string; reason: string }) {
  const text = reason.replace(/^(approve|revoke|review): /, "");
  return (
    <span style={{ display: "inline-flex", gap: "0.4rem", alignItems: "baseline", flexWrap: "wrap" }}>
      <span className={`badge ${REC_TONE[recommendation] ?? ""}`} title="Attest's recommendation">
        suggest {recommendation}
      </span>
      <span style={{ fontSize: "0.85rem" }}>{text}</span>
    </span>
  );
}

/** An access path as text: names with their kind colour, joined by the edge verbs; with `href`, each name links to its page. */
export function PathLine({ nodes, edges, href }: { nodes: NodeBrief[]; edges: string[]; href?: (n: NodeBrief) => string }) {
  return (
    <span style={{ fontSize: "0.8rem", color: "var(--muted)", lineHeight: 1.6 }} aria-label="Access path">
      {nodes.map((n, i) => (
        <span key={`${n.id}-${i}`}>
          {i > 0 ? <span> —{EDGE_VERB[edges[i - 1] ?? ""] ?? edges[i - 1]}→ </span> : null}
          <span className={styles.pathName}>
            <span className="dot" style={{ background: KIND_COLOR[n.kind as NodeKind] ?? "#999", width: 8, height: 8, marginRight: 3 }} aria-hidden />
            {href ? <Link href={href(n)}>{n.name}</Link> : n.name}
          </span>
        </span>
      ))}
    </span>
  );
}

/** A decided/total bar. */
export function ProgressBar({ done, total, label }: { done: number; total: number; label?: string }) {
  const pct = total ? Math.round((done / total) * 100) : 0;
  return (
    <div style={{ display: "flex", alignItems: "center", gap: "0.5rem", minWidth: 160 }}>
      <div className="bar" style={{ flex: 1 }} role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} aria-label={label ?? "Decided"}>
        <span style={{ width: `${pct}%`, background: pct === 100 ? "var(--ok)" : "var(--accent)" }} />
      </div>
      <span style={{ fontSize: "0.8rem", color: "var(--muted)", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" }}>
        {done}/{total}
      </span>
    </div>
  );
}

export const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : "—");
export const when = (iso: string | null | undefined) => (iso ? iso.replace("T", " ").slice(0, 16) : "—");
