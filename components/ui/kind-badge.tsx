import { KIND_COLOR } from "@/lib/graph/kind-style";
import { NODE_KIND_LABEL, type NodeKind } from "@/lib/graph/model";

export function KindBadge({ kind }: { kind: NodeKind }) {
  return (
    <span className="badge" style={{ display: "inline-flex", alignItems: "center", gap: "0.3rem" }}>
      <span className="dot" style={{ background: KIND_COLOR[kind] }} aria-hidden />
      {NODE_KIND_LABEL[kind]}
    </span>
  );
}

const STATUS_TONE: Record<string, string> = { active: "ok", leave: "warn", inactive: "warn", terminated: "danger" };

export function StatusBadge({ status }: { status: string | null }) {
  if (!status) return null;
  return <span className={`badge ${STATUS_TONE[status] ?? ""}`}>{status}</span>;
}

const RISK_TONE: Record<string, string> = { low: "ok", medium: "info", high: "warn", critical: "danger" };

export function RiskBadge({ risk }: { risk: unknown }) {
  if (typeof risk !== "string") return null;
  return <span className={`badge ${RISK_TONE[risk] ?? ""}`}>{risk} risk</span>;
}
