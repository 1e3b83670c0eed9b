import { integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Where the server may send requests (lib/net/outbound.ts), as an admin set it
 * (lib/admin/outbound-settings.ts). One row, id 1; no row means nothing is
 * allowed. ATTEST_OUTBOUND_ALLOW and ATTEST_OUTBOUND_ALLOW_PRIVATE add to it.
 */
export const outboundSettings = pgTable("outbound_settings", {
  id: integer("id").primaryKey(),
  /** Host patterns: `api.example.com`, `*.example.com`, `host:port`, `*`. */
  allowHosts: jsonb("allow_hosts").$type<string[]>().notNull(),
  /** Addresses or CIDR ranges that may be reached although loopback, private or link-local. */
  allowPrivateRanges: jsonb("allow_private_ranges").$type<string[]>().notNull(),
  updatedBy: text("updated_by"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
