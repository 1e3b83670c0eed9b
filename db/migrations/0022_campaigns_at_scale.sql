CREATE TABLE "campaign_templates" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"definition" jsonb NOT NULL,
	"cron" text NOT NULL,
	"duration_days" integer NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"owner_id" text NOT NULL,
	"next_run_at" timestamp with time zone,
	"last_run_at" timestamp with time zone,
	"last_campaign_id" text,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_trigger_firings" (
	"id" text PRIMARY KEY NOT NULL,
	"rule_id" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"campaign_id" text,
	"outcome" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_trigger_firings_outcome_check" CHECK ("campaign_trigger_firings"."outcome" in ('opened', 'no_access', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "campaign_trigger_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"filter" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"reviewer_strategy" jsonb NOT NULL,
	"fallback_reviewer_id" text,
	"duration_days" integer DEFAULT 7 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"owner_id" text NOT NULL,
	"last_fired_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_channels" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"url" jsonb NOT NULL,
	"url_host" text NOT NULL,
	"events" text[] NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_channels_kind_check" CHECK ("notification_channels"."kind" in ('slack', 'teams'))
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"notification_id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"recipient_id" text,
	"channel" text NOT NULL,
	"channel_id" text,
	"address" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"reason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"sent_at" timestamp with time zone,
	"message_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_deliveries_channel_check" CHECK ("notification_deliveries"."channel" in ('email', 'slack', 'teams')),
	CONSTRAINT "notification_deliveries_status_check" CHECK ("notification_deliveries"."status" in ('pending', 'sent', 'failed', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "notification_preferences" (
	"user_id" text PRIMARY KEY NOT NULL,
	"digest_opt_out" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_item_scopes" (
	"campaign_id" text NOT NULL,
	"item_id" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_item_scopes_campaign_id_item_id_pk" PRIMARY KEY("campaign_id","item_id")
);
--> statement-breakpoint
CREATE TABLE "ssf_events" (
	"id" text PRIMARY KEY NOT NULL,
	"transmitter_id" text NOT NULL,
	"issuer" text NOT NULL,
	"jti" text NOT NULL,
	"event_types" text[] NOT NULL,
	"subject" jsonb NOT NULL,
	"node_id" text,
	"issued_at" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"outcome" text NOT NULL,
	CONSTRAINT "ssf_events_outcome_check" CHECK ("ssf_events"."outcome" in ('matched', 'no_match'))
);
--> statement-breakpoint
CREATE TABLE "ssf_transmitters" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"issuer" text NOT NULL,
	"audience" text NOT NULL,
	"jwks_url" text,
	"jwks" jsonb,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_event_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaign_notifications" DROP CONSTRAINT "campaign_notifications_kind_check";--> statement-breakpoint
ALTER TABLE "campaigns" DROP CONSTRAINT "campaigns_status_check";--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "origin" text DEFAULT 'manual' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "template_id" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "previous_campaign_id" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "trigger_rule_id" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "trigger_event" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "launch_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "launch_total" integer;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "launch_done" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "launch_error" text;--> statement-breakpoint
ALTER TABLE "campaign_templates" ADD CONSTRAINT "campaign_templates_owner_id_app_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."app_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_trigger_firings" ADD CONSTRAINT "campaign_trigger_firings_rule_id_campaign_trigger_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."campaign_trigger_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_trigger_firings" ADD CONSTRAINT "campaign_trigger_firings_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_trigger_rules" ADD CONSTRAINT "campaign_trigger_rules_fallback_reviewer_id_app_users_id_fk" FOREIGN KEY ("fallback_reviewer_id") REFERENCES "public"."app_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_trigger_rules" ADD CONSTRAINT "campaign_trigger_rules_owner_id_app_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."app_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_notification_id_campaign_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."campaign_notifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_user_id_app_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."app_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_item_scopes" ADD CONSTRAINT "review_item_scopes_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_item_scopes" ADD CONSTRAINT "review_item_scopes_item_id_review_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."review_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ssf_events" ADD CONSTRAINT "ssf_events_transmitter_id_ssf_transmitters_id_fk" FOREIGN KEY ("transmitter_id") REFERENCES "public"."ssf_transmitters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_templates_due_idx" ON "campaign_templates" USING btree ("enabled","next_run_at");--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_trigger_firings_dedupe_key" ON "campaign_trigger_firings" USING btree ("rule_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "campaign_trigger_firings_at_idx" ON "campaign_trigger_firings" USING btree ("at");--> statement-breakpoint
CREATE INDEX "campaign_trigger_rules_kind_idx" ON "campaign_trigger_rules" USING btree ("kind","enabled");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_deliveries_key" ON "notification_deliveries" USING btree ("notification_id","channel","address");--> statement-breakpoint
CREATE INDEX "notification_deliveries_campaign_idx" ON "notification_deliveries" USING btree ("campaign_id","recipient_id");--> statement-breakpoint
CREATE INDEX "notification_deliveries_status_idx" ON "notification_deliveries" USING btree ("status");--> statement-breakpoint
CREATE INDEX "review_item_scopes_item_idx" ON "review_item_scopes" USING btree ("item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ssf_events_jti_key" ON "ssf_events" USING btree ("issuer","jti");--> statement-breakpoint
CREATE INDEX "ssf_events_received_idx" ON "ssf_events" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ssf_transmitters_issuer_key" ON "ssf_transmitters" USING btree ("issuer");--> statement-breakpoint
CREATE INDEX "campaigns_template_idx" ON "campaigns" USING btree ("template_id","created_at");--> statement-breakpoint
ALTER TABLE "campaign_notifications" ADD CONSTRAINT "campaign_notifications_kind_check" CHECK ("campaign_notifications"."kind" in ('digest', 'reminder', 'escalation', 'overdue'));--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_origin_check" CHECK ("campaigns"."origin" in ('manual', 'template', 'trigger'));--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_status_check" CHECK ("campaigns"."status" in ('draft', 'launching', 'active', 'closed', 'signed_off'));