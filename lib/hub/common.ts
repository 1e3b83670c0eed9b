import { z } from "zod";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission, type Permission } from "@/lib/authz/permissions";
import type { NodeKind } from "@/lib/graph/model";
import { parseNodeRef, resolveNodeId } from "@/lib/graph/node-ref";
import { getNode, type NodeView } from "@/lib/graph/nodes";
import { AppError } from "@/lib/errors";

/** The hub's sections, in tab order; the URL names one with `?tab=`. */
export const HUB_TABS = ["access", "findings", "certifications", "credentials", "history", "audit"] as const;
export type HubTab = (typeof HUB_TABS)[number];

export function isHubTab(v: unknown): v is HubTab {
  return typeof v === "string" && (HUB_TABS as readonly string[]).includes(v);
}

/** What each section needs besides graph.read (the page's own permission). */
export const TAB_PERMISSION: Partial<Record<HubTab, Permission>> = {
  findings: "findings.read",
  certifications: "campaign.read",
  audit: "audit.read",
};

/** One page of a section: at most `limit` rows and the cursor of the next page. */
export interface SectionPage<T> {
  items: T[];
  nextCursor: string | null;
}

export const sectionQuerySchema = z
  .object({
    limit: z
      .string()
      .regex(/^\d+$/, "must be a whole number from 1 to 100")
      .transform(Number)
      .pipe(z.number().int().min(1, "must be from 1 to 100").max(100, "must be from 1 to 100"))
      .default(25),
    cursor: z.string().max(500).optional(),
  })
  .strict();
export type SectionQuery = { limit?: number; cursor?: string };

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

export function boundedLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new AppError("validation", `limit must be from 1 to ${MAX_LIMIT}`, [{ path: "limit", message: `must be from 1 to ${MAX_LIMIT}` }]);
  return limit;
}

export interface HubNodeRef {
  id: string;
  kind: NodeKind;
  name: string;
}

/**
 * The node a section is about, after the section's permission: graph.read
 * always (the hub shows a node of the graph), plus the section's own. Unknown
 * ids answer not found.
 */
export async function hubNode(db: Db, actor: Actor, rawId: string, tab: HubTab): Promise<NodeView> {
  requirePermission(actor, "graph.read");
  const extra = TAB_PERMISSION[tab];
  if (extra) requirePermission(actor, extra);
  const node = await getNode(db, await resolveNodeId(db, parseNodeRef(rawId)));
  if (!node) throw new AppError("not_found", "node not found");
  return node;
}

export const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());

/** A timestamptz as PostgreSQL prints it (`2026-11-01 09:00:00.123456+00`): cursors carry it so keyset pages lose no microseconds. */
export function isPgInstant(v: unknown): v is string {
  return typeof v === "string" && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?)?$/.test(v);
}
