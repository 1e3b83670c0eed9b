"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import type { GraphElements } from "@/lib/graph/elements";
import { KIND_COLOR } from "@/lib/graph/kind-style";
import { KindGlyph } from "@/components/graph/kind-glyph";
import { EDGE_RULES, NODE_KIND_LABEL, NODE_KINDS, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { GraphCanvas } from "./graph-canvas";

export interface ExplorerItem {
  key: string;
  id: string;
  name: string;
  kind: NodeKind;
  source?: string;
  depth: number;
  path: { nodes: string[]; edges: EdgeKind[] };
}

interface Props {
  elements: GraphElements;
  items: ExplorerItem[];
  names: Record<string, string>;
  focusId: string;
  /** The graph URL (depth, date) to which `node=<id>` is added to explore from another node. */
  exploreHref: string;
  direction: "in" | "out";
  layout: "paths" | "force" | "concentric";
  /** Group node id → the URL that opens the group (a large answer drawn as groups). */
  groupLinks?: Record<string, string>;
  pngName: string;
}

/** The graph and the result list beside it: choosing a result highlights its path; clicking a node explores from it. */
export function ExplorerView({ elements, items, names, focusId, exploreHref, direction, layout, groupLinks, pngName }: Props) {
  const router = useRouter();
  const [selected, setSelected] = useState<string | null>(null);
  const highlight = items.find((i) => i.key === selected)?.path.nodes ?? null;
  const kindsShown = NODE_KINDS.filter((k) => elements.nodes.some((n) => n.kind === k));
  // A new array on every render would re-run the layout on every selection: keep it stable per answer.
  const roots = useMemo(() => (direction === "in" ? items.map((i) => i.id) : [focusId]), [direction, items, focusId]);
  const grouped = groupLinks !== undefined;
  return (
    <div className="graph-layout">
      <div>
        <GraphCanvas
          elements={elements}
          highlight={highlight}
          layout={layout}
          roots={roots}
          pngName={pngName}
          onSelect={(id) => {
            if (groupLinks?.[id]) router.push(groupLinks[id]);
            else if (id !== focusId && !id.startsWith("grp-")) router.push(`${exploreHref}&node=${encodeURIComponent(id)}`);
          }}
        />
        <div className="legend" aria-label="Legend">
          {kindsShown.map((k) => (
            <span key={k}>
              <KindGlyph kind={k} /> {NODE_KIND_LABEL[k]}
            </span>
          ))}
          {grouped ? <span>▢ a group of results of one kind and source: click to open it</span> : <span>— access edge</span>}
          <span style={{ color: "#dd2590" }}>- - acts for (delegation)</span>
          <span style={{ color: "#b42318" }}>— credential</span>
        </div>
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
      <section className="panel results" aria-label="Results" style={{ padding: 0 }}>
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
              <div style={{ display: "flex", justifyContent: "space-between", gap: "0.5rem" }}>
                <span>
                  <span className="dot" style={{ background: KIND_COLOR[i.kind] }} aria-hidden /> <Link href={`/nodes/${i.id}`}>{i.name}</Link>
                </span>
                <span style={{ display: "inline-flex", gap: "0.3rem", alignItems: "center" }}>
                  {i.source ? <span className="subtitle" style={{ margin: 0, fontSize: "0.75rem" }}>{i.source}</span> : null}
                  <span className="badge">
                    {i.depth} hop{i.depth === 1 ? "" : "s"}
                  </span>
                </span>
              </div>
              <div className="path">
                {i.path.nodes.map((n, idx) => (
                  <span key={idx}>
                    {idx > 0 ? <em> —{EDGE_RULES[i.path.edges[idx - 1]!].label}→ </em> : null}
                    {names[n] ?? n}
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
