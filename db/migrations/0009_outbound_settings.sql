CREATE TABLE "outbound_settings" (
	"id" integer PRIMARY KEY NOT NULL,
	"allow_hosts" jsonb NOT NULL,
	"allow_private_ranges" jsonb NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
