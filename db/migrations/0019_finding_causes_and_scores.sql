CREATE TABLE "finding_groups" (
	"cause_id" text PRIMARY KEY NOT NULL,
	"cause_kind" text NOT NULL,
	"cause_name" text NOT NULL,
	"rule" text NOT NULL,
	"count" integer NOT NULL,
	"resolves" integer NOT NULL,
	"score" double precision NOT NULL,
	"score_parts" jsonb NOT NULL,
	"top_finding_id" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "cause_id" text;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "cause_kind" text;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "cause_name" text;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "cause_resolves" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "score" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "score_parts" jsonb;--> statement-breakpoint
CREATE INDEX "finding_groups_score_idx" ON "finding_groups" USING btree ("score" DESC NULLS LAST,"cause_id");--> statement-breakpoint
CREATE INDEX "finding_groups_rule_idx" ON "finding_groups" USING btree ("rule");--> statement-breakpoint
CREATE INDEX "findings_open_score_idx" ON "findings" USING btree ("score" DESC NULLS LAST,"id") WHERE "findings"."status" = 'open';--> statement-breakpoint
CREATE INDEX "findings_open_cause_idx" ON "findings" USING btree ("cause_id","score" DESC NULLS LAST) WHERE "findings"."status" = 'open';