import { readBundle } from "../bundle";
import type { ConnectorDriver } from "../types";
import { collectGithub, testGithub } from "./collect";
import { convertGithub } from "./convert";
import { DEFAULT_GITHUB_SETTINGS, githubCredentialSchema, githubSettingsSchema, type GithubCredential, type GithubSettings } from "./settings";

/**
 * GitHub (github.com or GitHub Enterprise Server): an organization's members
 * and owners, teams (nested) and their repositories, direct and outside
 * collaborators, GitHub App installations, fine-grained personal access
 * tokens and Actions secrets' names, read through @octokit/rest.
 * docs/connectors/github.md has the permissions, calls and mapping.
 */
export const githubDriver: ConnectorDriver<GithubSettings, GithubCredential> = {
  kind: "github",
  label: "GitHub",
  format: "github-rest",
  sourceType: "github",
  settingsSchema: githubSettingsSchema,
  credentialSchema: githubCredentialSchema,
  settingsFields: [
    { name: "org", label: "Organization", required: true, placeholder: "acme", help: "The organization's login, as in github.com/<login>." },
    {
      name: "baseUrl",
      label: "API base URL",
      placeholder: "https://api.github.com",
      help: "Leave as is for github.com; GitHub Enterprise Server: https://<host>/api/v3.",
    },
    {
      name: "readCollaborators",
      label: "Read repository collaborators",
      type: "boolean",
      help: "One call per repository: who was given a role on it directly.",
    },
    { name: "readSecrets", label: "Read Actions secret names", type: "boolean", help: "Names and dates only; GitHub never gives values." },
    {
      name: "trustPublicEmail",
      label: "Trust public e-mail",
      type: "boolean",
      help: "Use a member's public profile e-mail for identity linking (GitHub does not verify it for the organization).",
    },
  ],
  credentialFields: [
    { name: "appId", label: "GitHub App id", secret: true, help: "Preferred: a GitHub App installed on the organization (see the permissions to grant)." },
    { name: "installationId", label: "Installation id", secret: true, help: "The number at the end of the installation's settings URL." },
    { name: "privateKey", label: "App private key (PEM)", secret: true, multiline: true, placeholder: "-----BEGIN RSA PRIVATE KEY-----" },
    {
      name: "token",
      label: "Or: personal access token",
      secret: true,
      help: "Instead of an App: a token of an organization owner (fine-grained tokens cannot list other tokens).",
    },
  ],
  defaultSettings: DEFAULT_GITHUB_SETTINGS,
  hosts: (settings) => [new URL(settings.baseUrl).host],
  test: testGithub,
  collect: collectGithub,
  convert: convertGithub,
  readOffline: (bytes, maxBytes) => readBundle(bytes, { format: "github-rest", maxBytes }),
};
