CREATE TABLE "connector_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"connector_id" text NOT NULL,
	"trigger" text NOT NULL,
	"mode" text NOT NULL,
	"status" text NOT NULL,
	"import_id" text,
	"counts" jsonb,
	"error_code" text,
	"error_message" text,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"actor_label" text,
	"instance_id" text,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	CONSTRAINT "connector_runs_status_check" CHECK ("connector_runs"."status" in ('queued', 'running', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "connectors" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"source_name" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"credential" jsonb,
	"credential_set_at" timestamp with time zone,
	"schedule" text,
	"schedule_mode" text DEFAULT 'full' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_scheduled_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connectors_kind_check" CHECK ("connectors"."kind" in ('aws-iam', 'entra', 'okta', 'github'))
);
--> statement-breakpoint
CREATE TABLE "identity_link_overrides" (
	"id" text PRIMARY KEY NOT NULL,
	"person_ref" text NOT NULL,
	"account_ref" text NOT NULL,
	"decision" text NOT NULL,
	"reason" text,
	"actor_label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identity_link_overrides_decision_check" CHECK ("identity_link_overrides"."decision" in ('link', 'never'))
);
--> statement-breakpoint
ALTER TABLE "edges" DROP CONSTRAINT "edges_kind_check";--> statement-breakpoint
ALTER TABLE "connector_runs" ADD CONSTRAINT "connector_runs_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connector_runs_connector_idx" ON "connector_runs" USING btree ("connector_id","queued_at");--> statement-breakpoint
CREATE UNIQUE INDEX "connectors_name_key" ON "connectors" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "connectors_source_name_key" ON "connectors" USING btree ("source_name");--> statement-breakpoint
CREATE UNIQUE INDEX "identity_link_overrides_pair_key" ON "identity_link_overrides" USING btree ("person_ref","account_ref");--> statement-breakpoint
CREATE INDEX "nodes_aws_role_arns_idx" ON "nodes" USING btree ("id") WHERE "nodes"."kind" = 'entitlement' and "nodes"."valid_to" is null and "nodes"."attributes" ? 'awsRoleArns';--> statement-breakpoint
ALTER TABLE "edges" ADD CONSTRAINT "edges_kind_check" CHECK ("edges"."kind" in ('member_of', 'has_entitlement', 'grants', 'connects_to', 'exposes', 'acts_on', 'uses_credential', 'credential_for', 'acts_for', 'owns', 'manages', 'same_as', 'assumes'));