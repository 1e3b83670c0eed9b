import type { StylesheetJson } from "cytoscape";
import { KIND_COLOR, KIND_SHAPE } from "@/lib/graph/kind-style";
import { NODE_KINDS } from "@/lib/graph/model";
import { TOOL_RISKS, type ToolRisk } from "@/lib/graph/tool-risk";

/** A tool's risk as its border: wider and redder as it rises; critical is doubled. The legend draws the same. */
export const RISK_BORDER: Record<ToolRisk, { width: number; color: string; style: "solid" | "double" }> = {
  low: { width: 2, color: "#12b76a", style: "solid" },
  medium: { width: 3, color: "#b54708", style: "solid" },
  high: { width: 4, color: "#d92d20", style: "solid" },
  critical: { width: 6, color: "#7a271a", style: "double" },
};
/** A credential's storage as its border: dashed red when the secret sits in plain text (hard-coded, config file). */
export const EXPOSURE_BORDER: Record<"exposed" | "env" | "kept", { width: number; color: string; style: "solid" | "dashed"; words: string }> = {
  exposed: { width: 4, color: "#d92d20", style: "dashed", words: "secret in plain text (hard-coded or a config file)" },
  env: { width: 3, color: "#b54708", style: "solid", words: "secret in an environment variable" },
  kept: { width: 2, color: "#12b76a", style: "solid", words: "secret in a vault or asked for" },
};

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
      // Wrapped, not cut: a second line carries a tool's risk or a credential's storage; layouts size nodes with their labels.
      "text-wrap": "wrap",
      "text-max-width": "130px",
      "text-overflow-wrap": "anywhere",
      width: 22,
      height: 22,
      "border-width": 1,
      "border-color": "#ffffff",
      color: "#1c2430",
    },
  },
  ...NODE_KINDS.map((k) => ({ selector: `node[kind = "${k}"]`, style: { "background-color": KIND_COLOR[k], shape: KIND_SHAPE[k] } })),
  { selector: "node[?focus]", style: { width: 34, height: 34, "border-width": 4, "border-color": "#101828", "font-weight": "bold" } },
  ...TOOL_RISKS.map((r) => ({
    selector: `node[risk = "${r}"]`,
    style: { "border-width": RISK_BORDER[r].width, "border-color": RISK_BORDER[r].color, "border-style": RISK_BORDER[r].style },
  })),
  ...(["exposed", "env", "kept"] as const).map((x) => ({
    selector: `node[exposure = "${x}"]`,
    style: { "border-width": EXPOSURE_BORDER[x].width, "border-color": EXPOSURE_BORDER[x].color, "border-style": EXPOSURE_BORDER[x].style },
  })),
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
  { selector: 'edge[kind = "acts_for"]', style: { "line-style": "dashed", "line-color": "#dd2590", "target-arrow-color": "#dd2590" } },
  // One person's accounts in several systems: dotted, no arrowhead weight of its own (it is the same person).
  { selector: 'edge[kind = "same_as"]', style: { "line-style": "dotted", "line-color": "#667085", "target-arrow-color": "#667085", width: 2 } },
  { selector: 'edge[kind = "assumes"]', style: { "line-style": "dashed", "line-color": "#6941c6", "target-arrow-color": "#6941c6" } },
  { selector: 'edge[kind = "uses_credential"], edge[kind = "credential_for"]', style: { "line-color": "#b42318", "target-arrow-color": "#b42318" } },
  {
    selector: "node[count]",
    style: {
      shape: "round-rectangle",
      width: "data(size)",
      height: "data(size)",
      "border-width": 3,
      "border-color": "#101828",
      "border-style": "double",
      "font-size": 11,
      "text-max-width": "180px",
      "text-wrap": "wrap",
    },
  },
  { selector: 'edge[kind = "group"]', style: { width: 2.5, "line-style": "dotted" } },
  { selector: ".dim", style: { opacity: 0.15 } },
  { selector: "edge.hl", style: { width: 4, "line-color": HIGHLIGHT_COLOR, "target-arrow-color": HIGHLIGHT_COLOR, opacity: 1 } },
  { selector: "node.hl", style: { opacity: 1, "border-color": HIGHLIGHT_COLOR, "border-width": 4 } },
  {
    selector: "edge.show-label",
    style: {
      label: "data(kind)",
      "font-size": 8,
      color: "#475467",
      "text-rotation": "autorotate",
      "text-background-color": "#ffffff",
      "text-background-opacity": 1,
    },
  },
];
