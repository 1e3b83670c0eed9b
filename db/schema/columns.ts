import { jsonb, timestamp } from "drizzle-orm/pg-core";

/** When the row was written and last changed by Attest. */
export const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

/**
 * What the source said and when: first/last seen by a sync, and the validity
 * period [validFrom, validTo) during which the fact held. validTo null = still true.
 * "As of" questions filter on validFrom <= t AND (validTo IS NULL OR validTo > t).
 */
export const observed = {
  attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default({}),
  firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  validFrom: timestamp("valid_from", { withTimezone: true }).notNull().defaultNow(),
  validTo: timestamp("valid_to", { withTimezone: true }),
};
