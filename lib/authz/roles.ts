/** `pdp`: a runtime decision-point client (an MCP gateway or enforcement point) that only asks for decisions (issue #20). */
export const ROLES = ["admin", "analyst", "reviewer", "auditor", "pdp"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && (ROLES as readonly string[]).includes(v);
}
