import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { findingSettings } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { parseInput } from "@/lib/errors";
import { PRINCIPAL_KINDS } from "@/lib/graph/model";
import { TOOL_RISKS, type ToolRisk } from "@/lib/graph/tool-risk";
import { DEFAULT_DEPTH, MAX_DEPTH } from "@/lib/graph/traverse";
import { FINDING_RULES, FINDING_SEVERITIES, RULES, type FindingRule, type FindingSeverity } from "./rules";

const CREDENTIAL_STORAGES = ["vault", "env", "config_file", "hard_coded", "prompt"] as const;

/** Everything an evaluation reads besides the graph. Defaults below; PUT /api/v1/findings/settings overrides. */
export interface FindingSettings {
  rules: Record<FindingRule, { enabled: boolean; severity: FindingSeverity }>;
  /** Rotation policy: a credential last rotated (or issued) longer ago than this is overdue. */
  rotationDays: number;
  /** Credential `storage` values that count as hard-coded. */
  hardcodedStorages: (typeof CREDENTIAL_STORAGES)[number][];
  /** A credential used by at least this many identities or MCP servers is shared. */
  sharedCredentialMinUsers: number;
  /** Tools at or above this risk are "destructive or open-world (or unannotated)". */
  riskyToolMinRisk: ToolRisk;
  /** Certification policy: access certified longer ago than this counts as uncertified. */
  certificationMaxAgeDays: number;
  /** Over-broad reach: more reachable high-risk tools, or resources, than these. */
  overBroadHighRiskTools: number;
  overBroadResources: number;
  /** Which principals the over-broad threshold applies to. */
  overBroadPrincipalKinds: (typeof PRINCIPAL_KINDS)[number][];
  /** The groups and credentials with the largest blast radius: how many of each, and the least radius that counts. */
  blastRadiusTop: number;
  blastRadiusMin: number;
  /** Which principals the dual access path rule looks at (people too: add "human"). */
  dualPathPrincipalKinds: (typeof PRINCIPAL_KINDS)[number][];
  /** Access edges followed from a principal (the explorer's default). */
  maxDepth: number;
  /** How many tools, resources or paths one finding lists as examples. */
  evidenceSample: number;
  /** The longest a risk may be accepted for. */
  maxAcceptanceDays: number;
}

export const DEFAULT_SETTINGS: FindingSettings = {
  rules: Object.fromEntries(FINDING_RULES.map((r) => [r, { enabled: true, severity: RULES[r].defaultSeverity }])) as FindingSettings["rules"],
  rotationDays: 90,
  hardcodedStorages: ["hard_coded", "config_file"],
  sharedCredentialMinUsers: 2,
  riskyToolMinRisk: "high",
  certificationMaxAgeDays: 180,
  overBroadHighRiskTools: 25,
  overBroadResources: 10,
  overBroadPrincipalKinds: ["agent", "service_account"],
  blastRadiusTop: 3,
  blastRadiusMin: 10,
  dualPathPrincipalKinds: ["agent", "service_account"],
  maxDepth: DEFAULT_DEPTH,
  evidenceSample: 5,
  maxAcceptanceDays: 365,
};

const ruleOverride = z.object({ enabled: z.boolean().optional(), severity: z.enum(FINDING_SEVERITIES).optional() }).strict();
const count = (max: number) => z.number().int().min(1).max(max);

/** What may be overridden; every field optional; unknown fields are an error. */
export const settingsOverridesSchema = z
  .object({
    rules: z.partialRecord(z.enum(FINDING_RULES), ruleOverride).optional(),
    rotationDays: count(3650).optional(),
    hardcodedStorages: z.array(z.enum(CREDENTIAL_STORAGES)).max(CREDENTIAL_STORAGES.length).optional(),
    sharedCredentialMinUsers: z.number().int().min(2).max(1000).optional(),
    riskyToolMinRisk: z.enum(TOOL_RISKS).optional(),
    certificationMaxAgeDays: count(3650).optional(),
    overBroadHighRiskTools: count(1_000_000).optional(),
    overBroadResources: count(1_000_000).optional(),
    overBroadPrincipalKinds: z.array(z.enum(PRINCIPAL_KINDS)).max(3).optional(),
    blastRadiusTop: z.number().int().min(0).max(100).optional(),
    blastRadiusMin: count(1_000_000).optional(),
    dualPathPrincipalKinds: z.array(z.enum(PRINCIPAL_KINDS)).max(3).optional(),
    maxDepth: count(MAX_DEPTH).optional(),
    evidenceSample: count(50).optional(),
    maxAcceptanceDays: count(3650).optional(),
  })
  .strict();
export type FindingSettingsOverrides = z.infer<typeof settingsOverridesSchema>;

/** The defaults with the overrides laid over them. */
export function mergeSettings(o: FindingSettingsOverrides | null | undefined): FindingSettings {
  const { rules, ...rest } = o ?? {};
  const merged: FindingSettings = { ...DEFAULT_SETTINGS, ...(rest as Partial<FindingSettings>), rules: { ...DEFAULT_SETTINGS.rules } };
  for (const r of FINDING_RULES) merged.rules[r] = { ...DEFAULT_SETTINGS.rules[r], ...(rules?.[r] ?? {}) };
  return merged;
}

/** The settings in force (no permission check: the engine reads them). */
export async function loadSettings(db: Db): Promise<{ settings: FindingSettings; overrides: FindingSettingsOverrides }> {
  const [row] = await db.select({ overrides: findingSettings.overrides }).from(findingSettings).where(eq(findingSettings.id, 1));
  // Stored overrides were valid when written; a field a later version dropped is ignored rather than failing evaluation.
  const parsed = settingsOverridesSchema.safeParse(row?.overrides ?? {});
  const overrides = parsed.success ? parsed.data : {};
  return { settings: mergeSettings(overrides), overrides };
}

export interface SettingsView {
  settings: FindingSettings;
  overrides: FindingSettingsOverrides;
  defaults: FindingSettings;
}

/** GET /api/v1/findings/settings: the settings in force, what was overridden, and the defaults. */
export async function getFindingSettings(db: Db, actor: Actor): Promise<SettingsView> {
  requirePermission(actor, "findings.read");
  const { settings, overrides } = await loadSettings(db);
  return { settings, overrides, defaults: DEFAULT_SETTINGS };
}

/**
 * PUT /api/v1/findings/settings: replaces the overrides (send {} to go back to
 * the defaults). Audited with before and after. Takes effect at the next evaluation.
 */
export async function updateFindingSettings(db: Db, actor: Actor, input: unknown, requestId?: string): Promise<SettingsView> {
  requirePermission(actor, "findings.manage");
  const overrides = parseInput(settingsOverridesSchema, input);
  await db.transaction(async (tx) => {
    const before = (await loadSettings(tx)).overrides;
    await tx
      .insert(findingSettings)
      .values({ id: 1, overrides, updatedBy: actorLabel(actor), updatedAt: new Date() })
      .onConflictDoUpdate({ target: findingSettings.id, set: { overrides, updatedBy: actorLabel(actor), updatedAt: new Date() } });
    await emitAudit(tx, actor, { action: "findings.settings.update", target: { type: "finding_settings", id: "1" }, before, after: overrides, requestId });
  });
  return { settings: mergeSettings(overrides), overrides, defaults: DEFAULT_SETTINGS };
}
