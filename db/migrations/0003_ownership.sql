CREATE TABLE "ownership_coverage_daily" (
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"total" integer NOT NULL,
	"owned" integer NOT NULL,
	"business_and_technical" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ownership_coverage_daily_day_kind_source_pk" PRIMARY KEY("day","kind","source")
);
--> statement-breakpoint
CREATE TABLE "ownership_reassignments" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"node_id" text NOT NULL,
	"edge_id" text NOT NULL,
	"former_owner_id" text NOT NULL,
	"role" text,
	"reason" text NOT NULL,
	"suggested_owner_id" text,
	"suggestion_reason" text,
	"status" text DEFAULT 'open' NOT NULL,
	"resolved_owner_id" text,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ownership_reassignments_kind_check" CHECK ("ownership_reassignments"."kind" in ('owner_departed', 'owner_group_empty', 'agent_principal_departed')),
	CONSTRAINT "ownership_reassignments_status_check" CHECK ("ownership_reassignments"."status" in ('open', 'reassigned', 'dismissed'))
);
--> statement-breakpoint
ALTER TABLE "ownership_reassignments" ADD CONSTRAINT "ownership_reassignments_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ownership_reassignments" ADD CONSTRAINT "ownership_reassignments_edge_id_edges_id_fk" FOREIGN KEY ("edge_id") REFERENCES "public"."edges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ownership_reassignments" ADD CONSTRAINT "ownership_reassignments_former_owner_id_nodes_id_fk" FOREIGN KEY ("former_owner_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ownership_reassignments" ADD CONSTRAINT "ownership_reassignments_suggested_owner_id_nodes_id_fk" FOREIGN KEY ("suggested_owner_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ownership_reassignments" ADD CONSTRAINT "ownership_reassignments_resolved_owner_id_nodes_id_fk" FOREIGN KEY ("resolved_owner_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ownership_reassignments_open_edge_key" ON "ownership_reassignments" USING btree ("edge_id") WHERE "ownership_reassignments"."status" = 'open';--> statement-breakpoint
CREATE INDEX "ownership_reassignments_status_idx" ON "ownership_reassignments" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "ownership_reassignments_node_idx" ON "ownership_reassignments" USING btree ("node_id");--> statement-breakpoint
CREATE INDEX "ownership_reassignments_former_idx" ON "ownership_reassignments" USING btree ("former_owner_id");--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "audit_events_occurred_idx" ON "audit_events" USING btree ("occurred_at");
