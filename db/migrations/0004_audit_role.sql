-- Custom SQL migration file, put your code below! ---- The application's own database role, attest_app, for PostgreSQL deployments that
-- connect as it (see the README): it may read and write every table but may not
-- UPDATE, DELETE or TRUNCATE audit_events, so the audit log is append-only by
-- grants as well as by the trigger of migration 0001. The migrating role (the
-- tables' owner) keeps every right; connect the app as attest_app, not as it.
-- Roles belong to the whole cluster: the role is created only if absent, and only
-- when the migrating role may create roles (otherwise a NOTICE says what to do).
-- PGlite has roles too but the embedded app always connects as its superuser, so
-- there the trigger is what holds.
DO $$
DECLARE
  may_create boolean;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'attest_app') THEN
    SELECT rolsuper OR rolcreaterole INTO may_create FROM pg_roles WHERE rolname = current_user;
    IF NOT coalesce(may_create, false) THEN
      RAISE NOTICE 'attest: role attest_app is absent and % may not create roles; a DBA can run CREATE ROLE attest_app LOGIN PASSWORD ''...'' and then the grants of migration 0004_audit_role', current_user;
      RETURN;
    END IF;
    BEGIN
      CREATE ROLE attest_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database of this cluster created it at the same moment
    END;
  END IF;

  -- drizzle's migrator runs CREATE SCHEMA/TABLE IF NOT EXISTS at every start, and
  -- PostgreSQL checks the right to create before it checks existence.
  BEGIN
    EXECUTE format('GRANT CONNECT, CREATE ON DATABASE %I TO attest_app', current_database());
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'attest: % may not grant on database %; grant CONNECT, CREATE on it to attest_app', current_user, current_database();
  END;
  IF to_regclass('drizzle.__drizzle_migrations') IS NOT NULL THEN
    GRANT USAGE, CREATE ON SCHEMA drizzle TO attest_app;
    GRANT SELECT ON drizzle.__drizzle_migrations TO attest_app;
  END IF;

  GRANT USAGE ON SCHEMA public TO attest_app;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO attest_app;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO attest_app;
  -- Tables later migrations create get the same rights. A table that must be
  -- append-only like audit_events needs its own REVOKE in its migration.
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO attest_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO attest_app;

  REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events FROM attest_app;
  REVOKE ALL ON audit_events FROM PUBLIC;
  GRANT SELECT, INSERT ON audit_events TO attest_app;
END
$$;
