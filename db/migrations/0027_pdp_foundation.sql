CREATE TABLE "access_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"subject_id" text NOT NULL,
	"acting_for_id" text,
	"tool_id" text NOT NULL,
	"action" text NOT NULL,
	"reason_code" text NOT NULL,
	"justification" text,
	"requested_via" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"approver_id" text,
	"decided_by_id" text,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"grant_expires_at" timestamp with time zone,
	"request_expires_at" timestamp with time zone NOT NULL,
	"graph_version" bigint,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "access_requests_status_check" CHECK ("access_requests"."status" in ('pending', 'approved', 'denied', 'expired', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "decision_log" (
	"id" text PRIMARY KEY NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"request_id" text,
	"client_id" text,
	"subject_id" text,
	"subject_ref" text NOT NULL,
	"acting_for_id" text,
	"action" text NOT NULL,
	"resource_id" text,
	"resource_ref" text NOT NULL,
	"decision" boolean NOT NULL,
	"reason_code" text NOT NULL,
	"graph_version" bigint NOT NULL,
	"pdp_state_version" bigint NOT NULL,
	"weight" integer DEFAULT 1 NOT NULL,
	"batch_audit_id" text,
	"context" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pdp_policies" (
	"version" integer PRIMARY KEY NOT NULL,
	"policy" jsonb NOT NULL,
	"changed_by_id" text,
	"changed_by" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pdp_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pdp_state_single_row" CHECK ("pdp_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "tool_usage" (
	"subject_id" text NOT NULL,
	"tool_id" text NOT NULL,
	"last_used_at" timestamp with time zone NOT NULL,
	"first_used_at" timestamp with time zone NOT NULL,
	"calls" bigint DEFAULT 0 NOT NULL,
	"last_seen_via" text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "access_requests_open_key" ON "access_requests" USING btree ("subject_id","tool_id","action") WHERE "access_requests"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "access_requests_approver_idx" ON "access_requests" USING btree ("approver_id","status","created_at");--> statement-breakpoint
CREATE INDEX "access_requests_grant_idx" ON "access_requests" USING btree ("status","grant_expires_at");--> statement-breakpoint
CREATE INDEX "decision_log_decided_idx" ON "decision_log" USING btree ("decided_at");--> statement-breakpoint
CREATE INDEX "decision_log_subject_idx" ON "decision_log" USING btree ("subject_id","resource_id","decided_at");--> statement-breakpoint
CREATE UNIQUE INDEX "tool_usage_key" ON "tool_usage" USING btree ("subject_id","tool_id");--> statement-breakpoint
CREATE INDEX "tool_usage_tool_idx" ON "tool_usage" USING btree ("tool_id","last_used_at");--> statement-breakpoint
INSERT INTO "pdp_state" ("id", "version") VALUES (1, 0) ON CONFLICT DO NOTHING;
