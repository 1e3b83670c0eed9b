"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { GraphElements } from "@/lib/graph/elements";
import { explainPath, KIND_NOUN, noteOf, type ExplainedNode } from "@/lib/graph/explain";
import type { ExplorerItem } from "@/lib/graph/explorer";
import { KIND_COLOR } from "@/lib/graph/kind-style";
import { EDGE_RULES, NODE_KIND_LABEL, NODE_KINDS } from "@/lib/graph/model";
import { TOOL_RISKS } from "@/lib/graph/tool-risk";
import { BorderGlyph, KindGlyph } from "./kind-glyph";
import { GraphCanvas } from "./graph-canvas";
import { EXPOSURE_BORDER, RISK_BORDER } from "./graph-styles";
import styles from "./explorer.module.css";

export type { ExplorerItem };

interface Props {
  elements: GraphElements;
  items: ExplorerItem[];
  /** The nodes on the listed paths, named and marked. */
  nodes: Record<string, ExplainedNode>;
  focusId: string;
  /** The graph URL (depth, date) to which `node=<id>` is added to explore from another node. */
  exploreHref: string;
  layout: "paths" | "rings" | "concentric";
  /** Group node id → the URL that opens the group (a large answer drawn as groups). */
  groupLinks?: Record<string, string>;
  pngName: string;
}

/** The chosen path in words, each node a link: "AI agent X acts for Alice, who is a member of group G, …". */
function Explanation({ item, nodes }: { item: ExplorerItem | undefined; nodes: Record<string, ExplainedNode> }) {
  const e = item ? explainPath(item.path, (id) => nodes[id]) : null;
  return (
    <section className={styles.explain} aria-label="Explanation" aria-live="polite" data-testid="explain">
      {e ? (
        <p>
          <strong>Why:</strong> <NodeWords node={e.subject} capital />
          {e.clauses.map((c, i) => (
            <span key={i}>
              {i > 0 ? ", " : " "}
              {c.pronoun ? `${c.pronoun} ` : ""}
              {c.verb} <NodeWords node={c.object} />
            </span>
          ))}
          .
        </p>
      ) : (
        <p className={styles.muted}>Choose a result in the list to read its path in words.</p>
      )}
    </section>
  );
}

function NodeWords({ node, capital }: { node: ExplainedNode; capital?: boolean }) {
  const noun = KIND_NOUN[node.kind];
  const shown = capital && noun ? noun.charAt(0).toUpperCase() + noun.slice(1) : noun;
  const note = noteOf(node);
  return (
    <>
      {shown ? `${shown} ` : ""}
      <Link href={`/nodes/${node.id}`}>{node.name}</Link>
      {note ? (
        <span
          className={
            node.risk === "critical" || node.risk === "high" || node.storage === "hard_coded" || node.storage === "config_file" ? styles.warn : styles.muted
          }
        >
          {note}
        </span>
      ) : null}
    </>
  );
}

/** What the picture's shapes, borders and lines mean: only what is drawn. */
function Legend({ elements, grouped }: { elements: GraphElements; grouped: boolean }) {
  const kindsShown = NODE_KINDS.filter((k) => elements.nodes.some((n) => n.kind === k));
  const risks = TOOL_RISKS.filter((r) => elements.nodes.some((n) => n.risk === r));
  const exposures = (["exposed", "env", "kept"] as const).filter((x) => elements.nodes.some((n) => n.exposure === x));
  return (
    <div className="legend" aria-label="Legend" data-testid="legend">
      {kindsShown.map((k) => (
        <span key={k}>
          <KindGlyph kind={k} /> {NODE_KIND_LABEL[k]}
        </span>
      ))}
      {grouped ? <span>▢ a group of results of one kind and source: click to open it</span> : <span>— access edge</span>}
      <span className={styles.delegation}>- - acts for (delegation)</span>
      <span className={styles.credentialEdge}>— credential</span>
      {risks.length ? (
        <span className={styles.legendGroup} data-testid="legend-risk">
          Tool border = risk:
          {risks.map((r) => (
            <span key={r}>
              <BorderGlyph {...RISK_BORDER[r]} /> {r}
            </span>
          ))}
        </span>
      ) : null}
      {exposures.length ? (
        <span className={styles.legendGroup} data-testid="legend-storage">
          Credential border:
          {exposures.map((x) => (
            <span key={x}>
              <BorderGlyph {...EXPOSURE_BORDER[x]} /> {EXPOSURE_BORDER[x].words}
            </span>
          ))}
        </span>
      ) : null}
    </div>
  );
}

/** The graph and the result list beside it: choosing a result highlights its path and explains it; clicking a node explores from it. */
export function ExplorerView({ elements, items, nodes, focusId, exploreHref, layout, groupLinks, pngName }: Props) {
  const router = useRouter();
  const [selected, setSelected] = useState<string | null>(null);
  const chosen = items.find((i) => i.key === selected);
  const highlight = chosen?.path.nodes ?? null;
  const grouped = groupLinks !== undefined;
  return (
    <div className="graph-layout">
      <div>
        <GraphCanvas
          elements={elements}
          highlight={grouped ? null : highlight}
          layout={layout}
          pngName={pngName}
          onSelect={(id) => {
            if (groupLinks?.[id]) router.push(groupLinks[id]);
            else if (id !== focusId && !id.startsWith("grp-")) router.push(`${exploreHref}&node=${encodeURIComponent(id)}`);
          }}
        />
        <Explanation item={chosen} nodes={nodes} />
        <Legend elements={elements} grouped={grouped} />
        {groupLinks ? (
          // The same groups as links, for keyboards and screen readers (the canvas is a picture).
          <nav className="chips" aria-label="Groups" data-testid="graph-groups">
            {elements.nodes
              .filter((n) => groupLinks[n.id])
              .map((n) => (
                <Link key={n.id} className="chip" href={groupLinks[n.id]!}>
                  <span className="dot" style={{ background: KIND_COLOR[n.kind] }} aria-hidden /> {n.label}
                </Link>
              ))}
          </nav>
        ) : null}
        {elements.clipped ? <p className="subtitle">The picture shows the nearest results only; the list has them all.</p> : null}
      </div>
      <section className={`panel results ${styles.results}`} aria-label="Results">
        <ol role="listbox" aria-label="Results with their paths" data-testid="results">
          {items.map((i) => (
            <li
              key={i.key}
              role="option"
              aria-selected={selected === i.key}
              tabIndex={0}
              onClick={() => setSelected(selected === i.key ? null : i.key)}
              onKeyDown={(e) => {
                if (e.key === "Enter" || e.key === " ") {
                  e.preventDefault();
                  setSelected(selected === i.key ? null : i.key);
                }
              }}
            >
              <div className={styles.row}>
                <span>
                  <span className="dot" style={{ background: KIND_COLOR[i.kind] }} aria-hidden /> <Link href={`/nodes/${i.id}`}>{i.name}</Link>
                  {nodes[i.id] && noteOf(nodes[i.id]!) ? <span className={styles.muted}>{noteOf(nodes[i.id]!)}</span> : null}
                </span>
                <span className={styles.rowMeta}>
                  {i.source ? <span className={styles.source}>{i.source}</span> : null}
                  <span className="badge">
                    {i.depth} hop{i.depth === 1 ? "" : "s"}
                  </span>
                </span>
              </div>
              <div className="path">
                {i.path.nodes.map((n, idx) => (
                  <span key={idx}>
                    {idx > 0 ? <em> —{EDGE_RULES[i.path.edges[idx - 1]!].label}→ </em> : null}
                    {nodes[n]?.name ?? n}
                  </span>
                ))}
              </div>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
