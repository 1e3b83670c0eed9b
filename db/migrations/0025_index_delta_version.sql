ALTER TABLE "graph_changes" ADD COLUMN "graph_version" bigint;--> statement-breakpoint
CREATE INDEX "graph_changes_version_idx" ON "graph_changes" USING btree ("graph_version");