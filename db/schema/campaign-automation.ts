import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { TemplateDefinition, TriggerFilter, TriggerKind, ReviewerStrategyInput } from "@/lib/campaigns/model";
import { campaigns, campaignNotifications, reviewItems } from "./campaigns";
import type { SealedSecret } from "./connectors";
import { appUsers } from "./identity";
import { timestamps } from "./columns";

/**
 * Campaigns that run themselves: recurring templates, event-triggered
 * micro-certifications (including Shared Signals events received by push),
 * the same access scoped by several open campaigns, and the delivery of
 * messages to reviewers by e-mail and chat.
 */

/**
 * A campaign definition with a recurrence: at each cron slot (UTC, five fields,
 * as the job engine takes them) the job engine creates an instance due
 * `durationDays` later and launches it. Instances are linked (campaigns.template_id,
 * campaigns.previous_campaign_id).
 */
export const campaignTemplates = pgTable(
  "campaign_templates",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** The definition as entered, without a due date; node and user references are resolved again for each instance. */
    definition: jsonb("definition").$type<TemplateDefinition>().notNull(),
    cron: text("cron").notNull(),
    durationDays: integer("duration_days").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    /** The app user who made it: owner of every instance. */
    ownerId: text("owner_id")
      .notNull()
      .references(() => appUsers.id),
    /** The next slot to run; a tick claims it (compare-and-set) so an instance is created once per slot. */
    nextRunAt: timestamp("next_run_at", { withTimezone: true }),
    lastRunAt: timestamp("last_run_at", { withTimezone: true }),
    lastCampaignId: text("last_campaign_id"),
    lastError: text("last_error"),
    ...timestamps,
  },
  (t) => [index("campaign_templates_due_idx").on(t.enabled, t.nextRunAt)],
);

/**
 * Turns events into small campaigns addressed at once to the right owner: a
 * tool's definition changed after certification, a new path to a critical
 * tool, an owner departed, a hard-coded secret found, a Shared Signals event.
 */
export const campaignTriggerRules = pgTable(
  "campaign_trigger_rules",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    kind: text("kind").$type<TriggerKind>().notNull(),
    /** Narrows the events the rule takes (e.g. SSF event types, a minimum tool risk). */
    filter: jsonb("filter").$type<TriggerFilter>().notNull().default({}),
    reviewerStrategy: jsonb("reviewer_strategy").$type<ReviewerStrategyInput>().notNull(),
    fallbackReviewerId: text("fallback_reviewer_id").references(() => appUsers.id),
    durationDays: integer("duration_days").notNull().default(7),
    enabled: boolean("enabled").notNull().default(true),
    ownerId: text("owner_id")
      .notNull()
      .references(() => appUsers.id),
    lastFiredAt: timestamp("last_fired_at", { withTimezone: true }),
    /**
     * The event job's watermark (lib/campaigns/triggers/run.ts): events recorded before this were looked at. Each run
     * reads again a margin before it (an evaluation's rows commit after their timestamps); the firings' dedupe key
     * makes the overlap harmless. Null: from the rule's creation.
     */
    scannedTo: timestamp("scanned_to", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [index("campaign_trigger_rules_kind_idx").on(t.kind, t.enabled)],
);

/** Each event a rule acted on, once (the dedupe key names the event), with the micro-campaign it opened. */
export const campaignTriggerFirings = pgTable(
  "campaign_trigger_firings",
  {
    id: text("id").primaryKey(),
    ruleId: text("rule_id")
      .notNull()
      .references(() => campaignTriggerRules.id),
    dedupeKey: text("dedupe_key").notNull(),
    campaignId: text("campaign_id").references(() => campaigns.id),
    /** opened: a campaign was launched; no_access: the event touched nothing reviewable; failed: see detail. */
    outcome: text("outcome", { enum: ["opened", "no_access", "failed"] }).notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("campaign_trigger_firings_dedupe_key").on(t.ruleId, t.dedupeKey),
    index("campaign_trigger_firings_at_idx").on(t.at),
    check("campaign_trigger_firings_outcome_check", sql`${t.outcome} in ('opened', 'no_access', 'failed')`),
  ],
);

/** A Shared Signals transmitter allowed to push Security Event Tokens (RFC 8417, RFC 8935) to /api/v1/ssf/events. */
export const ssfTransmitters = pgTable(
  "ssf_transmitters",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** The `iss` its SETs carry. */
    issuer: text("issuer").notNull(),
    /** The `aud` its SETs must carry (this receiver). */
    audience: text("audience").notNull(),
    /** Where its signing keys are published, or the key set itself (public keys only). */
    jwksUrl: text("jwks_url"),
    jwks: jsonb("jwks").$type<{ keys: Record<string, unknown>[] }>(),
    enabled: boolean("enabled").notNull().default(true),
    lastEventAt: timestamp("last_event_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex("ssf_transmitters_issuer_key").on(t.issuer)],
);

/** Every SET accepted, once per (issuer, jti): a second delivery of the same jti is a replay and is refused. */
export const ssfEvents = pgTable(
  "ssf_events",
  {
    id: text("id").primaryKey(),
    transmitterId: text("transmitter_id")
      .notNull()
      .references(() => ssfTransmitters.id),
    issuer: text("issuer").notNull(),
    jti: text("jti").notNull(),
    /** The event type URIs the SET carries. */
    eventTypes: text("event_types").array().notNull(),
    /** The subject as the SET names it (RFC 9493 subject identifier: email, iss_sub, opaque…). */
    subject: jsonb("subject").$type<Record<string, unknown>>().notNull(),
    /** The graph node the subject was matched to, if any. */
    nodeId: text("node_id"),
    issuedAt: timestamp("issued_at", { withTimezone: true }),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    /** matched: a node was found (rules were run); no_match: nobody in the graph. */
    outcome: text("outcome", { enum: ["matched", "no_match"] }).notNull(),
  },
  (t) => [
    uniqueIndex("ssf_events_jti_key").on(t.issuer, t.jti),
    index("ssf_events_received_idx").on(t.receivedAt),
    check("ssf_events_outcome_check", sql`${t.outcome} in ('matched', 'no_match')`),
  ],
);

/**
 * An access already under review in an open campaign is not added to a later
 * campaign again: the later campaign scopes the existing item. The item is
 * decided once, by the reviewer of the campaign that launched first (the
 * item's own campaign); every campaign that scoped it shows it.
 */
export const reviewItemScopes = pgTable(
  "review_item_scopes",
  {
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    itemId: text("item_id")
      .notNull()
      .references(() => reviewItems.id),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.itemId] }), index("review_item_scopes_item_idx").on(t.itemId)],
);

