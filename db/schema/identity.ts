import { relations, sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { ROLES } from "@/lib/authz/roles";
import { nodes } from "./graph";
import { timestamps } from "./columns";

const roleList = sql.raw(ROLES.map((r) => `'${r}'`).join(", "));

/** People who sign in to Attest (not to be confused with `human` nodes in the graph). */
export const appUsers = pgTable(
  "app_users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** scrypt hash; null for users who only sign in through OIDC. */
    passwordHash: text("password_hash"),
    status: text("status", { enum: ["active", "disabled"] })
      .notNull()
      .default("active"),
    /** The graph's human node for this person, so "my items" and separation of duties can be checked. */
    humanNodeId: text("human_node_id").references(() => nodes.id, { onDelete: "set null" }),
    lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
    /** Sessions issued before this instant are void (set on sign-out and when the user is disabled). */
    sessionsValidAfter: timestamp("sessions_valid_after", { withTimezone: true }),
    /** The OIDC identity this user signs in with: the issuer and its `sub` claim, stable where emails are not. */
    oidcIssuer: text("oidc_issuer"),
    oidcSubject: text("oidc_subject"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("app_users_email_key").on(sql`lower(${t.email})`),
    uniqueIndex("app_users_oidc_key").on(t.oidcIssuer, t.oidcSubject),
    check("app_users_oidc_check", sql`(${t.oidcIssuer} is null) = (${t.oidcSubject} is null)`),
    check("app_users_status_check", sql`${t.status} in ('active', 'disabled')`),
  ],
);

export const appUserRoles = pgTable(
  "app_user_roles",
  {
    userId: text("user_id")
      .notNull()
      .references(() => appUsers.id, { onDelete: "cascade" }),
    role: text("role").notNull(),
    grantedAt: timestamp("granted_at", { withTimezone: true }).notNull().defaultNow(),
    grantedBy: text("granted_by"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] }), check("app_user_roles_role_check", sql`${t.role} in (${roleList})`)],
);

/** API tokens, stored as SHA-256 hashes; the clear token is shown once at creation. */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** First characters of the token, to recognise it in lists. */
    prefix: text("prefix").notNull(),
    tokenHash: text("token_hash").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => appUsers.id, { onDelete: "cascade" }),
    /** Roles the token acts with: a subset of its user's roles, re-checked on every use. */
    roles: text("roles").array().notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex("api_tokens_hash_key").on(t.tokenHash), index("api_tokens_user_idx").on(t.userId)],
);

export const appUsersRelations = relations(appUsers, ({ many, one }) => ({
  roles: many(appUserRoles),
  tokens: many(apiTokens),
  human: one(nodes, { fields: [appUsers.humanNodeId], references: [nodes.id] }),
}));
export const appUserRolesRelations = relations(appUserRoles, ({ one }) => ({
  user: one(appUsers, { fields: [appUserRoles.userId], references: [appUsers.id] }),
}));
export const apiTokensRelations = relations(apiTokens, ({ one }) => ({
  user: one(appUsers, { fields: [apiTokens.userId], references: [appUsers.id] }),
}));
