"use client";

import { GraphCanvas } from "@/components/graph/graph-canvas";
import { KindGlyph } from "@/components/graph/kind-glyph";
import type { GraphElements } from "@/lib/graph/elements";
import { NODE_KIND_LABEL, type NodeKind } from "@/lib/graph/model";
import styles from "./findings.module.css";

/** A finding's evidence as a small graph: its nodes and edges, the subject in focus, a legend of the kinds present. */
export function EvidenceGraph({ elements, subjectId }: { elements: GraphElements; subjectId: string }) {
  const kinds = [...new Set(elements.nodes.map((n) => n.kind))] as NodeKind[];
  return (
    <div className={styles.evidence} data-testid="evidence-graph">
      <GraphCanvas elements={elements} layout={elements.edges.length ? "paths" : "concentric"} roots={[subjectId]} />
      <div className="legend" aria-label="Legend">
        {kinds.map((k) => (
          <span key={k}>
            <KindGlyph kind={k} /> {NODE_KIND_LABEL[k]}
          </span>
        ))}
        {elements.clipped ? <span>Only part of the evidence is drawn; the lists below have all of it.</span> : null}
      </div>
    </div>
  );
}
