CREATE TABLE "finding_evaluations" (
	"id" text PRIMARY KEY NOT NULL,
	"trigger" text NOT NULL,
	"import_id" text,
	"actor_id" text NOT NULL,
	"graph_version" bigint NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"counts" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "finding_settings" (
	"id" integer PRIMARY KEY NOT NULL,
	"overrides" jsonb NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "finding_tool_definitions" (
	"id" text PRIMARY KEY NOT NULL,
	"tool_id" text NOT NULL,
	"definition_hash" text NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "findings" (
	"id" text PRIMARY KEY NOT NULL,
	"rule" text NOT NULL,
	"key" text NOT NULL,
	"subject_id" text NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_name" text NOT NULL,
	"severity" text NOT NULL,
	"title" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"fingerprint" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"accepted_reason" text,
	"accepted_until" timestamp with time zone,
	"accepted_by" text,
	"accepted_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"reopened_at" timestamp with time zone,
	"reopen_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "findings_rule_check" CHECK ("findings"."rule" in ('hardcoded_secret', 'credential_rotation', 'shared_credential', 'no_active_owner', 'agent_inactive_principal', 'uncertified_risky_tool', 'dual_access_path', 'over_broad_reach', 'tool_definition_changed', 'insecure_mcp_server')),
	CONSTRAINT "findings_severity_check" CHECK ("findings"."severity" in ('critical', 'high', 'medium', 'low')),
	CONSTRAINT "findings_status_check" CHECK ("findings"."status" in ('open', 'accepted', 'resolved')),
	CONSTRAINT "findings_accepted_check" CHECK ("findings"."status" <> 'accepted' or ("findings"."accepted_reason" is not null and "findings"."accepted_until" is not null))
);
--> statement-breakpoint
ALTER TABLE "finding_tool_definitions" ADD CONSTRAINT "finding_tool_definitions_tool_id_nodes_id_fk" FOREIGN KEY ("tool_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_subject_id_nodes_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "finding_evaluations_started_idx" ON "finding_evaluations" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "finding_tool_definitions_tool_idx" ON "finding_tool_definitions" USING btree ("tool_id","first_seen_at");--> statement-breakpoint
CREATE UNIQUE INDEX "findings_rule_key" ON "findings" USING btree ("rule","key");--> statement-breakpoint
CREATE INDEX "findings_status_severity_idx" ON "findings" USING btree ("status","severity");--> statement-breakpoint
CREATE INDEX "findings_subject_idx" ON "findings" USING btree ("subject_id");