DROP INDEX "review_items_reviewer_idx";--> statement-breakpoint
DROP INDEX "review_items_campaign_idx";--> statement-breakpoint
ALTER TABLE "campaign_trigger_rules" ADD COLUMN "scanned_to" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "review_items_reviewer_order_idx" ON "review_items" USING btree ("reviewer_id","campaign_id","subject_name","edge_kind","target_name","level","id");--> statement-breakpoint
CREATE INDEX "review_items_campaign_order_idx" ON "review_items" USING btree ("campaign_id","subject_name","edge_kind","target_name","level","id");--> statement-breakpoint
CREATE INDEX "review_items_progress_idx" ON "review_items" USING btree ("campaign_id","reviewer_id","level","decision","outcome");