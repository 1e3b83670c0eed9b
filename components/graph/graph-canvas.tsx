"use client";

import type { Core, LayoutOptions } from "cytoscape";
import { useEffect, useRef } from "react";
import type { GraphElements } from "@/lib/graph/elements";
import { GRAPH_STYLE } from "./graph-styles";

interface Props {
  elements: GraphElements;
  /** Node ids of the path to highlight; the rest is dimmed. */
  highlight?: string[] | null;
  onSelect?: (id: string) => void;
  /** "paths": layered, reading left to right from principals to what they reach; "force": a force layout (neighbourhoods); "concentric": the focus in the middle (groups of a large answer). */
  layout?: "paths" | "force" | "concentric";
  roots?: string[];
  /** File name for "Download PNG" (built from ids, not labels). */
  pngName?: string;
}

/** Above this, layered and force layouts cost seconds (PERFORMANCE-NOTES): a concentric layout instead. */
const LAYERED_MAX = 150;
const FORCE_MAX = 80;

function layoutFor(kind: Props["layout"], count: number, roots: string[]): LayoutOptions {
  if (kind === "paths" && count <= LAYERED_MAX) {
    // breadthfirst lays layers top to bottom; swapping x and y makes them read left to right.
    return { name: "breadthfirst", directed: true, spacingFactor: 1.1, roots, animate: false, transform: (_n, p) => ({ x: p.y * 1.6, y: p.x / 1.6 }) } as LayoutOptions;
  }
  if (kind === "force" && count <= FORCE_MAX) return { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 8000, idealEdgeLength: () => 80, numIter: 600 } as LayoutOptions;
  return { name: "concentric", concentric: (n) => (n.data("focus") ? 10 : 1), levelWidth: () => 1, animate: false, minNodeSpacing: count > LAYERED_MAX ? 4 : 18 } as LayoutOptions;
}

/**
 * Owns one cytoscape instance for its life: created on mount, its elements
 * replaced when the data changes, destroyed on unmount. Labels come from
 * untrusted data and are drawn as canvas text, never as HTML.
 *
 * When a drawing is complete (layout run, first frame rendered) the host gets
 * data-layout="done" and the page a performance mark "attest:graph-drawn", so
 * tests and the render benchmark wait for real work, not a timer. A tap on a
 * node puts its id in data-selected (and marks "attest:graph-tap") before onSelect runs.
 */
export function GraphCanvas({ elements, highlight, onSelect, layout = "paths", roots, pngName = "attest-graph.png" }: Props) {
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
      instance.on("tap", "node", (e) => {
        const id: string = e.target.id();
        if (host.current) host.current.dataset.selected = id;
        performance.mark("attest:graph-tap", { detail: { id } });
        selectRef.current?.(id);
      });
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
    const el = host.current;
    if (!c || !el) return;
    el.dataset.layout = "running";
    const ids = new Set(elements.nodes.map((n) => n.id));
    c.batch(() => {
      c.elements().remove();
      c.add(elements.nodes.map((n) => ({ group: "nodes" as const, data: { ...n } })));
      // Drop edges whose ends are missing rather than letting cytoscape throw.
      c.add(elements.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ group: "edges" as const, data: { ...e } })));
    });
    c.layout(layoutFor(layout, elements.nodes.length, roots?.filter((r) => ids.has(r)) ?? [])).run();
    c.fit(undefined, 30);
    // A handful of nodes would otherwise fill the canvas at the highest zoom.
    if (c.zoom() > 1.25) {
      c.zoom(1.25);
      c.center();
    }
    el.dataset.nodes = String(c.nodes().length);
    // "render" fires after the renderer has drawn a frame with the new positions.
    c.one("render", () => {
      el.dataset.layout = "done";
      performance.mark("attest:graph-drawn", { detail: { nodes: elements.nodes.length } });
    });
    c.forceRender();
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
    if (host.current) host.current.dataset.highlight = highlight && highlight.length > 0 ? String(highlight.length) : "";
  }, [highlight]);

  function downloadPng() {
    const c = cy.current;
    if (!c) return;
    // The whole graph, not just the viewport; capped so a large picture cannot exhaust memory.
    const blob = c.png({ full: true, bg: "#ffffff", output: "blob", maxWidth: 4000, maxHeight: 4000 });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = pngName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  return (
    <div style={{ position: "relative" }}>
      <div ref={host} className="graph-canvas" data-testid="graph-canvas" role="img" aria-label={`Access graph: ${elements.nodes.length} nodes, ${elements.edges.length} edges`} />
      <button type="button" className="btn secondary graph-png" onClick={downloadPng} data-testid="download-png">
        Download PNG
      </button>
    </div>
  );
}

/** Ids are ours (prefix_ulid), but quote-escape anyway: selectors must never be built from raw text. */
function cssEscape(s: string): string {
  return s.replace(/["\\]/g, "\\$&");
}
