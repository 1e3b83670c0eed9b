CREATE TABLE "campaign_notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"campaign_id" text NOT NULL,
	"kind" text NOT NULL,
	"recipient_id" text NOT NULL,
	"reviewer_id" text NOT NULL,
	"pending_items" integer NOT NULL,
	"message" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_notifications_kind_check" CHECK ("campaign_notifications"."kind" in ('reminder', 'escalation'))
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"control" text,
	"status" text DEFAULT 'draft' NOT NULL,
	"scope" jsonb NOT NULL,
	"reviewer_strategy" jsonb NOT NULL,
	"fallback_reviewer_id" text,
	"owner_id" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"reminder_days" integer[] DEFAULT '{7,1}'::integer[] NOT NULL,
	"escalate_to" text DEFAULT 'reviewer_manager' NOT NULL,
	"escalate_after_days" integer DEFAULT 0 NOT NULL,
	"second_level" jsonb,
	"revoke_on_no_response" boolean DEFAULT false NOT NULL,
	"launch_graph_version" bigint,
	"launched_at" timestamp with time zone,
	"launched_by" text,
	"closed_at" timestamp with time zone,
	"closed_by" text,
	"signed_off_at" timestamp with time zone,
	"signed_off_by" text,
	"sign_off_statement" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaigns_status_check" CHECK ("campaigns"."status" in ('draft', 'active', 'closed', 'signed_off')),
	CONSTRAINT "campaigns_escalate_to_check" CHECK ("campaigns"."escalate_to" in ('reviewer_manager', 'campaign_owner'))
);
--> statement-breakpoint
CREATE TABLE "remediation_tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"campaign_id" text NOT NULL,
	"item_id" text NOT NULL,
	"reason" text NOT NULL,
	"subject_id" text NOT NULL,
	"subject_name" text NOT NULL,
	"subject_kind" text NOT NULL,
	"edge_kind" text NOT NULL,
	"edge_id" text NOT NULL,
	"source_name" text NOT NULL,
	"target_id" text NOT NULL,
	"target_name" text NOT NULL,
	"target_kind" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"done_at" timestamp with time zone,
	"done_by_id" text,
	"done_by" text,
	"done_note" text,
	"ticket" text,
	"verified_at" timestamp with time zone,
	"verified_import_id" text,
	"verified_via" text,
	"not_effective_at" timestamp with time zone,
	"not_effective_import_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "remediation_tasks_status_check" CHECK ("remediation_tasks"."status" in ('open', 'done', 'verified'))
);
--> statement-breakpoint
CREATE TABLE "review_decisions" (
	"id" text PRIMARY KEY NOT NULL,
	"item_id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"version" integer NOT NULL,
	"kind" text NOT NULL,
	"decision" text,
	"justification" text,
	"from_reviewer_id" text,
	"to_reviewer_id" text,
	"actor_id" text NOT NULL,
	"actor_label" text NOT NULL,
	"request_id" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_decisions_kind_check" CHECK ("review_decisions"."kind" in ('decision', 'delegation'))
);
--> statement-breakpoint
CREATE TABLE "review_items" (
	"id" text PRIMARY KEY NOT NULL,
	"campaign_id" text NOT NULL,
	"level" integer DEFAULT 1 NOT NULL,
	"first_level_item_id" text,
	"subject_id" text NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_name" text NOT NULL,
	"subject_source" text NOT NULL,
	"subject_external_id" text NOT NULL,
	"subject_status" text,
	"edge_id" text NOT NULL,
	"edge_kind" text NOT NULL,
	"edge_source" text NOT NULL,
	"target_id" text NOT NULL,
	"target_kind" text NOT NULL,
	"target_name" text NOT NULL,
	"target_source" text NOT NULL,
	"target_external_id" text NOT NULL,
	"access_first_seen_at" timestamp with time zone NOT NULL,
	"tool_risk" text,
	"risk_reason" text,
	"high_risk" boolean DEFAULT false NOT NULL,
	"context" jsonb NOT NULL,
	"recommendation" text NOT NULL,
	"recommendation_reason" text NOT NULL,
	"reviewer_id" text NOT NULL,
	"reviewer_reason" text NOT NULL,
	"assigned_reviewer_id" text NOT NULL,
	"decision" text,
	"justification" text,
	"decided_by_id" text,
	"decided_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"outcome" text,
	"outcome_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_items_level_check" CHECK ("review_items"."level" in (1, 2)),
	CONSTRAINT "review_items_decision_check" CHECK ("review_items"."decision" is null or "review_items"."decision" in ('approve', 'revoke', 'abstain')),
	CONSTRAINT "review_items_outcome_check" CHECK ("review_items"."outcome" is null or "review_items"."outcome" in ('approve', 'revoke', 'abstain', 'no_response'))
);
--> statement-breakpoint
ALTER TABLE "app_users" ADD COLUMN "sessions_valid_after" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaign_notifications" ADD CONSTRAINT "campaign_notifications_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_notifications" ADD CONSTRAINT "campaign_notifications_recipient_id_app_users_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."app_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_fallback_reviewer_id_app_users_id_fk" FOREIGN KEY ("fallback_reviewer_id") REFERENCES "public"."app_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_owner_id_app_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."app_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remediation_tasks" ADD CONSTRAINT "remediation_tasks_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remediation_tasks" ADD CONSTRAINT "remediation_tasks_item_id_review_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."review_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_decisions" ADD CONSTRAINT "review_decisions_item_id_review_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."review_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_reviewer_id_app_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."app_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_notifications_dedupe_key" ON "campaign_notifications" USING btree ("campaign_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "campaign_notifications_recipient_idx" ON "campaign_notifications" USING btree ("recipient_id","created_at");--> statement-breakpoint
CREATE INDEX "campaigns_status_idx" ON "campaigns" USING btree ("status","due_at");--> statement-breakpoint
CREATE UNIQUE INDEX "remediation_tasks_item_key" ON "remediation_tasks" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "remediation_tasks_status_idx" ON "remediation_tasks" USING btree ("status","source_name");--> statement-breakpoint
CREATE INDEX "remediation_tasks_campaign_idx" ON "remediation_tasks" USING btree ("campaign_id");--> statement-breakpoint
CREATE UNIQUE INDEX "review_decisions_item_version_key" ON "review_decisions" USING btree ("item_id","version");--> statement-breakpoint
CREATE INDEX "review_decisions_campaign_idx" ON "review_decisions" USING btree ("campaign_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_access_key" ON "review_items" USING btree ("campaign_id","level","subject_id","edge_kind","target_id");--> statement-breakpoint
CREATE INDEX "review_items_reviewer_idx" ON "review_items" USING btree ("reviewer_id","campaign_id");--> statement-breakpoint
CREATE INDEX "review_items_campaign_idx" ON "review_items" USING btree ("campaign_id","subject_name");--> statement-breakpoint
CREATE INDEX "review_items_access_idx" ON "review_items" USING btree ("subject_id","edge_kind","target_id");--> statement-breakpoint
-- Decision history is append-only, like the audit log: a changed decision is a new row, never an edit.
CREATE OR REPLACE FUNCTION attest_review_decisions_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'review_decisions is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER review_decisions_no_update BEFORE UPDATE OR DELETE ON "review_decisions"
  FOR EACH ROW EXECUTE FUNCTION attest_review_decisions_immutable();
