import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { ErrorDetail } from "@/lib/errors";
import { timestamps } from "./columns";

export const CONNECTOR_KINDS = ["aws-iam", "entra", "okta", "github"] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];
export const CONNECTOR_RUN_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type ConnectorRunStatus = (typeof CONNECTOR_RUN_STATUSES)[number];

/**
 * A credential sealed by envelope encryption (lib/connectors/secret-box.ts): a
 * random data key encrypts the value (AES-256-GCM), the key derived from
 * ATTEST_SECRET_KEY wraps the data key. `kid` says which master key wrapped it.
 */
export interface SealedSecret {
  v: 1;
  kid: string;
  /** The data key, wrapped: iv.tag.ciphertext, base64url each. */
  dek: string;
  /** The value: iv.tag.ciphertext, base64url each. */
  data: string;
}

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/**
 * A pull from a system where identities live (AWS IAM, Entra ID, Okta,
 * GitHub). It writes into one graph source through the import engine. Its
 * credential is sealed and never leaves the server; its settings are not secret.
 */
export const connectors = pgTable(
  "connectors",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    kind: text("kind", { enum: CONNECTOR_KINDS }).notNull(),
    /** The graph source it writes (sources.name); created by its first run. */
    sourceName: text("source_name").notNull(),
    /** Non-secret settings checked by the driver's schema (endpoint, tenant, organisation, account rules). */
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    credential: jsonb("credential").$type<SealedSecret>(),
    credentialSetAt: timestamp("credential_set_at", { withTimezone: true }),
    /** Five-field cron, UTC; null = on demand only. */
    schedule: text("schedule"),
    scheduleMode: text("schedule_mode", { enum: ["full", "incremental"] })
      .notNull()
      .default("full"),
    enabled: boolean("enabled").notNull().default(true),
    /** The last time the schedule enqueued a run (so a tick never enqueues the same slot twice). */
    lastScheduledAt: timestamp("last_scheduled_at", { withTimezone: true }),
    version: integer("version").notNull().default(1),
    createdBy: text("created_by").notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("connectors_name_key").on(t.name),
    uniqueIndex("connectors_source_name_key").on(t.sourceName),
    check("connectors_kind_check", sql`${t.kind} in (${inList(CONNECTOR_KINDS)})`),
  ],
);

export interface ConnectorRunCounts {
  /** Nodes of each kind in the converted document. */
  nodesByKind: Record<string, number>;
  edgesByKind: Record<string, number>;
  /** API calls made (pages included), and how many were retried after throttling. */
  calls: number;
  retries: number;
}

/** One run of a connector (or a "test connection"): its outcome, the import it made, what failed. */
export const connectorRuns = pgTable(
  "connector_runs",
  {
    id: text("id").primaryKey(),
    connectorId: text("connector_id")
      .notNull()
      .references(() => connectors.id, { onDelete: "cascade" }),
    trigger: text("trigger", { enum: ["manual", "schedule", "test"] }).notNull(),
    mode: text("mode", { enum: ["full", "incremental"] }).notNull(),
    status: text("status", { enum: CONNECTOR_RUN_STATUSES }).notNull(),
    /** The import the run wrote through (null when it failed before writing). */
    importId: text("import_id"),
    counts: jsonb("counts").$type<ConnectorRunCounts>(),
    /** What failed, in words that quote no value (code: auth_failed, throttled, malformed, unreachable, import_rejected, ...). */
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    errors: jsonb("errors").$type<ErrorDetail[]>().notNull().default([]),
    warnings: jsonb("warnings").$type<string[]>().notNull().default([]),
    actorLabel: text("actor_label"),
    instanceId: text("instance_id"),
    queuedAt: timestamp("queued_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    durationMs: integer("duration_ms"),
  },
  (t) => [
    index("connector_runs_connector_idx").on(t.connectorId, t.queuedAt),
    check("connector_runs_status_check", sql`${t.status} in (${inList(CONNECTOR_RUN_STATUSES)})`),
  ],
);

/**
 * An admin's decision about two accounts identity linking would (or would not)
 * join: `link` joins them although no rule matched, `never` keeps them apart
 * although one did. Nodes are named by source:kind:externalId, so a decision
 * outlives a re-import that re-creates the node.
 */
export const identityLinkOverrides = pgTable(
  "identity_link_overrides",
  {
    id: text("id").primaryKey(),
    /** The account that stands for the person (source:kind:externalId). */
    personRef: text("person_ref").notNull(),
    accountRef: text("account_ref").notNull(),
    decision: text("decision", { enum: ["link", "never"] }).notNull(),
    reason: text("reason"),
    actorLabel: text("actor_label").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("identity_link_overrides_pair_key").on(t.personRef, t.accountRef),
    check("identity_link_overrides_decision_check", sql`${t.decision} in ('link', 'never')`),
  ],
);
