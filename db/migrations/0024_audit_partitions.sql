-- Custom SQL migration file (hand-written: keep as written).
-- The audit log, partitioned by month on occurred_at (declarative partitioning,
-- PostgreSQL 15 and PGlite alike). The existing table and its rows are moved
-- into the partitioned one in this migration's transaction; seq, id, hashes and
-- the identity sequence's position are kept, so the hash chain continues.
--
-- Copying a long log takes longer than the app's statement_timeout (db/client.ts, 30 s): not for this transaction.
SET LOCAL statement_timeout = 0;
--> statement-breakpoint
-- 1. The generic upkeep of monthly partitions (lib/db/partitions.ts calls it at
--    start and nightly). SECURITY DEFINER: the app may connect as attest_app,
--    which may not create tables; the function only ever creates monthly
--    partitions (and a DEFAULT) of a table range-partitioned on one
--    timestamptz/timestamp/date column.
--    A new partition gets its parent's grants (not the schema's default
--    privileges, which would give attest_app UPDATE and DELETE on it) and
--    copies of its parent's statement-level TRUNCATE triggers (row triggers
--    such as audit_events_no_update are cloned to partitions by PostgreSQL
--    itself; statement triggers are not).
--    Rows that landed in the DEFAULT partition (a month nobody made ahead) are
--    moved into the month's partition when it is created: PostgreSQL refuses
--    to create a partition whose range has rows in DEFAULT, so DEFAULT is
--    detached, the rows re-inserted through the parent (same values, same seq),
--    removed from the detached DEFAULT and DEFAULT attached again, all under
--    the parent's ACCESS EXCLUSIVE lock in one transaction.
CREATE OR REPLACE FUNCTION attest_month_partition(parent regclass, month_start date)
RETURNS TABLE (partition_name text, created boolean, moved bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  nsp text;
  rel text;
  keycol text;
  keytype regtype;
  month date := date_trunc('month', month_start)::date;
  lo text;
  hi text;
  part text;
  def_oid oid;
  def text;
  n bigint := 0;
  cols text;
  acl record;
  trg record;
  owner_oid oid;
BEGIN
  SELECT n.nspname, c.relname, c.relowner INTO nsp, rel, owner_oid
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
  SELECT a.attname, a.atttypid::regtype, p.partdefid INTO keycol, keytype, def_oid
    FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
   WHERE p.partrelid = parent AND p.partstrat = 'r' AND p.partnatts = 1;
  IF keycol IS NULL OR keytype NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) THEN
    RAISE EXCEPTION 'attest_month_partition: % is not range-partitioned on one date or timestamp column', parent;
  END IF;
  -- One upkeep at a time per table (several app instances run the nightly job).
  PERFORM pg_advisory_xact_lock(727276, parent::oid::int);
  SELECT p.partdefid INTO def_oid FROM pg_partitioned_table p WHERE p.partrelid = parent;

  part := format('%s_%s', rel, to_char(month, 'YYYY_MM'));
  lo := to_char(month, 'YYYY-MM-DD') || CASE WHEN keytype = 'timestamptz'::regtype THEN ' 00:00:00+00' ELSE '' END;
  hi := to_char((month + interval '1 month')::date, 'YYYY-MM-DD') || CASE WHEN keytype = 'timestamptz'::regtype THEN ' 00:00:00+00' ELSE '' END;
  partition_name := part;
  created := false;
  moved := 0;
  IF to_regclass(format('%I.%I', nsp, part)) IS NOT NULL THEN
    RETURN NEXT;
    RETURN;
  END IF;

  IF def_oid <> 0 THEN
    def := format('%I.%I', nsp, (SELECT relname FROM pg_class WHERE oid = def_oid));
    EXECUTE format('SELECT count(*) FROM %s WHERE %I >= %L AND %I < %L', def, keycol, lo, keycol, hi) INTO n;
  END IF;
  IF n > 0 THEN
    EXECUTE format('LOCK TABLE %I.%I IN ACCESS EXCLUSIVE MODE', nsp, rel);
    EXECUTE format('ALTER TABLE %I.%I DETACH PARTITION %s', nsp, rel, def);
  END IF;
  EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L)', nsp, part, nsp, rel, lo, hi);
  IF n > 0 THEN
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute a WHERE a.attrelid = parent AND a.attnum > 0 AND NOT a.attisdropped;
    EXECUTE format('INSERT INTO %I.%I (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s WHERE %I >= %L AND %I < %L',
      nsp, rel, cols, cols, def, keycol, lo, keycol, hi);
    -- Detached, DEFAULT no longer carries the parent's cloned row triggers; its own TRUNCATE copy is not involved.
    EXECUTE format('DELETE FROM %s WHERE %I >= %L AND %I < %L', def, keycol, lo, keycol, hi);
    EXECUTE format('ALTER TABLE %I.%I ATTACH PARTITION %s DEFAULT', nsp, rel, def);
  END IF;

  -- Grants: exactly the parent's.
  FOR acl IN SELECT DISTINCT x.grantee FROM pg_class c, aclexplode(c.relacl) x WHERE c.oid = format('%I.%I', nsp, part)::regclass AND x.grantee <> owner_oid LOOP
    EXECUTE format('REVOKE ALL ON %I.%I FROM %s', nsp, part, CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END);
  END LOOP;
  FOR acl IN SELECT x.grantee, x.privilege_type FROM pg_class c, aclexplode(c.relacl) x WHERE c.oid = parent AND x.grantee <> owner_oid LOOP
    EXECUTE format('GRANT %s ON %I.%I TO %s', acl.privilege_type, nsp, part, CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END);
  END LOOP;
  -- Statement-level TRUNCATE triggers: not inherited, so copied.
  FOR trg IN SELECT t.tgname, t.tgfoid::regproc AS fn FROM pg_trigger t
              WHERE t.tgrelid = parent AND NOT t.tgisinternal AND (t.tgtype & 1) = 0 AND (t.tgtype & 32) <> 0 LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I.%I FOR EACH STATEMENT EXECUTE FUNCTION %s()', trg.tgname, nsp, part, trg.fn);
  END LOOP;
  created := true;
  moved := n;
  RETURN NEXT;
