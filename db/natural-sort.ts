import { sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/**
 * A sort key that orders names as people read them: "agent 9" before "agent 10",
 * case-insensitively, the same on PostgreSQL and PGlite.
 *
 * Why not an ICU collation with numeric ordering (`und-u-kn-true`)? Neither
 * engine predefines it, and PGlite accepts `CREATE COLLATION … (provider = icu,
 * locale = 'und-u-kn-true')` but still sorts "agent 10" before "agent 9" (its ICU
 * is a stub), so tests on PGlite would not see what production does. Instead,
 * every run of digits is left-padded with zeros to 10 places (prefix ten zeros,
 * then keep the last ten digits of each run; longer runs stay as they are), the
 * result lower-cased and compared byte-wise (`collate "C"`), so both engines agree
 * whatever the database's locale.
 *
 * The expression must stay exactly as it is: the indexes in db/schema/graph.ts
 * are built on it, and a query uses them only when it sorts by the same expression.
 */
export function naturalKey(column: AnyPgColumn | SQL): SQL {
  return sql`(regexp_replace(regexp_replace(lower(${column}), '(\\d+)', '0000000000\\1', 'g'), '0*(\\d{10})', '\\1', 'g') collate "C")`;
}
