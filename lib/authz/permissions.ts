import { AppError } from "@/lib/errors";
import type { Role } from "./roles";

export const PERMISSIONS = [
  "graph.read",
  "import.run",
  "import.read",
  "source.manage",
  "owner.read",
  "owner.assign",
  "campaign.read",
  "campaign.manage",
  "review.decide",
  "evidence.export",
  "audit.read",
  "findings.read",
  "findings.manage",
  "admin.users",
  "admin.tokens",
  "admin.settings",
  "admin.jobs",
  // The decision log and tool usage (issue #20): reading decisions; sending gateways' telemetry (OTLP spans).
  "usage.read",
  "usage.ingest",
  // Asking the runtime decision point (AuthZEN) for a decision.
  "pdp.evaluate",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Role → permissions. Reviewers hold only what their own review work needs:
 * they see their items and what they own, not the whole graph.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  // Analysts may test a decision from the UI (pdp.evaluate); admins hold everything.
  analyst: [
    "pdp.evaluate",
    "graph.read",
    "import.run",
    "import.read",
    "owner.read",
    "owner.assign",
    "campaign.read",
    "campaign.manage",
    "findings.read",
    "findings.manage",
    "usage.read",
  ],
  reviewer: ["review.decide"],
  auditor: ["graph.read", "import.read", "owner.read", "campaign.read", "evidence.export", "audit.read", "findings.read", "usage.read"],
  // A gateway asks for decisions and sends its tool-call telemetry (OTLP spans), nothing else: no graph reads, no
  // search (search needs graph.read).
  pdp: ["pdp.evaluate", "usage.ingest"],
};

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r]) out.add(p);
  return out;
}

export function can(actor: { roles: readonly Role[] }, permission: Permission): boolean {
  return permissionsOf(actor.roles).has(permission);
}

/** Throws 403 unless the actor holds the permission. Call first in every action and handler. */
export function requirePermission(actor: { roles: readonly Role[] }, permission: Permission): void {
  if (!can(actor, permission)) throw new AppError("forbidden", `this needs the ${permission} permission`);
}
