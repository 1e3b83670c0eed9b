"use client";

import type { Core } from "cytoscape";
import { useEffect, useRef } from "react";
import type { GraphElements } from "@/lib/graph/elements";
import { GRAPH_STYLE } from "./graph-styles";

interface Props {
  elements: GraphElements;
  /** Node ids of the path to highlight; the rest is dimmed. */
  highlight?: string[] | null;
  onSelect?: (id: string) => void;
  /** Layout direction: who-can-reach draws principals on top flowing down to the target. */
  layout?: "breadthfirst" | "concentric";
  roots?: string[];
}

/**
 * Owns one cytoscape instance for its life: created on mount, its elements
 * replaced when the data changes, destroyed on unmount. Labels come from
 * untrusted data and are drawn as canvas text, never as HTML.
 */
export function GraphCanvas({ elements, highlight, onSelect, layout = "breadthfirst", roots }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const selectRef = useRef(onSelect);
  useEffect(() => {
    selectRef.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    let disposed = false;
    (async () => {
      const { default: cytoscape } = await import("cytoscape");
      if (disposed || !host.current) return;
      const instance = cytoscape({
        container: host.current,
        style: GRAPH_STYLE,
        elements: [],
        minZoom: 0.1,
        maxZoom: 3,
        pixelRatio: 1,
        hideEdgesOnViewport: true,
        textureOnViewport: true,
      });
      instance.on("tap", "node", (e) => selectRef.current?.(e.target.id()));
      cy.current = instance;
      host.current.dataset.ready = "true";
      draw();
    })();
    return () => {
      disposed = true;
      cy.current?.destroy();
      cy.current = null;
    };
    // The instance lives as long as the component; data changes are handled below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  function draw() {
    const c = cy.current;
    if (!c) return;
    const ids = new Set(elements.nodes.map((n) => n.id));
    c.batch(() => {
      c.elements().remove();
      c.add(elements.nodes.map((n) => ({ group: "nodes" as const, data: { ...n } })));
      // Drop edges whose ends are missing rather than letting cytoscape throw.
      c.add(elements.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ group: "edges" as const, data: { ...e } })));
    });
    const big = elements.nodes.length > 150;
    c.layout(
      layout === "breadthfirst" && !big
        ? { name: "breadthfirst", directed: true, spacingFactor: 1.1, roots: roots?.filter((r) => ids.has(r)), animate: false }
        : { name: "concentric", concentric: (n) => (n.data("focus") ? 10 : 1), levelWidth: () => 1, animate: false, minNodeSpacing: big ? 4 : 18 },
    ).run();
    c.fit(undefined, 30);
    if (host.current) host.current.dataset.nodes = String(c.nodes().length);
  }

  useEffect(draw, [elements, layout, roots]);

  useEffect(() => {
    const c = cy.current;
    if (!c) return;
    c.batch(() => {
      c.elements().removeClass("dim hl show-label");
      if (!highlight || highlight.length === 0) return;
      const on = new Set(highlight);
      c.elements().addClass("dim");
      for (let i = 0; i < highlight.length; i++) {
        c.getElementById(highlight[i]!).removeClass("dim").addClass("hl");
        if (i + 1 < highlight.length) {
          c.edges(`[source = "${cssEscape(highlight[i]!)}"][target = "${cssEscape(highlight[i + 1]!)}"]`).removeClass("dim").addClass("hl show-label");
        }
      }
      c.nodes().filter((n) => on.has(n.id())).removeClass("dim");
    });
  }, [highlight]);

  return <div ref={host} className="graph-canvas" data-testid="graph-canvas" role="img" aria-label={`Access graph: ${elements.nodes.length} nodes, ${elements.edges.length} edges`} />;
}

/** Ids are ours (prefix_ulid), but quote-escape anyway: selectors must never be built from raw text. */
function cssEscape(s: string): string {
  return s.replace(/["\\]/g, "\\$&");
}
