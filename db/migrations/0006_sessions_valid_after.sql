-- Sessions issued before this instant are void (sign-out, disabling a user).
-- IF NOT EXISTS: the column is also in the 0005 snapshot, generated while it was being added.
ALTER TABLE "app_users" ADD COLUMN IF NOT EXISTS "sessions_valid_after" timestamp with time zone;
