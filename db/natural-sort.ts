import { sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/**
 * Sort keys that order names as people read them: "agent 9" before "agent 10",
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
 * Nodes store theirs (`nodes.name_key`, generated from this expression): two
 * regular-expression passes per row cost ~0.5 s over the 100k nodes of an M
 * organisation, paid on every sort that breaks ties by name.
 */
export const naturalKeyText = (column: AnyPgColumn | SQL): SQL =>
  sql`regexp_replace(regexp_replace(lower(${column}), '(\\d+)', '0000000000\\1', 'g'), '0*(\\d{10})', '\\1', 'g')`;

/** The key of any name, ready to compare (small sets: owner names, a server's tools). */
export const naturalKey = (column: AnyPgColumn | SQL): SQL => sql`(${naturalKeyText(column)} collate "C")`;

/** A node's stored key, ready to compare; `alias` is the nodes table's alias in the query. The indexes are on this expression. */
export const nodeNameKey = (alias: string): SQL => sql`(${sql.raw(`"${alias}"."name_key"`)} collate "C")`;
