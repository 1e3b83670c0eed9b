import Link from "next/link";
import type { ReactNode } from "react";
import { KindBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import type { FindingDetail } from "@/lib/findings/views";
import { EDGE_RULES, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import styles from "./detail.module.css";

type Nodes = FindingDetail["nodes"];
type Path = { nodes: string[]; edges: string[] };

export const isPath = (v: unknown): v is Path =>
  typeof v === "object" &&
  v !== null &&
  Array.isArray((v as Path).nodes) &&
  Array.isArray((v as Path).edges) &&
  (v as Path).nodes.every((x) => typeof x === "string");

/** Fact names as a reader says them; others are turned from camelCase into words. */
export const FACT_LABEL: Record<string, string> = {
  throughMcp: "through MCP",
  direct: "directly",
  directVia: "directly via",
  reasons: "reasons",
  neverCertified: "never certified",
  certifiedTooLongAgo: "certified too long ago",
  certificationMaxAgeDays: "certification policy (days)",
  minRisk: "minimum tool risk",
  byRisk: "by risk",
  riskyTools: "risky tools",
  principalsExposed: "principals exposed",
  byKind: "by kind",
  rotationDays: "rotation policy (days)",
  certifiedHashFrom: "certified definition from",
  actsFor: "acts for (people)",
  ownedBy: "owned by (people)",
  sampleTools: "sample tools",
  sampleResources: "sample resources",
  campaignName: "campaign",
  closedAt: "closed",
  edgeKind: "access",
  subjectId: "subject",
  targetId: "target",
  lastCertified: "last certified",
  mcp: "MCP server",
  owasp: "OWASP",
};

export const factLabel = (k: string) =>
  FACT_LABEL[k] ??
  k
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase();

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
/** Codes such as `no_expiry` or `definition_history`: said as words. */
const CODE = /^[a-z]+(_[a-z0-9]+)+$/;
/** Internal ids a reader has no page for. */
const HIDDEN = new Set(["itemId", "campaignId"]);
const MAX_ROWS = 10;

export function NodeLink({ id, nodes }: { id: string; nodes: Nodes }) {
  const n = nodes[id];
  return (
    <span>
      {n ? <KindBadge kind={n.kind as NodeKind} /> : null}{" "}
      <Link href={`/nodes/${id}`} title={id}>
        {n?.name ?? id}
        {n && !n.current ? " (ended)" : ""}
      </Link>
    </span>
  );
}

const isScalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);

/** One fact's value, formatted by what it is: a node (linked), a date, a count, a code in words, a list, a table of samples. */
export function FactValue({ v, k, nodes }: { v: unknown; k?: string; nodes: Nodes }): ReactNode {
  if (v === null || v === undefined) return <span className={styles.legend}>none</span>;
  if (typeof v === "number") return <span className={styles.count}>{v.toLocaleString("en")}</span>;
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string") {
    if (nodes[v]) return <NodeLink id={v} nodes={nodes} />;
    if (k === "edgeKind" && EDGE_RULES[v as EdgeKind]) return EDGE_RULES[v as EdgeKind].label;
    if (ISO.test(v)) return <LocalTime value={v} />;
    if (CODE.test(v)) return v.replace(/_/g, " ");
    return v;
  }
  if (isPath(v)) return null;
  if (Array.isArray(v)) {
    if (v.length === 0) return <span className={styles.legend}>none</span>;
    if (v.every(isScalar))
      return (
        <span className={styles.chips}>
          {v.map((x, i) => (
            <span key={i}>
              <FactValue v={x} k={k} nodes={nodes} />
              {i < v.length - 1 ? "," : ""}
            </span>
          ))}
        </span>
      );
    const rows = v.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x) && !isPath(x));
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !HIDDEN.has(c));
    return (
      <>
        <table className={`data ${styles.sampleTable}`}>
          <thead>
            <tr>
              {cols.map((c) => (
                <th key={c}>{factLabel(c)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, MAX_ROWS).map((r, i) => (
              <tr key={i}>
                {cols.map((c) => (
                  <td key={c}>{isPath(r[c]) ? <span className={styles.legend}>path below</span> : <FactValue v={r[c]} k={c} nodes={nodes} />}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length > MAX_ROWS ? <p className={styles.legend}>and {rows.length - MAX_ROWS} more</p> : null}
      </>
    );
  }
  const o = v as Record<string, unknown>;
  const entries = Object.entries(o).filter(([key, x]) => !HIDDEN.has(key) && !isPath(x));
  return (
    <dl className={styles.nested}>
      {entries.map(([key, x]) => (
        <div key={key} className={styles.contents}>
          <dt>{factLabel(key)}</dt>
          <dd>
            {key === "campaignName" && typeof o.campaignId === "string" ? (
              <Link href={`/campaigns/${o.campaignId}`}>{String(x)}</Link>
            ) : (
              <FactValue v={x} k={key} nodes={nodes} />
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The facts a rule recorded, each labelled and formatted; paths are listed in their own section. */
export function Facts({ facts, nodes }: { facts: Record<string, unknown>; nodes: Nodes }) {
  const entries = Object.entries(facts).filter(([, v]) => !isPath(v) && v !== undefined);
  if (entries.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="facts">
      <h2 id="facts" className={styles.panelTitle}>
        Facts
      </h2>
      <dl className={styles.facts} data-testid="evidence-facts">
        {entries.map(([k, v]) => (
          <div key={k} className={styles.contents}>
            <dt>{factLabel(k)}</dt>
            <dd>
              <FactValue v={v} k={k} nodes={nodes} />
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
