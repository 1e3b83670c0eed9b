import { z } from "zod";
import { readBundle } from "../bundle";
import type { ConnectorDriver } from "../types";
import { GRAPH_VERSIONS } from "./calls";
import { collectEntra, testEntra, type EntraCredential, type EntraSettings } from "./collect";
import { convertEntra } from "./convert";

const httpsRoot = (what: string) =>
  z
    .string()
    .trim()
    .url(`${what} must be a URL`)
    // Plain http only for a loopback address (a local proxy, the test fake); the token never crosses a network unencrypted.
    .refine((u) => /^https:\/\//i.test(u) || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\/?$/i.test(u), `${what} must be an https:// URL`)
    .refine((u) => {
      const p = new URL(u);
      return !p.search && !p.hash && !p.username && !p.password && (p.pathname === "/" || p.pathname === "");
    }, `${what} must be the service's root (no path, query or user)`);

export const entraSettingsSchema: z.ZodType<EntraSettings> = z
  .object({
    tenantId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/, "tenantId must be the directory (tenant) id or a verified domain"),
    clientId: z
      .string()
      .trim()
      .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "clientId must be the application (client) id, a GUID"),
    graphBaseUrl: httpsRoot("graphBaseUrl").default("https://graph.microsoft.com/"),
    authorityHost: httpsRoot("authorityHost").default("https://login.microsoftonline.com"),
    readAgentIds: z.boolean().default(true),
    agentIdVersion: z.enum(["v1.0", "beta"]).default("v1.0"),
  })
  .strict();

export const entraCredentialSchema: z.ZodType<EntraCredential> = z.object({ clientSecret: z.string().min(1, "clientSecret is required") }).strict();

/** A URL's host as a host pattern: `host` or `host:port` when the port is not the scheme's default. */
function hostPattern(url: string): string {
  const u = new URL(url);
  return u.port ? `${u.hostname}:${u.port}` : u.hostname;
}

export const entraDriver: ConnectorDriver<EntraSettings, EntraCredential> = {
  kind: "entra",
  label: "Microsoft Entra ID",
  format: "entra-graph",
  sourceType: "entra",
  settingsSchema: entraSettingsSchema,
  credentialSchema: entraCredentialSchema,
  settingsFields: [
    {
      name: "tenantId",
      label: "Directory (tenant) ID",
      required: true,
      placeholder: "00000000-0000-0000-0000-000000000000",
      help: "Or the tenant's verified domain.",
    },
    {
      name: "clientId",
      label: "Application (client) ID",
      required: true,
      help: "The app registration the connector signs in as; grant it the permissions in docs/connectors/entra.md.",
    },
    { name: "graphBaseUrl", label: "Microsoft Graph endpoint", placeholder: "https://graph.microsoft.com/", help: "Change only for a national cloud." },
    { name: "authorityHost", label: "Sign-in authority", placeholder: "https://login.microsoftonline.com", help: "Change only for a national cloud." },
    { name: "readAgentIds", label: "Read Entra Agent ID (agent identities, blueprints, sponsors)" },
    { name: "agentIdVersion", label: "Graph version for Agent ID calls", placeholder: "v1.0" },
  ],
  credentialFields: [
    { name: "clientSecret", label: "Client secret", secret: true, required: true, help: "A client secret of the app registration (its value, not its id)." },
  ],
  defaultSettings: {
    tenantId: "",
    clientId: "",
    graphBaseUrl: "https://graph.microsoft.com/",
    authorityHost: "https://login.microsoftonline.com",
    readAgentIds: true,
    agentIdVersion: "v1.0",
  },
  hosts: (s) => [...new Set([hostPattern(s.graphBaseUrl), hostPattern(s.authorityHost)])],
  test: testEntra,
  collect: collectEntra,
  convert: (bundle, opts) => convertEntra(bundle, { source: opts.source, mode: opts.mode }),
  readOffline: (bytes, maxBytes) => readBundle(bytes, { format: "entra-graph", versionPrefixes: GRAPH_VERSIONS, singleAnswerObjects: true, maxBytes }),
};
