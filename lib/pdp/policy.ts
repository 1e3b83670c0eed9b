import { z } from "zod";
import { TOOL_RISKS, type ToolRisk } from "@/lib/graph/tool-risk";

/**
 * The admins' knobs for runtime decisions (issue #20). Stored as versions in pdp_policies (lib/pdp/policy-store.ts);
 * the newest is in force. Keep `jit.grantMinutes` at this key path: the access-request approver (lib/requests)
 * reads it from the newest row.
 *
 * Resolution for a tool: the defaults, overridden by the tool's risk level (`byRisk`), overridden by its source
 * (`bySource`, the name of the source that reported the tool). Each override names only the knobs it changes.
 */
export const DESTRUCTIVE_CHOICES = ["approval_required", "deny", "allow"] as const;
export const UNKNOWN_CHOICES = ["allow_with_log", "approval_required", "deny"] as const;
export const OWNER_GONE_CHOICES = ["deny", "allow"] as const;

const knobs = {
  /** Tools that declare themselves destructive (MCP annotation destructiveHint: true). */
  destructive: z.enum(DESTRUCTIVE_CHOICES),
  /** Tools with no annotations, or none that say whether they are destructive. */
  unknownAnnotations: z.enum(UNKNOWN_CHOICES),
  /** Tools that act on an open world (openWorldHint true or absent) and are not read-only. */
  openWorld: z.enum(UNKNOWN_CHOICES),
  /** Tools (or their MCP server) with no active accountable owner. */
  ownerGone: z.enum(OWNER_GONE_CHOICES),
};
const knobsSchema = z.strictObject(knobs);
const overrideSchema = z.strictObject(knobs).partial();
export type PolicyKnobs = z.infer<typeof knobsSchema>;

export const policySchema = z.strictObject({
  defaults: knobsSchema.default({ destructive: "approval_required", unknownAnnotations: "allow_with_log", openWorld: "allow_with_log", ownerGone: "allow" }),
  byRisk: z.partialRecord(z.enum(TOOL_RISKS), overrideSchema).default({}),
  bySource: z
    .record(
      z
        .string()
        .min(1)
        .max(100)
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "a source name"),
      overrideSchema,
    )
    .refine((r) => Object.keys(r).length <= 200, "at most 200 sources")
    .default({}),
  jit: z
    .strictObject({
      /** How long an approved access request allows the (subject, tool) pair. */
      grantMinutes: z.number().int().min(1).max(1440).default(60),
      /** How long a pending request waits for a decision before it expires. */
      requestMinutes: z.number().int().min(5).max(10_080).default(1440),
    })
    .default({ grantMinutes: 60, requestMinutes: 1440 }),
});
export type PdpPolicy = z.infer<typeof policySchema>;

export const DEFAULT_POLICY: PdpPolicy = policySchema.parse({});

/** The knobs in force for a tool of this risk from this source. */
export function knobsFor(policy: PdpPolicy, risk: ToolRisk | null, source: string | null): PolicyKnobs {
  return { ...policy.defaults, ...(risk ? policy.byRisk[risk] : undefined), ...(source ? policy.bySource[source] : undefined) };
}
