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
