CREATE TABLE "graph_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "graph_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"origin" text NOT NULL,
	"ref" text,
	"node_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"edge_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"source_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"full_scope" boolean DEFAULT false NOT NULL,
	"claimed_until" timestamp with time zone,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "graph_changes_pending_idx" ON "graph_changes" USING btree ("id") WHERE "graph_changes"."processed_at" is null;