import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { outboundSettings } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { parseInput } from "@/lib/errors";
import { parseRange } from "@/lib/net/addresses";
import { parseHostPattern } from "@/lib/net/host-patterns";
import type { OutboundPolicy } from "@/lib/net/outbound";

/**
 * Where the server may send requests: host patterns, and the loopback /
 * private / link-local ranges an admin opened on purpose (a discovery target
 * inside the network). Nothing by default: the demo makes no outbound request.
 */
export const outboundSettingsSchema = z
  .object({
    allowHosts: z
      .array(
        z
          .string()
          .max(300)
          .refine((s) => parseHostPattern(s) !== null, "is not a host pattern (api.example.com, *.example.com, host:port, [IPv6], or *)"),
      )
      .max(200, "at most 200 patterns"),
    allowPrivateRanges: z
      .array(
        z
          .string()
          .max(100)
          .refine((s) => parseRange(s) !== null, "is not an IP address or CIDR range (10.0.0.0/8, 127.0.0.1, fd00::/8)"),
      )
      .max(100, "at most 100 ranges"),
  })
  .strict();
export type OutboundSettingsInput = z.infer<typeof outboundSettingsSchema>;

export interface OutboundSettingsView {
  /** As stored (canonical form). */
  allowHosts: string[];
  allowPrivateRanges: string[];
  /** Added by ATTEST_OUTBOUND_ALLOW / ATTEST_OUTBOUND_ALLOW_PRIVATE; `ignored` lists entries there that do not parse. */
  env: { allowHosts: string[]; allowPrivateRanges: string[]; ignored: string[] };
  /** What requests are checked against: the stored settings and the environment together. */
  effective: OutboundPolicy;
  updatedBy: string | null;
  updatedAt: string | null;
}

const unique = (xs: string[]) => [...new Set(xs)];
const canonicalHosts = (xs: readonly string[]) => unique(xs.map((s) => parseHostPattern(s)?.text).filter((s): s is string => !!s));
const canonicalRanges = (xs: readonly string[]) => unique(xs.map((s) => parseRange(s)?.text).filter((s): s is string => !!s));
const split = (v: string | undefined) => (v ?? "").split(/[\s,]+/).filter(Boolean);

/** The environment's additions, for automation (a CI runner that discovers a server on its own network). */
export function envOutboundSettings(env: NodeJS.ProcessEnv = process.env): OutboundSettingsView["env"] {
  const hosts = split(env.ATTEST_OUTBOUND_ALLOW);
  const ranges = split(env.ATTEST_OUTBOUND_ALLOW_PRIVATE);
  return {
    allowHosts: canonicalHosts(hosts),
    allowPrivateRanges: canonicalRanges(ranges),
    ignored: [...hosts.filter((h) => !parseHostPattern(h)), ...ranges.filter((r) => !parseRange(r))],
  };
}

async function readRow(db: Db) {
  const [row] = await db.select().from(outboundSettings).where(eq(outboundSettings.id, 1));
  // Stored values were valid when written; anything a later version no longer reads is dropped, never widened.
  return {
    allowHosts: canonicalHosts(row?.allowHosts ?? []),
    allowPrivateRanges: canonicalRanges(row?.allowPrivateRanges ?? []),
    updatedBy: row?.updatedBy ?? null,
    updatedAt: row?.updatedAt ? row.updatedAt.toISOString() : null,
  };
}

function view(row: Awaited<ReturnType<typeof readRow>>): OutboundSettingsView {
  const env = envOutboundSettings();
  return {
    ...row,
    env,
    effective: {
      allowHosts: unique([...row.allowHosts, ...env.allowHosts]),
      allowPrivateRanges: unique([...row.allowPrivateRanges, ...env.allowPrivateRanges]),
    },
  };
}

/** The policy every outbound request is checked against (no permission check: the outbound client reads it). */
export async function loadOutboundPolicy(db: Db): Promise<OutboundPolicy> {
  return view(await readRow(db)).effective;
}

/** GET /api/v1/settings/outbound (admin). */
export async function getOutboundSettings(db: Db, actor: Actor): Promise<OutboundSettingsView> {
  requirePermission(actor, "admin.settings");
  return view(await readRow(db));
}

/**
 * PUT /api/v1/settings/outbound (admin): replaces both lists. Audited with
 * before and after in the same transaction; applies to the next request.
 */
export async function updateOutboundSettings(db: Db, actor: Actor, input: unknown, requestId?: string): Promise<OutboundSettingsView> {
  requirePermission(actor, "admin.settings");
  const parsed = parseInput(outboundSettingsSchema, input);
  const after = { allowHosts: canonicalHosts(parsed.allowHosts), allowPrivateRanges: canonicalRanges(parsed.allowPrivateRanges) };
  const row = await db.transaction(async (tx) => {
    const prev = await readRow(tx);
    const now = new Date();
    await tx
      .insert(outboundSettings)
      .values({ id: 1, ...after, updatedBy: actorLabel(actor), updatedAt: now })
      .onConflictDoUpdate({ target: outboundSettings.id, set: { ...after, updatedBy: actorLabel(actor), updatedAt: now } });
    await emitAudit(tx, actor, {
      action: "outbound.settings.update",
      target: { type: "outbound_settings", id: "1" },
      before: { allowHosts: prev.allowHosts, allowPrivateRanges: prev.allowPrivateRanges },
      after,
      requestId,
    });
    return { ...after, updatedBy: actorLabel(actor), updatedAt: now.toISOString() };
  });
  return view(row);
}