END;
$$;
--> statement-breakpoint
-- The DEFAULT partition (safety net) and the months from the current one to
-- months_ahead later, plus every month that has rows in DEFAULT (moved out).
-- Idempotent. Returns the partitions it created and the rows it moved.
CREATE OR REPLACE FUNCTION attest_ensure_month_partitions(parent regclass, months_ahead integer DEFAULT 3, at_time timestamptz DEFAULT now())
RETURNS TABLE (partition_name text, moved bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  nsp text;
  rel text;
  keycol text;
  keytype regtype;
  def_oid oid;
  def text;
  m date;
  r record;
  owner_oid oid;
  acl record;
  trg record;
BEGIN
  IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 120 THEN
    RAISE EXCEPTION 'attest_ensure_month_partitions: months_ahead must be between 0 and 120';
  END IF;
  SELECT n.nspname, c.relname, c.relowner INTO nsp, rel, owner_oid
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
  SELECT a.attname, a.atttypid::regtype, p.partdefid INTO keycol, keytype, def_oid
    FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
   WHERE p.partrelid = parent AND p.partstrat = 'r' AND p.partnatts = 1;
  IF keycol IS NULL OR keytype NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) THEN
    RAISE EXCEPTION 'attest_ensure_month_partitions: % is not range-partitioned on one date or timestamp column', parent;
  END IF;
  PERFORM pg_advisory_xact_lock(727276, parent::oid::int);
  SELECT p.partdefid INTO def_oid FROM pg_partitioned_table p WHERE p.partrelid = parent;
  IF def_oid = 0 THEN
    def := format('%I.%I', nsp, rel || '_default');
    EXECUTE format('CREATE TABLE %s PARTITION OF %I.%I DEFAULT', def, nsp, rel);
    FOR acl IN SELECT DISTINCT x.grantee FROM pg_class c, aclexplode(c.relacl) x WHERE c.oid = def::regclass AND x.grantee <> owner_oid LOOP
      EXECUTE format('REVOKE ALL ON %s FROM %s', def, CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END);
    END LOOP;
    FOR acl IN SELECT x.grantee, x.privilege_type FROM pg_class c, aclexplode(c.relacl) x WHERE c.oid = parent AND x.grantee <> owner_oid LOOP
      EXECUTE format('GRANT %s ON %s TO %s', acl.privilege_type, def, CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END);
    END LOOP;
    FOR trg IN SELECT t.tgname, t.tgfoid::regproc AS fn FROM pg_trigger t
                WHERE t.tgrelid = parent AND NOT t.tgisinternal AND (t.tgtype & 1) = 0 AND (t.tgtype & 32) <> 0 LOOP
      EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()', trg.tgname, def, trg.fn);
    END LOOP;
    partition_name := rel || '_default';
    moved := 0;
    RETURN NEXT;
  ELSE
    def := format('%I.%I', nsp, (SELECT relname FROM pg_class WHERE oid = def_oid));
    -- Months are UTC months.
    FOR m IN EXECUTE format('SELECT DISTINCT date_trunc(''month'', %s)::date FROM %s ORDER BY 1',
        CASE WHEN keytype = 'timestamptz'::regtype THEN format('%I AT TIME ZONE ''UTC''', keycol) ELSE format('%I::timestamp', keycol) END, def) LOOP
      FOR r IN SELECT * FROM public.attest_month_partition(parent, m) LOOP
        IF r.created THEN partition_name := r.partition_name; moved := r.moved; RETURN NEXT; END IF;
      END LOOP;
    END LOOP;
  END IF;
  FOR i IN 0..months_ahead LOOP
    m := (date_trunc('month', at_time AT TIME ZONE 'UTC') + make_interval(months => i))::date;
    FOR r IN SELECT * FROM public.attest_month_partition(parent, m) LOOP
      IF r.created THEN partition_name := r.partition_name; moved := r.moved; RETURN NEXT; END IF;
    END LOOP;
  END LOOP;
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION attest_month_partition(regclass, date) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION attest_ensure_month_partitions(regclass, integer, timestamptz) FROM PUBLIC;
--> statement-breakpoint
-- 2. The existing table steps aside under another name (its indexes and identity sequence too).
LOCK TABLE "audit_events" IN ACCESS EXCLUSIVE MODE;
--> statement-breakpoint
ALTER TABLE "audit_events" RENAME TO "audit_events_unpartitioned";
--> statement-breakpoint
ALTER SEQUENCE "audit_events_seq_seq" RENAME TO "audit_events_unpartitioned_seq_seq";
--> statement-breakpoint
ALTER INDEX "audit_events_pkey" RENAME TO "audit_events_unpartitioned_pkey";
--> statement-breakpoint
ALTER INDEX "audit_events_id_key" RENAME TO "audit_events_unpartitioned_id_key";
--> statement-breakpoint
ALTER INDEX "audit_events_target_idx" RENAME TO "audit_events_unpartitioned_target_idx";
--> statement-breakpoint
ALTER INDEX "audit_events_action_idx" RENAME TO "audit_events_unpartitioned_action_idx";
--> statement-breakpoint
ALTER INDEX "audit_events_actor_idx" RENAME TO "audit_events_unpartitioned_actor_idx";
--> statement-breakpoint
ALTER INDEX "audit_events_occurred_idx" RENAME TO "audit_events_unpartitioned_occurred_idx";
--> statement-breakpoint
-- 3. The partitioned table. Its unique keys must contain the partition key:
-- (seq, occurred_at) and (id, occurred_at); seq (identity) and id (ULID) do not repeat anyway.
CREATE TABLE "audit_events" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1) NOT NULL,
	"id" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_label" text,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"before" jsonb,
	"after" jsonb,
	"request_id" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_events_pkey" PRIMARY KEY("seq","occurred_at")
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_id_key" ON "audit_events" USING btree ("id","occurred_at");
--> statement-breakpoint
CREATE INDEX "audit_events_target_idx" ON "audit_events" USING btree ("target_type","target_id");
--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "audit_events" USING btree ("action");
--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor_id");
--> statement-breakpoint
CREATE INDEX "audit_events_occurred_idx" ON "audit_events" USING btree ("occurred_at");
--> statement-breakpoint
-- 4. Append-only, as migration 0001 made it: the row trigger is cloned onto every
-- partition, present and future; the TRUNCATE trigger is copied by attest_month_partition.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION attest_audit_immutable();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION attest_audit_immutable();
--> statement-breakpoint
-- 5. Grants as migration 0004 set them, before any partition exists (partitions copy them).
REVOKE ALL ON "audit_events" FROM PUBLIC;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'attest_app') THEN
    REVOKE ALL ON "audit_events" FROM attest_app;
    GRANT SELECT, INSERT ON "audit_events" TO attest_app;
    GRANT USAGE, SELECT ON SEQUENCE "audit_events_seq_seq" TO attest_app;
    GRANT EXECUTE ON FUNCTION attest_ensure_month_partitions(regclass, integer, timestamptz) TO attest_app;
  END IF;
