import type { NodeKind } from "./model";

/** One colour per node kind, shared by badges, charts and the graph canvas legend. */
export const KIND_COLOR: Record<NodeKind, string> = {
  human: "#2457d6",
  group: "#7a5af8",
  service_account: "#0e9384",
  agent: "#dd2590",
  mcp_server: "#e04f16",
  tool: "#f79009",
  entitlement: "#6172f3",
  resource: "#475467",
  credential: "#b42318",
};

/**
 * One shape per node kind on the graph canvas (cytoscape shape names), so kinds read apart without colour too.
 * round-rectangle is left free: it marks a group of results (a large answer drawn by kind and source).
 */
export const KIND_SHAPE: Record<NodeKind, "ellipse" | "hexagon" | "diamond" | "star" | "barrel" | "triangle" | "tag" | "rectangle" | "pentagon"> = {
  human: "ellipse",
  group: "hexagon",
  service_account: "diamond",
  agent: "star",
  mcp_server: "barrel",
  tool: "triangle",
  entitlement: "tag",
  resource: "rectangle",
  credential: "pentagon",
};