export const NOTIFICATION_CHANNEL_KINDS = ["email", "slack", "teams"] as const;
export type NotificationChannelKind = (typeof NOTIFICATION_CHANNEL_KINDS)[number];
export const DELIVERY_STATUSES = ["pending", "sent", "failed", "skipped"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A chat destination: a Slack-compatible incoming webhook or a Teams workflow. Its URL is a secret (it carries a token): sealed. */
export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["slack", "teams"] }).notNull(),
    name: text("name").notNull(),
    url: jsonb("url").$type<SealedSecret>().notNull(),
    /** What may be shown of the URL: its host. */
    urlHost: text("url_host").notNull(),
    /** Which kinds of message go here (digest, reminder, escalation, overdue). */
    events: text("events").array().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    ...timestamps,
  },
  (t) => [check("notification_channels_kind_check", sql`${t.kind} in ('slack', 'teams')`)],
);

/** One attempt-tracked delivery of a message to one recipient on one channel: what reviewers were told, and when. */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: text("id").primaryKey(),
    notificationId: text("notification_id")
      .notNull()
      .references(() => campaignNotifications.id),
    campaignId: text("campaign_id").notNull(),
    /** The app user it is for (null for a chat channel). */
    recipientId: text("recipient_id"),
    channel: text("channel", { enum: NOTIFICATION_CHANNEL_KINDS }).notNull(),
    /** For a chat channel: notification_channels.id. */
    channelId: text("channel_id"),
    /** Where it went, as may be shown: the e-mail address, or the chat channel's name. */
    address: text("address").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    /** Why it was skipped (opted out, no address, channel disabled) or why the last attempt failed. */
    reason: text("reason"),
    attempts: integer("attempts").notNull().default(0),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    /** The SMTP Message-ID, when e-mailed. */
    messageId: text("message_id"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("notification_deliveries_key").on(t.notificationId, t.channel, t.address),
    index("notification_deliveries_campaign_idx").on(t.campaignId, t.recipientId),
    index("notification_deliveries_status_idx").on(t.status),
    check("notification_deliveries_channel_check", sql`${t.channel} in ('email', 'slack', 'teams')`),
    check("notification_deliveries_status_check", sql`${t.status} in ('pending', 'sent', 'failed', 'skipped')`),
  ],
);

/** A person's choices: digests may be turned off; escalations and overdue notices never are. */
export const notificationPreferences = pgTable("notification_preferences", {
  userId: text("user_id")
    .primaryKey()
    .references(() => appUsers.id),
  digestOptOut: boolean("digest_opt_out").notNull().default(false),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
