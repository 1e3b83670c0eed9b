CREATE TABLE "graph_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" text PRIMARY KEY NOT NULL,
	"source_name" text,
	"format" text NOT NULL,
	"mode" text NOT NULL,
	"status" text NOT NULL,
	"allow_partial" boolean DEFAULT false NOT NULL,
	"file_name" text,
	"bytes" bigint,
	"records_total" integer DEFAULT 0 NOT NULL,
	"records_accepted" integer DEFAULT 0 NOT NULL,
	"records_rejected" integer DEFAULT 0 NOT NULL,
	"counts" jsonb,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_label" text,
	"started_at" timestamp with time zone NOT NULL,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	CONSTRAINT "imports_status_check" CHECK ("imports"."status" in ('running', 'succeeded', 'rejected', 'failed')),
	CONSTRAINT "imports_mode_check" CHECK ("imports"."mode" in ('full', 'incremental'))
);
--> statement-breakpoint
CREATE INDEX "imports_started_idx" ON "imports" USING btree ("started_at");--> statement-breakpoint
INSERT INTO "graph_state" ("id", "version") VALUES (1, 0) ON CONFLICT DO NOTHING;
