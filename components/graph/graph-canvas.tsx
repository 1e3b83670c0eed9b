"use client";

import type { CollectionArgument, Core, LayoutOptions, NodeSingular } from "cytoscape";
import { useEffect, useRef } from "react";
import type { GraphElements } from "@/lib/graph/elements";
import { GRAPH_STYLE } from "./graph-styles";

interface Props {
  elements: GraphElements;
  /** Node ids of the path to highlight; the rest is dimmed. */
  highlight?: string[] | null;
  onSelect?: (id: string) => void;
  /**
   * "paths": layered left to right (dagre), from principals to what they reach; "rings": the focus in the middle,
   * each node on the ring of its distance (neighbourhoods); "concentric": the focus in the middle (groups).
   * Every layout sizes nodes with their labels, so labels never overlap.
   */
  layout?: "paths" | "rings" | "concentric";
  /** Where paths start; the layered layout finds them itself (kept so callers need not change). */
  roots?: string[];
  /** File name for "Download PNG" (built from ids, not labels). */
  pngName?: string;
}

/** Above this, a layered layout costs seconds on a phone-class CPU: rings instead (still without overlaps). */
const LAYERED_MAX = 250;

let dagreRegistered = false;

/** Below this zoom, 10 px labels are too small to read. */
const READABLE_ZOOM = 0.5;

/** Fits the picture (or some of it) in the canvas, never past 1.25× (a handful of nodes would otherwise fill it). */
function fitTo(c: Core, eles?: CollectionArgument) {
  c.fit(eles, 30);
  if (c.zoom() > 1.25) {
    c.zoom(1.25);
    c.center(eles);
  }
}

function layoutFor(kind: Props["layout"], count: number): LayoutOptions {
  if (kind === "paths" && count <= LAYERED_MAX) {
    return {
      name: "dagre",
      rankDir: "LR",
      nodeDimensionsIncludeLabels: true,
      nodeSep: 12,
      rankSep: 60,
      edgeSep: 8,
      ranker: "network-simplex",
      animate: false,
      fit: false,
    } as LayoutOptions;
  }
  // The focus in the middle, then one ring per distance (groups and large pictures: everything on one ring).
  const ring = (n: NodeSingular) => (n.data("focus") ? 100 : kind === "rings" ? 100 - (Number(n.data("ring")) || 1) : 1);
  return {
    name: "concentric",
    concentric: ring,
    levelWidth: () => 1,
    avoidOverlap: true,
    nodeDimensionsIncludeLabels: true,
    minNodeSpacing: 10,
    animate: false,
    fit: false,
  } as LayoutOptions;
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
export function GraphCanvas({ elements, highlight, onSelect, layout = "paths", pngName = "attest-graph.png" }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const selectRef = useRef(onSelect);
  /** The whole picture fits only below READABLE_ZOOM: a chosen path is then zoomed to. */
  const zoomedOut = useRef(false);
  useEffect(() => {
    selectRef.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    let disposed = false;
    (async () => {
      const [{ default: cytoscape }, { default: dagre }] = await Promise.all([import("cytoscape"), import("cytoscape-dagre")]);
      if (!dagreRegistered) {
        cytoscape.use(dagre);
        dagreRegistered = true;
      }
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
      // Tests read node and label boxes from the live instance; only a page whose script opted in before loading
      // (Playwright's addInitScript) gets it, so nothing is exposed to ordinary pages.
      const w = window as unknown as { __attestExposeCy?: boolean; __attestCy?: Core };
      if (w.__attestExposeCy === true) w.__attestCy = instance;
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
    c.layout(layoutFor(layout, elements.nodes.length)).run();
    fitTo(c);
    zoomedOut.current = c.zoom() < READABLE_ZOOM;
    el.dataset.nodes = String(c.nodes().length);
    // "render" fires after the renderer has drawn a frame with the new positions.
    c.one("render", () => {
      el.dataset.layout = "done";
      performance.mark("attest:graph-drawn", { detail: { nodes: elements.nodes.length } });
    });
    c.forceRender();
  }

  useEffect(draw, [elements, layout]);

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
          c.edges(`[source = "${cssEscape(highlight[i]!)}"][target = "${cssEscape(highlight[i + 1]!)}"]`)
            .removeClass("dim")
            .addClass("hl show-label");
        }
      }
      c.nodes()
        .filter((n) => on.has(n.id()))
        .removeClass("dim");
    });
    // A picture too large to read whole (labels below ~5 px) zooms to the chosen path, and back out when it is cleared.
    const path = highlight && highlight.length > 0 ? c.elements(".hl") : null;
    if (path && path.nonempty() && zoomedOut.current) fitTo(c, path);
    else if (!path) fitTo(c);
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
    <div className="graph-frame">
      <div
        ref={host}
        className="graph-canvas"
        data-testid="graph-canvas"
        role="img"
        aria-label={`Access graph: ${elements.nodes.length} nodes, ${elements.edges.length} edges`}
      />
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
