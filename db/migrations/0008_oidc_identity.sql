-- The OIDC identity (issuer + sub) an app user signs in with; unique, so one IdP account maps to one Attest user.
ALTER TABLE "app_users" ADD COLUMN "oidc_issuer" text;--> statement-breakpoint
ALTER TABLE "app_users" ADD COLUMN "oidc_subject" text;--> statement-breakpoint
CREATE UNIQUE INDEX "app_users_oidc_key" ON "app_users" USING btree ("oidc_issuer","oidc_subject");--> statement-breakpoint
ALTER TABLE "app_users" ADD CONSTRAINT "app_users_oidc_check" CHECK (("app_users"."oidc_issuer" is null) = ("app_users"."oidc_subject" is null));