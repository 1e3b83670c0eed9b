ALTER TABLE "sources" ADD COLUMN "scim_token_last_used_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "finding_tool_definitions" ADD COLUMN "definition" jsonb;