import Link from "next/link";
import { KindBadge } from "@/components/ui/kind-badge";
import type { FindingDetail } from "@/lib/findings/views";
import { EDGE_RULES, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { FactValue, Facts, factLabel, isPath } from "./facts";
import styles from "./findings.module.css";

/** Every path the facts carry, with a label from where it sits ("sample 1 · direct"). */
export function pathsInFacts(facts: Record<string, unknown>): { label: string; path: { nodes: string[]; edges: string[] } }[] {
  const out: { label: string; path: { nodes: string[]; edges: string[] } }[] = [];
  const walk = (v: unknown, label: string, depth: number) => {
    if (depth > 4 || v === null || typeof v !== "object") return;
    if (isPath(v)) {
      out.push({ label, path: v });
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${label} ${i + 1}`.trim(), depth + 1));
    else for (const [k, x] of Object.entries(v)) walk(x, label ? `${label} · ${factLabel(k)}` : factLabel(k), depth + 1);
  };
  walk(facts, "", 0);
  return out;
}

const label = (k: string) => factLabel(k);

/** The evidence as text: facts, attribute values and the paths, every name linked to its node. */
export function EvidenceDetails({ finding }: { finding: FindingDetail }) {
  const name = (id: string) => finding.nodes[id]?.name ?? id;
  const node = (id: string) => {
    const n = finding.nodes[id];
    return (
      <Link href={`/nodes/${id}`}>
        {name(id)}
        {n && !n.current ? " (ended)" : ""}
      </Link>
    );
  };
  const paths = pathsInFacts(finding.evidence.facts);
  return (
    <>
      <Facts facts={finding.evidence.facts} nodes={finding.nodes} />
      {finding.evidence.attributes.length ? (
        <section className="panel" aria-labelledby="attrs">
          <h2 id="attrs" style={{ marginTop: 0 }}>
            Attribute values
          </h2>
          <table className={`data ${styles.attrTable}`} data-testid="evidence-attributes">
            <thead>
              <tr>
                <th>Node</th>
                <th>Attribute</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {finding.evidence.attributes.map((a, i, all) => (
                <tr key={`${a.node}-${a.key}-${i}`}>
                  {/* The node once, on the first of its rows. */}
                  <td>{i === 0 || all[i - 1]!.node !== a.node ? node(a.node) : null}</td>
                  <td>{label(a.key)}</td>
                  <td className={styles.value}>
                    {typeof a.value === "string" && /^sha256:/.test(a.value) ? (
                      <span className="mono">{a.value}</span>
                    ) : (
                      <FactValue v={a.value} k={a.key} nodes={finding.nodes} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {paths.length ? (
        <section className="panel" aria-labelledby="paths">
          <h2 id="paths" style={{ marginTop: 0 }}>
            Paths
          </h2>
          <ol className={styles.pathList} data-testid="evidence-paths">
            {paths.map((p, i) => (
              <li key={i}>
                <span className={styles.note}>{p.label}: </span>
                {p.path.nodes.map((id, j) => (
                  <span key={`${id}-${j}`}>
                    {j > 0 ? <span className={styles.arrow}> —{EDGE_RULES[p.path.edges[j - 1] as EdgeKind]?.label ?? p.path.edges[j - 1]}→ </span> : null}
                    {node(id)}
                  </span>
                ))}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      <section className="panel" aria-labelledby="involved">
        <h2 id="involved" style={{ marginTop: 0 }}>
          Nodes and edges involved
        </h2>
        <ul className={styles.pathList}>
          {finding.evidence.nodes.map((id) => (
            <li key={id}>
              {finding.nodes[id] ? <KindBadge kind={finding.nodes[id].kind as NodeKind} /> : null} {node(id)}
            </li>
          ))}
        </ul>
        {finding.evidence.edges.length ? (
          <ul className={styles.pathList} style={{ marginTop: "0.6rem" }}>
            {finding.evidence.edges.map((e) => (
              <li key={e.id}>
                {node(e.from)} <span className={styles.arrow}>—{EDGE_RULES[e.kind]?.label ?? e.kind}→</span> {node(e.to)} <span className="mono">{e.id}</span>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
    </>
  );
}
