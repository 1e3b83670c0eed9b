DROP INDEX "nodes_current_natural_name_idx";--> statement-breakpoint
DROP INDEX "nodes_current_kind_natural_name_idx";--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "name_key" text GENERATED ALWAYS AS (regexp_replace(regexp_replace(lower("name"), '(\d+)', '0000000000\1', 'g'), '0*(\d{10})', '\1', 'g')) STORED;--> statement-breakpoint
CREATE INDEX "nodes_current_name_key_idx" ON "nodes" USING btree ("name_key" collate "C","id") WHERE "nodes"."valid_to" is null;--> statement-breakpoint
CREATE INDEX "nodes_current_kind_name_key_idx" ON "nodes" USING btree ("kind","name_key" collate "C","id") WHERE "nodes"."valid_to" is null;--> statement-breakpoint
CREATE INDEX "findings_open_subject_idx" ON "findings" USING btree ("subject_id","severity") WHERE "findings"."status" = 'open';