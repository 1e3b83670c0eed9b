import { z } from "zod";
import { readBundle } from "../bundle";
import type { ConnectorDriver } from "../types";
import { collectOkta, testOkta, type OktaCredential, type OktaSettings } from "./collect";
import { convertOkta, DEFAULT_MAPPING, type OktaMapping } from "./convert";

/**
 * Okta: users, groups and memberships, apps with their user and group
 * assignments (app roles such as the AWS app's samlRoles), and Okta Identity
 * Governance entitlements and grants where the tenant has them.
 * docs/connectors/okta.md has the permissions, calls and model mapping.
 */
export type OktaConnectorSettings = OktaSettings & OktaMapping;

const orgUrl = z
  .string()
  .trim()
  .max(300)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === "https:" && !u.username && !u.password && (u.pathname === "/" || u.pathname === "") && !u.search && !u.hash;
    } catch {
      return false;
    }
  }, "must be the org's https address, such as https://acme.okta.com (no path)");

const pattern = z.string().trim().min(1).max(200);

export const oktaSettingsSchema = z
  .object({
    orgUrl,
    readGovernance: z.boolean().default(true),
    serviceAccountLogins: z.array(pattern).max(100).default([]),
    serviceAccountUserTypes: z.array(pattern).max(100).default([]),
    roleAttributes: z
      .array(
        z
          .string()
          .trim()
          .regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, "must be a profile attribute name"),
      )
      .max(20)
      .default([...DEFAULT_MAPPING.roleAttributes]),
    trustActivatedEmail: z.boolean().default(true),
  })
  .strict();

export const oktaCredentialSchema = z
  .object({
    token: z.string().trim().min(10).max(500).optional(),
    clientId: z.string().trim().min(1).max(200).optional(),
    privateKey: z.string().trim().min(20).max(20_000).optional(),
    keyId: z.string().trim().max(200).optional(),
  })
  .strict()
  .refine((c) => (c.token ? !c.clientId && !c.privateKey : !!c.clientId && !!c.privateKey), {
    message: "give either an API token, or a client id with its private key (not both)",
  });

export const oktaDriver: ConnectorDriver<OktaConnectorSettings, OktaCredential> = {
  kind: "okta",
  label: "Okta",
  format: "okta-api",
  sourceType: "okta",
  settingsSchema: oktaSettingsSchema as unknown as z.ZodType<OktaConnectorSettings>,
  credentialSchema: oktaCredentialSchema as unknown as z.ZodType<OktaCredential>,
  settingsFields: [
    { name: "orgUrl", label: "Org URL", required: true, placeholder: "https://acme.okta.com", help: "Your Okta org's address (or its custom domain)." },
    {
      name: "readGovernance",
      type: "boolean",
      label: "Read Identity Governance",
      help: "Read OIG entitlements and grants (needs okta.governance.entitlements.read); skipped with a warning when the tenant has no OIG.",
    },
    {
      name: "serviceAccountLogins",
      type: "list",
      label: "Service-account logins",
      help: "Login patterns (* = anything) whose users are service accounts, e.g. svc-*@acme.com.",
    },
    { name: "serviceAccountUserTypes", type: "list", label: "Service-account user types", help: "Okta user type ids (oty…) whose users are service accounts." },
    { name: "roleAttributes", type: "list", label: "Role attributes", help: "App-assignment profile attributes holding roles (default samlRoles, role)." },
    {
      name: "trustActivatedEmail",
      type: "boolean",
      label: "Trust e-mail of activated users",
      help: "Treat an activated user's primary e-mail as verified when Okta does not say.",
    },
  ],
  credentialFields: [
    { name: "token", label: "API token (SSWS)", secret: true, help: "A token created by a read-only admin; or leave empty and use an OAuth service app." },
    { name: "clientId", label: "OAuth client id", secret: true, help: "An API Services app with private-key JWT client authentication." },
    { name: "privateKey", label: "Private key (PEM or JWK)", secret: true, multiline: true },
    { name: "keyId", label: "Key id (kid)", secret: true, help: "Optional: the kid of the public key registered on the app." },
  ],
  defaultSettings: { orgUrl: "", readGovernance: true, ...DEFAULT_MAPPING },
  hosts(settings) {
    try {
      const u = new URL(settings.orgUrl);
      return [u.port ? `${u.hostname}:${u.port}` : u.hostname];
    } catch {
      return [];
    }
  },
  test: testOkta,
  collect: collectOkta,
  convert: (bundle, opts) => convertOkta(bundle, opts),
  readOffline: (bytes, maxBytes) => readBundle(bytes, { format: "okta-api", maxBytes }),
};
