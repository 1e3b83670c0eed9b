CREATE TABLE "finding_suppressions" (
	"id" text PRIMARY KEY NOT NULL,
	"rule" text,
	"scope_kind" text NOT NULL,
	"node_id" text NOT NULL,
	"reason" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_by" text,
	"revoked_at" timestamp with time zone,
	"matched" integer DEFAULT 0 NOT NULL,
	"applied_at" timestamp with time zone,
	"released_at" timestamp with time zone,
	CONSTRAINT "finding_suppressions_rule_check" CHECK ("finding_suppressions"."rule" is null or "finding_suppressions"."rule" in ('hardcoded_secret', 'credential_rotation', 'shared_credential', 'no_active_owner', 'agent_inactive_principal', 'uncertified_risky_tool', 'dual_access_path', 'over_broad_reach', 'tool_definition_changed', 'insecure_mcp_server')),
	CONSTRAINT "finding_suppressions_scope_check" CHECK ("finding_suppressions"."scope_kind" in ('subject', 'via', 'cause')),
	CONSTRAINT "finding_suppressions_reason_check" CHECK (length("finding_suppressions"."reason") between 1 and 500)
);
--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "suppression_id" text;--> statement-breakpoint
ALTER TABLE "finding_suppressions" ADD CONSTRAINT "finding_suppressions_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "finding_suppressions_active_idx" ON "finding_suppressions" USING btree ("expires_at") WHERE "finding_suppressions"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "finding_suppressions_created_idx" ON "finding_suppressions" USING btree ("created_at" DESC NULLS LAST,"id");--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_suppression_id_finding_suppressions_id_fk" FOREIGN KEY ("suppression_id") REFERENCES "public"."finding_suppressions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "findings_suppression_idx" ON "findings" USING btree ("suppression_id") WHERE "findings"."suppression_id" is not null;