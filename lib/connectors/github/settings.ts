import { z } from "zod";

/** GitHub.com's REST API; GitHub Enterprise Server answers at `https://<host>/api/v3`. */
export const GITHUB_API = "https://api.github.com";

/** An organization's login: letters, digits and single hyphens, at most 39 characters. */
const ORG_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

export const githubSettingsSchema = z
  .object({
    /** REST base: https://api.github.com, a GitHub Enterprise Server `https://host/api/v3`, or a test fake. */
    baseUrl: z
      .string()
      .trim()
      .url("baseUrl must be a URL such as https://api.github.com")
      .refine((u) => /^https?:\/\//i.test(u), "baseUrl must be an http(s) URL")
      .default(GITHUB_API),
    /** The organization to read; empty in an offline import (read from the answers' keys). */
    org: z.union([z.literal(""), z.string().trim().regex(ORG_RE, "org must be a GitHub organization login")]).default(""),
    /**
     * Read each repository's direct collaborators (`/repos/{o}/{r}/collaborators?affiliation=direct`): one call
     * per repository. Off: only outside collaborators' org-level list is read, without their repositories.
     */
    readCollaborators: z.boolean().default(true),
    /**
     * Read Actions secrets' names (org and per repository: one call per repository).
     */
    readSecrets: z.boolean().default(true),
    /**
     * Put a member's public profile e-mail into `email`, which identity linking trusts. Off by default: the address
     * is the user's own choice and GitHub does not state it verified (managed user accounts created since August
     * 2024 have unverified addresses by default); it is kept as `publicEmail` either way.
     */
    trustPublicEmail: z.boolean().default(false),
  })
  .strict();
export type GithubSettings = z.infer<typeof githubSettingsSchema>;

/** A GitHub App installation (preferred: least privilege, short-lived tokens) or a personal access token. */
export const githubCredentialSchema = z.preprocess(
  // The admin form sends every field; the ones left empty are not part of the credential.
  (v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== "" && x !== null)) : v),
  z.union([
    z
      .object({
        type: z.literal("app").optional(),
        appId: z
          .union([
            z
              .string()
              .trim()
              .regex(/^\d{1,12}$/, "appId is the App's numeric id"),
            z.number().int().positive(),
          ])
          .transform(String),
        privateKey: z.string().trim().includes("PRIVATE KEY", { message: "privateKey must be the App's PEM private key" }),
        installationId: z
          .union([
            z
              .string()
              .trim()
              .regex(/^\d{1,15}$/, "installationId is the installation's numeric id"),
            z.number().int().positive(),
          ])
          .transform(String),
      })
      .strict(),
    z.object({ type: z.literal("token").optional(), token: z.string().trim().min(1, "token is required") }).strict(),
  ]),
);
export type GithubCredential = z.infer<typeof githubCredentialSchema>;

export const DEFAULT_GITHUB_SETTINGS: GithubSettings = {
  baseUrl: GITHUB_API,
  org: "",
  readCollaborators: true,
  readSecrets: true,
  trustPublicEmail: false,
};
