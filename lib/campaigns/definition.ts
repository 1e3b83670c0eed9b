import { inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { sources } from "@/db/schema";
import { AppError, isAppError, parseInput } from "@/lib/errors";
import { NODE_KINDS } from "@/lib/graph/model";
import { parseNodeRef, resolveNodeId } from "@/lib/graph/node-ref";
import { TOOL_RISKS } from "@/lib/graph/tool-risk";
import {
  ESCALATION_TARGETS,
  REVIEWABLE_EDGE_KINDS,
  REVIEWER_STRATEGIES,
  SECOND_LEVEL_RULES,
  type CampaignScope,
  type ReviewerStrategy,
  type SecondLevel,
} from "./model";
import { loadReviewerDirectory, requireReviewer } from "./reviewers";

const nodeRef = z.string().trim().min(1, "is required").max(700);
/** An app user id (usr_…) or e-mail. */
const userRef = z.string().trim().min(1, "is required").max(320);

const dueAt = z
  .string()
  .max(40)
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)),
    "must be an ISO 8601 date (end of that day, UTC) or date-time with offset",
  )
  .transform((s) => (s.length === 10 ? new Date(`${s}T23:59:59.999Z`) : new Date(s)));

export const scopeInputSchema = z
  .object({
    edgeKinds: z.array(z.enum(REVIEWABLE_EDGE_KINDS)).min(1, "name at least one kind of access to review").max(REVIEWABLE_EDGE_KINDS.length),
    subjectKinds: z.array(z.enum(NODE_KINDS)).max(NODE_KINDS.length).optional(),
    sources: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
    minToolRisk: z.enum(TOOL_RISKS).optional(),
    targets: z.array(nodeRef).max(50).optional(),
    ownedBy: z.array(nodeRef).max(50).optional(),
    subjects: z.array(nodeRef).max(200).optional(),
  })
  .strict();

export const campaignDefinitionSchema = z
  .object({
    name: z.string().trim().min(1, "is required").max(200, "at most 200 characters"),
    description: z.string().trim().max(4000).optional(),
    control: z.string().trim().max(200).optional(),
    scope: scopeInputSchema,
    reviewerStrategy: z.union([z.enum(REVIEWER_STRATEGIES), z.object({ reviewer: userRef }).strict()], {
      error: `must be one of ${REVIEWER_STRATEGIES.join(", ")} or { "reviewer": user id or e-mail }`,
    }),
    fallbackReviewer: userRef.optional(),
    dueAt,
    reminderDays: z.array(z.number().int().min(1).max(90)).max(5).optional(),
    escalateTo: z.enum(ESCALATION_TARGETS).optional(),
    escalateAfterDays: z.number().int().min(0).max(90).optional(),
    secondLevel: z
      .object({ reviewer: userRef, minRisk: z.enum(TOOL_RISKS).default("high"), rule: z.enum(SECOND_LEVEL_RULES).default("any_revoke") })
      .strict()
      .optional(),
    revokeOnNoResponse: z.boolean().optional(),
  })
  .strict();
export type CampaignDefinitionInput = z.input<typeof campaignDefinitionSchema>;

/** A definition with every reference resolved: node ids, app user ids. */
export interface ResolvedDefinition {
  name: string;
  description: string | null;
  control: string | null;
  scope: CampaignScope;
  reviewerStrategy: ReviewerStrategy;
  fallbackReviewerId: string | null;
  dueAt: Date;
  reminderDays: number[];
  escalateTo: (typeof ESCALATION_TARGETS)[number];
  escalateAfterDays: number;
  secondLevel: SecondLevel | null;
  revokeOnNoResponse: boolean;
}

async function resolveRefs(db: Db, refs: string[] | undefined, path: string): Promise<string[] | undefined> {
  if (!refs?.length) return undefined;
  const out: string[] = [];
  for (const [i, raw] of refs.entries()) {
    try {
      out.push(await resolveNodeId(db, parseNodeRef(raw, `${path}[${i}]`)));
    } catch (e) {
      if (isAppError(e) && e.code === "not_found")
        throw new AppError("validation", `${path}[${i}]: no node "${raw}"`, [{ path: `${path}[${i}]`, message: "no such node" }]);
      throw e;
    }
  }
  return [...new Set(out)];
}

/**
 * Parses and resolves a campaign definition: node references become ids, user
 * references become app users who may review, source names must exist, and
 * the due date must lie ahead. Every problem is a 400 naming its field.
 */
export async function resolveDefinition(db: Db, input: unknown, now: Date): Promise<ResolvedDefinition> {
  const d = parseInput(campaignDefinitionSchema, input);
  if (d.dueAt.getTime() <= now.getTime())
    throw new AppError("validation", "dueAt must be in the future", [{ path: "dueAt", message: "must be in the future" }]);
  if (d.scope.sources?.length) {
    const known = new Set((await db.select({ name: sources.name }).from(sources).where(inArray(sources.name, d.scope.sources))).map((s) => s.name));
    const i = d.scope.sources.findIndex((s) => !known.has(s));
    if (i >= 0)
      throw new AppError("validation", `scope.sources[${i}]: no source "${d.scope.sources[i]}"`, [{ path: `scope.sources[${i}]`, message: "no such source" }]);
  }
  const dir = await loadReviewerDirectory(db);
  const strategy: ReviewerStrategy =
    typeof d.reviewerStrategy === "string"
      ? d.reviewerStrategy
      : { reviewer: requireReviewer(dir, d.reviewerStrategy.reviewer, "reviewerStrategy.reviewer").id };
  const fallback = d.fallbackReviewer ? requireReviewer(dir, d.fallbackReviewer, "fallbackReviewer").id : null;
  const secondLevel = d.secondLevel
    ? { reviewerId: requireReviewer(dir, d.secondLevel.reviewer, "secondLevel.reviewer").id, minRisk: d.secondLevel.minRisk, rule: d.secondLevel.rule }
    : null;
  const scope: CampaignScope = {
    edgeKinds: [...new Set(d.scope.edgeKinds)],
    ...(d.scope.subjectKinds?.length ? { subjectKinds: [...new Set(d.scope.subjectKinds)] } : {}),
    ...(d.scope.sources?.length ? { sources: [...new Set(d.scope.sources)] } : {}),
    ...(d.scope.minToolRisk ? { minToolRisk: d.scope.minToolRisk } : {}),
  };
  const targets = await resolveRefs(db, d.scope.targets, "scope.targets");
  const ownedBy = await resolveRefs(db, d.scope.ownedBy, "scope.ownedBy");
  if (targets) scope.targets = targets;
  if (ownedBy) scope.ownedBy = ownedBy;
  const subjects = await resolveRefs(db, d.scope.subjects, "scope.subjects");
  if (subjects) scope.subjects = subjects;
  return {
    name: d.name,
    description: d.description || null,
    control: d.control || null,
    scope,
    reviewerStrategy: strategy,
    fallbackReviewerId: fallback,
    dueAt: d.dueAt,
    reminderDays: [...new Set(d.reminderDays ?? [7, 1])].sort((a, b) => b - a),
    escalateTo: d.escalateTo ?? "reviewer_manager",
    escalateAfterDays: d.escalateAfterDays ?? 0,
    secondLevel,
    revokeOnNoResponse: d.revokeOnNoResponse ?? false,
  };
}
