import type { StylesheetJson } from "cytoscape";
import { KIND_COLOR, KIND_SHAPE } from "@/lib/graph/kind-style";
import { NODE_KINDS } from "@/lib/graph/model";

/** The highlighted path's colour: used by no node kind, so a highlighted path stands out (and a test can find its pixels). */
export const HIGHLIGHT_COLOR = "#06aed4";

/** Cytoscape styles: colour and shape by node kind (the same as badges and the legend). */
export const GRAPH_STYLE: StylesheetJson = [
  {
    selector: "node",
    style: {
      label: "data(label)",
      "font-size": 10,
      "text-valign": "bottom",
      "text-margin-y": 4,
      "text-wrap": "ellipsis",
      "text-max-width": "120px",
      width: 22,
      height: 22,
      "border-width": 1,
      "border-color": "#ffffff",
      color: "#1c2430",
    },
  },
  ...NODE_KINDS.map((k) => ({ selector: `node[kind = "${k}"]`, style: { "background-color": KIND_COLOR[k], shape: KIND_SHAPE[k] } })),
  { selector: "node[?focus]", style: { width: 34, height: 34, "border-width": 4, "border-color": "#101828", "font-weight": "bold" } },
  {
    selector: "edge",
    style: {
      width: 1.5,
      "line-color": "#98a2b3",
      "target-arrow-color": "#98a2b3",
      "target-arrow-shape": "triangle",
      "curve-style": "bezier",
      "arrow-scale": 0.8,
    },
  },
  { selector: "edge[kind = \"acts_for\"]", style: { "line-style": "dashed", "line-color": "#dd2590", "target-arrow-color": "#dd2590" } },
  { selector: "edge[kind = \"uses_credential\"], edge[kind = \"credential_for\"]", style: { "line-color": "#b42318", "target-arrow-color": "#b42318" } },
  {
    selector: "node[count]",
    style: { shape: "round-rectangle", width: "data(size)", height: "data(size)", "border-width": 3, "border-color": "#101828", "border-style": "double", "font-size": 11, "text-max-width": "180px", "text-wrap": "wrap" },
  },
  { selector: 'edge[kind = "group"]', style: { width: 2.5, "line-style": "dotted" } },
  { selector: ".dim", style: { opacity: 0.15 } },
  { selector: "edge.hl", style: { width: 4, "line-color": HIGHLIGHT_COLOR, "target-arrow-color": HIGHLIGHT_COLOR, opacity: 1 } },
  { selector: "node.hl", style: { opacity: 1, "border-color": HIGHLIGHT_COLOR, "border-width": 4 } },
  { selector: "edge.show-label", style: { label: "data(kind)", "font-size": 8, color: "#475467", "text-rotation": "autorotate", "text-background-color": "#ffffff", "text-background-opacity": 1 } },
];
