import type { z } from "zod";
import type { ConnectorKind } from "@/db/schema";
import type { ConversionResult } from "@/lib/ingest/convert-util";
import type { OutboundFetch } from "@/lib/net/outbound";
import type { AnswerBundle, BundleResult } from "./bundle";

export type { ConnectorKind } from "@/db/schema";

/** The offline import format of each connector (`POST /api/v1/imports?format=`). */
export const OFFLINE_FORMATS = ["aws-iam", "entra-graph", "okta-api", "github-rest"] as const;
export type OfflineFormat = (typeof OFFLINE_FORMATS)[number];

/** A field of a connector's form on the admin page (settings are shown back; secret fields never are). */
export interface FieldSpec {
  name: string;
  label: string;
  help?: string;
  required?: boolean;
  /** A secret field is part of the credential: write-only. */
  secret?: boolean;
  multiline?: boolean;
  placeholder?: string;
  /** How the form edits it: text (default), a yes/no checkbox, or a list of strings (one per line). */
  type?: "text" | "boolean" | "list";
}

export interface CollectContext<S, C> {
  settings: S;
  credential: C;
  /**
   * The fetch to give the vendor's SDK: the app's outbound client with the
   * connector's hosts allowed, retrying throttled calls (lib/connectors/http.ts).
   */
  fetch: OutboundFetch;
  /** Where the answers go, keyed by call (the same layout as the offline format). */
  bundle: AnswerBundle;
  signal: AbortSignal;
  /** Tells the admin page what the run is doing ("reading groups: 1,200"). */
  progress(message: string): void;
}

export interface ConvertOptions<S> {
  source: string;
  mode: "full" | "incremental";
  /** The connector's settings; an offline import uses the driver's defaults. */
  settings: S;
}

/**
 * One system identities are pulled from. `collect` reads through the vendor's
 * official SDK into an AnswerBundle; `convert` (pure) turns a bundle into a
 * graph document, the same for a live run and an offline file.
 */
export interface ConnectorDriver<S = unknown, C = unknown> {
  kind: ConnectorKind;
  /** "AWS IAM", "Microsoft Entra ID", ... */
  label: string;
  format: OfflineFormat;
  /** sources.type of the source it writes. */
  sourceType: string;
  settingsSchema: z.ZodType<S>;
  credentialSchema: z.ZodType<C>;
  settingsFields: FieldSpec[];
  credentialFields: FieldSpec[];
  /** Settings an offline import converts with. */
  defaultSettings: S;
  /** Hosts (host-pattern syntax of lib/net/host-patterns.ts) this connector calls with these settings. */
  hosts(settings: S): string[];
  /** "Test connection": one cheap authenticated call; answers what it saw, in words ("account 123456789012"). */
  test(ctx: CollectContext<S, C>): Promise<string>;
  collect(ctx: CollectContext<S, C>): Promise<void>;
  convert(bundle: AnswerBundle, opts: ConvertOptions<S>): ConversionResult;
  /** Reads the offline format's bytes (JSON or zip) into a bundle. */
  readOffline(bytes: Uint8Array, maxBytes: number): BundleResult;
}

// The registry's element type: drivers differ in their settings and credential types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDriver = ConnectorDriver<any, any>;