END
$$;
--> statement-breakpoint
-- 6. A partition for every month that has events, the current month and three ahead, and DEFAULT.
SELECT attest_month_partition('"audit_events"'::regclass, m)
  FROM (SELECT DISTINCT date_trunc('month', "occurred_at" AT TIME ZONE 'UTC')::date AS m FROM "audit_events_unpartitioned") months;
--> statement-breakpoint
SELECT attest_ensure_month_partitions('"audit_events"'::regclass, 3);
--> statement-breakpoint
-- 7. The rows, as they were (seq kept), and the sequence where it was.
INSERT INTO "audit_events" ("seq", "id", "occurred_at", "actor_type", "actor_id", "actor_label", "action", "target_type", "target_id", "before", "after", "request_id", "prev_hash", "hash") OVERRIDING SYSTEM VALUE
  SELECT "seq", "id", "occurred_at", "actor_type", "actor_id", "actor_label", "action", "target_type", "target_id", "before", "after", "request_id", "prev_hash", "hash" FROM "audit_events_unpartitioned" ORDER BY "seq";
--> statement-breakpoint
SELECT setval('"audit_events_seq_seq"', last_value, is_called) FROM "audit_events_unpartitioned_seq_seq";
--> statement-breakpoint
DO $$
DECLARE
  a bigint;
  b bigint;
BEGIN
  SELECT count(*) INTO a FROM "audit_events_unpartitioned";
  SELECT count(*) INTO b FROM "audit_events";
  IF a <> b THEN
    RAISE EXCEPTION 'audit_events partitioning: % events copied of %', b, a;
  END IF;
END
$$;
--> statement-breakpoint
DROP TABLE "audit_events_unpartitioned";
