/**
 * Test fixtures for the findings engine: a base graph with people and app
 * users, graph documents imported through the real import engine, and
 * approved review items written the way a closed campaign leaves them.
 */
import { and, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appUsers, campaigns, findings, nodes, reviewItems, sources } from "@/db/schema";
import type { SeedGraph } from "@/db/seed/graph-doc";
import type { Actor } from "@/lib/authz/actor";
import type { ItemContext } from "@/lib/campaigns/model";
import type { NodeKind } from "@/lib/graph/model";
import { newId } from "@/lib/ids";
import { decodeGraphDocument } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { processGraphChanges } from "@/lib/pipeline/process-changes";
import type { FindingRule } from "./rules";

export const DAY = 86_400_000;
export const daysFromNow = (n: number) => new Date(Date.now() + n * DAY).toISOString();

/** People (active, on leave, terminated, inactive) and the four app users of the small graph's roles. */
export function baseGraph(): SeedGraph {
  return {
    sources: [{ name: "hr", type: "directory", description: "people" }],
    nodes: [
      { source: "hr", kind: "human", externalId: "ada", name: "Ada Active", attributes: { email: "ada@example.com", status: "active" } },
      { source: "hr", kind: "human", externalId: "lee", name: "Lee Leave", attributes: { status: "leave" } },
      { source: "hr", kind: "human", externalId: "tom", name: "Tom Terminated", attributes: { status: "terminated" } },
      { source: "hr", kind: "human", externalId: "ina", name: "Ina Inactive", attributes: { status: "inactive" } },
      { source: "hr", kind: "group", externalId: "team", name: "Team With Ada" },
      { source: "hr", kind: "group", externalId: "ghosts", name: "Team Of Leavers" },
    ],
    edges: [
      { source: "hr", kind: "member_of", from: { kind: "human", externalId: "ada" }, to: { kind: "group", externalId: "team" } },
      { source: "hr", kind: "member_of", from: { kind: "human", externalId: "tom" }, to: { kind: "group", externalId: "ghosts" } },
    ],
    users: [
      { email: "admin@example.com", name: "Admin Person", password: "pw-admin", roles: ["admin"], description: "admin" },
      { email: "ada@example.com", name: "Ada Active", password: "pw-ada", roles: ["reviewer"], humanExternalId: "ada", description: "reviewer" },
      { email: "audit@example.com", name: "Audrey Auditor", password: "pw-audit", roles: ["auditor"], description: "auditor" },
      { email: "ana@example.com", name: "Ana Lyst", password: "pw-ana", roles: ["analyst"], description: "analyst" },
    ],
  };
}

type Ref = { kind: NodeKind; externalId: string; source?: string };
export interface Doc {
  source: string;
  mode?: "full" | "incremental";
  nodes: { kind: NodeKind; externalId: string; name: string; attributes?: Record<string, unknown> }[];
  edges: { kind: string; from: Ref; to: Ref; attributes?: Record<string, unknown> }[];
}

/** Imports a graph document through runImport (which evaluates findings once it commits). */
export async function importDoc(db: Db, actor: Actor, doc: Doc) {
  const decoded = decodeGraphDocument({ mode: "full", ...doc });
  if ("errors" in decoded) throw new Error(JSON.stringify(decoded.errors));
  const rec = await runImport(db, actor, decoded, { format: "graph" });
  if (rec.status !== "succeeded") throw new Error(`import ${rec.status}: ${JSON.stringify(rec.errors)}`);
  // Findings follow an import out of its request: run the after-change pipeline as the job engine would.
  await processGraphChanges(db);
  return rec;
}

/** A node's Attest id from its source, kind and external id. */
export async function nodeId(db: Db, source: string, kind: NodeKind, externalId: string): Promise<string> {
  const [row] = await db
    .select({ id: nodes.id })
    .from(nodes)
    .innerJoin(sources, eq(sources.id, nodes.sourceId))
    .where(and(eq(sources.name, source), eq(nodes.kind, kind), eq(nodes.externalId, externalId)));
  if (!row) throw new Error(`no node ${source}:${kind}:${externalId}`);
  return row.id;
}

/** Stored findings of a rule about the given subjects that are not resolved (open or accepted). */
export async function findingsOf(db: Db, rule: FindingRule, subjectIds: string[]) {
  return db
    .select()
    .from(findings)
    .where(and(eq(findings.rule, rule), inArray(findings.subjectId, subjectIds), ne(findings.status, "resolved")));
}

/**
 * Writes a closed campaign with one approved level-1 item (subject → target
 * through edgeKind), as closing a campaign leaves it, with its close time.
 */
export async function certify(
  db: Db,
  opts: {
    subjectId: string;
    targetId: string;
    edgeKind: string;
    closedAt: Date;
    context?: Partial<ItemContext> & Record<string, unknown>;
    ownerEmail?: string;
  },
) {
  const [user] = await db
    .select({ id: appUsers.id })
    .from(appUsers)
    .where(eq(appUsers.email, opts.ownerEmail ?? "ana@example.com"));
  const [subject] = await db.select().from(nodes).where(eq(nodes.id, opts.subjectId));
  const [target] = await db.select().from(nodes).where(eq(nodes.id, opts.targetId));
  const campaignId = newId("cmp");
  await db.insert(campaigns).values({
    id: campaignId,
    name: `Certification ${campaignId.slice(-4)}`,
    status: "closed",
    scope: { edgeKinds: [opts.edgeKind as never] },
    reviewerStrategy: "target_owner",
    ownerId: user!.id,
    dueAt: opts.closedAt,
    launchedAt: new Date(opts.closedAt.getTime() - DAY),
    closedAt: opts.closedAt,
  });
  const context: ItemContext = {
    path: { nodes: [], edges: [] },
    reach: { tools: 0, resources: 0, mcpServers: 0, credentials: 0 },
    targetOwners: [],
    subjectOwners: [],
    subjectActsFor: [],
    credentials: [],
    flags: [],
    ...opts.context,
  } as ItemContext;
  await db.insert(reviewItems).values({
    id: newId("itm"),
    campaignId,
    subjectId: subject!.id,
    subjectKind: subject!.kind,
    subjectName: subject!.name,
    subjectSource: "test",
    subjectExternalId: subject!.externalId,
    edgeId: "edg_test",
    edgeKind: opts.edgeKind,
    edgeSource: "test",
    targetId: target!.id,
    targetKind: target!.kind,
    targetName: target!.name,
    targetSource: "test",
    targetExternalId: target!.externalId,
    accessFirstSeenAt: new Date(opts.closedAt.getTime() - 30 * DAY),
    context,
    recommendation: "approve",
    recommendationReason: "test",
    reviewerId: user!.id,
    reviewerReason: "test",
    assignedReviewerId: user!.id,
    decision: "approve",
    justification: "needed",
    decidedById: user!.id,
    decidedAt: opts.closedAt,
    outcome: "approve",
    outcomeReason: "reviewer answered approve",
  });
  return campaignId;
}
