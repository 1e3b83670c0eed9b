import { OWASP_NHI, type FindingSeverity, type FindingStatus, type OwaspNhi } from "@/lib/findings/rules";
import styles from "./findings.module.css";

const SEVERITY_TONE: Record<FindingSeverity, string> = { critical: "danger", high: "warn", medium: "info", low: "" };
export const SEVERITY_COLOR: Record<FindingSeverity, string> = { critical: "#b42318", high: "#dc6803", medium: "#2457d6", low: "#98a2b3" };

export function SeverityBadge({ severity }: { severity: FindingSeverity }) {
  return <span className={`badge ${SEVERITY_TONE[severity]}`}>{severity}</span>;
}

const STATUS_TONE: Record<FindingStatus, string> = { open: "danger", accepted: "warn", resolved: "ok" };

export function FindingStatusBadge({ status }: { status: FindingStatus }) {
  return <span className={`badge ${STATUS_TONE[status]}`}>{status}</span>;
}

/** OWASP NHI Top 10 items, each with its name as a tooltip. */
export function OwaspTags({ items }: { items: readonly { id: string; name?: string }[] }) {
  return (
    <span className={styles.owasp}>
      {items.map((o) => (
        <span key={o.id} className={styles.owaspTag} title={`OWASP ${o.id}: ${o.name ?? OWASP_NHI[o.id as OwaspNhi] ?? ""}`}>
          {o.id}
        </span>
      ))}
    </span>
  );
}
