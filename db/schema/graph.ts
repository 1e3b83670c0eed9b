import { relations, sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { EDGE_KINDS, NODE_KINDS } from "@/lib/graph/model";
import { naturalKeyText } from "@/db/natural-sort";
import { observed, timestamps } from "./columns";

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/** Where graph facts come from: an import feed, a SCIM client, an MCP config, the demo seed. */
export const sources = pgTable(
  "sources",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    type: text("type").notNull(),
    description: text("description"),
    /** SHA-256 of this source's SCIM bearer token; the token itself is never stored. */
    scimTokenHash: text("scim_token_hash"),
    /** When the SCIM token last authenticated a request (updated at most once a minute). */
    scimTokenLastUsedAt: timestamp("scim_token_last_used_at", { withTimezone: true }),
    /** Set while an admin has disabled the source: its SCIM token is refused until it is enabled again. */
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    lastImportAt: timestamp("last_import_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex("sources_name_key").on(t.name)],
);

export const nodes = pgTable(
  "nodes",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: NODE_KINDS }).notNull(),
    sourceId: text("source_id")
      .notNull()
      .references(() => sources.id),
    externalId: text("external_id").notNull(),
    name: text("name").notNull(),
    /** The name as people sort it ("agent 9" before "agent 10"): see db/natural-sort.ts. Compare it with collate "C". */
    nameKey: text("name_key").generatedAlwaysAs(naturalKeyText(sql.raw(`"name"`))),
    /** Lifecycle of principals (active, inactive, leave, terminated); null where it does not apply. */
    status: text("status"),
    ...observed,
    ...timestamps,
  },
  (t) => [
    uniqueIndex("nodes_source_kind_external_key").on(t.sourceId, t.kind, t.externalId),
    index("nodes_kind_name_idx").on(t.kind, t.name),
    index("nodes_lower_name_idx").on(sql`lower(${t.name})`),
    // Lists sort current nodes by name as people read it ("agent 9" before "agent 10"), all kinds or one.
    index("nodes_current_name_key_idx")
      .on(sql`${t.nameKey} collate "C"`, t.id)
      .where(sql`${t.validTo} is null`),
    index("nodes_current_kind_name_key_idx")
      .on(t.kind, sql`${t.nameKey} collate "C"`, t.id)
      .where(sql`${t.validTo} is null`),
    // SCIM looks current people up by the client's externalId (Entra's matching filter, manager references) and
    // finds the reports waiting for a manager on every user write (lib/scim/manager.ts).
    index("nodes_scim_external_id_idx")
      .on(t.sourceId, sql`(${t.attributes}->>'scimExternalId')`)
      .where(sql`${t.kind} = 'human' and ${t.validTo} is null`),
    index("nodes_scim_manager_ref_idx")
      .on(t.sourceId, sql`(${t.attributes}->>'managerId')`)
      .where(sql`${t.kind} = 'human' and ${t.validTo} is null`),
    // Identity linking (lib/connectors/linking.ts) reads the few entitlements that let their holders into AWS (an
    // IdP's AWS app role) without reading every entitlement's attributes.
    index("nodes_aws_role_arns_idx")
      .on(t.id)
      .where(sql`${t.kind} = 'entitlement' and ${t.validTo} is null and ${t.attributes} ? 'awsRoleArns'`),
    check("nodes_kind_check", sql`${t.kind} in (${inList(NODE_KINDS)})`),
    check("nodes_status_check", sql`${t.status} is null or ${t.status} in ('active', 'inactive', 'leave', 'terminated')`),
    check("nodes_validity_check", sql`${t.validTo} is null or ${t.validTo} >= ${t.validFrom}`),
  ],
);

/**
 * One row per period an edge held. A current edge (validTo null) is unique per
 * (source, kind, from, to); when a full sync stops reporting it, validTo is set
 * and, should it come back, a new row opens a new period, so history stays answerable.
 */
export const edges = pgTable(
  "edges",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: EDGE_KINDS }).notNull(),
    sourceId: text("source_id")
      .notNull()
      .references(() => sources.id),
    externalId: text("external_id").notNull(),
    fromId: text("from_id")
      .notNull()
      .references(() => nodes.id),
    toId: text("to_id")
      .notNull()
      .references(() => nodes.id),
    ...observed,
    ...timestamps,
  },
  (t) => [
    uniqueIndex("edges_current_key")
      .on(t.sourceId, t.kind, t.fromId, t.toId)
      .where(sql`${t.validTo} is null`),
    // Covering indexes for index-only traversal in both directions.
    index("edges_from_kind_to_idx").on(t.fromId, t.kind, t.toId),
    index("edges_to_kind_from_idx").on(t.toId, t.kind, t.fromId),
    // No (source_id, external_id) index: nothing looks an edge up by its external id (imports match edges by
    // source, kind, from, to: edges_current_key), and the planner once picked it for the import's probes, reading a
    // whole source per probe (docs/BENCHMARKS.md). Dropped in issue #19: one index less to keep on every edge write.
    // Every current edge of one kind (all owns edges, all member_of edges) without reading the other kinds: ownership
    // and orphan queries at M read 87k owns and 140k member_of edges out of a million.
    index("edges_current_kind_to_from_idx")
      .on(t.kind, t.toId, t.fromId)
      .where(sql`${t.validTo} is null`),
    check("edges_kind_check", sql`${t.kind} in (${inList(EDGE_KINDS)})`),
    check("edges_no_self_loop", sql`${t.fromId} <> ${t.toId}`),
    check("edges_validity_check", sql`${t.validTo} is null or ${t.validTo} >= ${t.validFrom}`),
  ],
);

export const sourcesRelations = relations(sources, ({ many }) => ({ nodes: many(nodes), edges: many(edges) }));
export const nodesRelations = relations(nodes, ({ one, many }) => ({
  source: one(sources, { fields: [nodes.sourceId], references: [sources.id] }),
  outEdges: many(edges, { relationName: "from" }),
  inEdges: many(edges, { relationName: "to" }),
}));
export const edgesRelations = relations(edges, ({ one }) => ({
  source: one(sources, { fields: [edges.sourceId], references: [sources.id] }),
  from: one(nodes, { fields: [edges.fromId], references: [nodes.id], relationName: "from" }),
  to: one(nodes, { fields: [edges.toId], references: [nodes.id], relationName: "to" }),
}));
