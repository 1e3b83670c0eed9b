/**
 * The credentials a server definition holds or points at, and what is stored of
 * its command line, URL, env and headers: built by construction from safe parts
 * only (lib/ingest/secrets/redact-config.ts), never the values as given. A literal secret becomes a
 * `hard_coded` credential (fingerprint, never the value); a reference to a VS
 * Code password input, an environment variable or a vault becomes a
 * `prompt` / `env` / `vault` credential without a fingerprint (Attest never
 * sees those values).
 */
import { fingerprintSecret } from "@/lib/ingest/fingerprint";
import {
  findReferences,
  findSecrets,
  isPlaceholder,
  isSecretKeyName,
  secretKeyKind,
  type SecretFinding,
  type SecretReference,
} from "@/lib/ingest/secrets/detect";
import { keyWords } from "@/lib/ingest/secrets/key-names";
import { redactArgs, redactCommand, redactNamedValue, safePackage } from "@/lib/ingest/secrets/redact-config";
import { scanValues, type ScanInput } from "@/lib/ingest/secrets/scanner";
import { pathTemplate, urlTemplate } from "@/lib/ingest/secrets/url-template";
import { analyzeLaunch, type LaunchInfo } from "./launch";
import { formatConfigPath, type InputDecl, type RawServer, type Segment } from "./shape";

export type CredentialStorage = "hard_coded" | "env" | "prompt" | "vault";
export interface CredentialRecord {
  externalId: string;
  name: string;
  attributes: Record<string, unknown> & { type: string; storage: CredentialStorage; location: string };
}
export interface ServerScan {
  command: string | null;
  args: string[];
  url: string | null;
  /** Env and header names with typed placeholders (or the reference they hold) as values. */
  env: Record<string, string>;
  headers: Record<string, string>;
  cwd: string | null;
  /** What the launcher runs; package and version only when they have a package's shape. */
  launch: LaunchInfo;
  credentials: CredentialRecord[];
  warnings: string[];
}
export interface ScanContext {
  location: string | undefined;
  inputs: Map<string, InputDecl>;
  inputsPath: Segment[];
}

export async function scanServer(server: RawServer, ctx: ScanContext): Promise<ServerScan> {
  const credentials: CredentialRecord[] = [];
  const warnings: string[] = [];
  const where = (path: Segment[]) => (ctx.location ? `${ctx.location} → ${formatConfigPath(path)}` : formatConfigPath(path));

  // Every value of the definition, scanned in one batch (secretlint + our own rules).
  type Item = ScanInput & { path: Segment[]; idBase: string; label: string };
  const items: Item[] = [
    ...server.env.map(([k, v]): Item => ({ value: v, key: k, path: [...server.path, "env", k], idBase: `env/${k}`, label: `env ${k}` })),
    ...server.headers.map(([k, v]): Item => ({ value: v, key: k, path: [...server.path, "headers", k], idBase: `headers/${k}`, label: `header ${k}` })),
    ...server.args.map((a, i): Item => ({ value: a, ...argumentContext(server.args, i), path: [...server.path, "args", i] })),
    ...(server.url === null ? [] : [{ value: server.url, key: "url", path: [...server.path, "url"], idBase: "url", label: "url" }]),
    ...(server.command === null ? [] : [{ value: server.command, key: undefined, path: [...server.path, "command"], idBase: "command", label: "command" }]),
  ];
  const found = await scanValues(items);

  /** Records what one value holds; returns the first secret found in it (its fingerprint names the placeholder). */
  const inspect = (item: Item, findings: SecretFinding[]): string | undefined => {
    const { value, key, path, idBase, label } = item;
    findings.forEach((f, i) => {
      const id = findings.length > 1 ? `${idBase}#${i + 1}` : idBase;
      credentials.push(hardCoded(server.name, id, `${server.name}: ${label}${describeSpan(f, value)}`, f, value, `${where(path)}${spanNote(f, value)}`));
    });
    let referenced = false;
    for (const ref of findReferences(value)) {
      const c = referenceCredential(ref, key, path, ctx, where, warnings);
      if (c) {
        credentials.push(c);
        referenced = true;
      }
    }
    if (findings.length === 0 && !referenced && isSecretKeyName(key) && isPlaceholder(value)) {
      warnings.push(`${formatConfigPath(path)} holds a placeholder, not a credential; nothing recorded`);
    }
    const f = findings[0];
    return f && value.slice(f.start, f.end);
  };
  const secrets = items.map((item, i) => inspect(item, found[i]!));

  const nEnv = server.env.length;
  const nHeaders = server.headers.length;
  const argsAt = nEnv + nHeaders;
  const raw = analyzeLaunch(server.command, server.args);
  const launch: LaunchInfo = { ...raw, ...safePackage(raw.package, raw.packageVersion) };
  const named = (pairs: [string, string][], offset: number) =>
    Object.fromEntries(pairs.map(([k, v], i) => [k, redactNamedValue(v, { key: k, secret: secrets[offset + i] })]));
  const args = redactArgs(server.args, { package: launch.package, packageVersion: launch.packageVersion, secretAt: (i) => secrets[argsAt + i] });
  const url = server.url === null ? null : urlTemplate(server.url);
  const command = server.command === null ? null : redactCommand(server.command);
  if (server.envFile) warnings.push(`${formatConfigPath([...server.path, "envFile"])}: variables loaded from an env file are not visible to this import`);
  return {
    command,
    args,
    url,
    env: named(server.env, 0),
    headers: named(server.headers, nEnv),
    cwd: server.cwd === null ? null : pathTemplate(server.cwd),
    launch,
    credentials,
    warnings,
  };
}

/**
 * How an argument is named: by the flag before it (`--auth-token <value>`), its
 * own flag (`--api-key=<value>`), or the variable docker sets (`-e NAME=<value>`).
 * Names keep credential ids stable when other arguments are added or moved.
 */
function argumentContext(args: readonly string[], i: number): { key: string | undefined; idBase: string; label: string } {
  const a = args[i]!;
  const prev = args[i - 1];
  const flag = !a.startsWith("-") && prev !== undefined && /^-{1,2}[A-Za-z][\w.-]*$/.test(prev) ? prev : undefined;
  if (flag === "-e" || flag === "--env") {
    const name = /^([A-Za-z_]\w{0,199})=/.exec(a)?.[1];
    return name ? { key: flag, idBase: `args/env/${name}`, label: `args[${i}] (env ${name})` } : { key: flag, idBase: `args/${i}`, label: `args[${i}]` };
  }
  const named = flag ?? /^(-{1,2}[A-Za-z][\w.-]*)=/.exec(a)?.[1];
  return named
    ? { key: flag, idBase: `args/${named.replace(/^-+/, "")}`, label: `args[${i}] (${named})` }
    : { key: undefined, idBase: `args/${i}`, label: `args[${i}]` };
}

function hardCoded(server: string, idSuffix: string, name: string, f: SecretFinding, value: string, location: string): CredentialRecord {
  return {
    externalId: `${server}/${idSuffix}`,
    name,
    attributes: {
      type: f.type,
      storage: "hard_coded",
      location,
      fingerprint: fingerprintSecret(value.slice(f.start, f.end)),
      detectedBy: f.rule,
      confidence: f.confidence,
    },
  };
}

function describeSpan(f: SecretFinding, value: string): string {
  if (f.rule === "database-connection-string" || f.rule === "basic-auth-url") return " (password in URL)";
  if (f.rule === "token-in-url-userinfo") return " (token in URL)";
  if (f.rule === "secret-in-url-query") return ` (query parameter ${queryParam(f, value) ?? "?"})`;
  return "";
}

function spanNote(f: SecretFinding, value: string): string {
  const d = describeSpan(f, value);
  return d ? ` ${d.trim()}` : "";
}

function queryParam(f: SecretFinding, value: string): string | undefined {
  return /[?&;]([^?&;=]{1,64})=$/.exec(value.slice(0, f.start))?.[1];
}

function referenceCredential(
  ref: SecretReference,
  key: string | undefined,
  path: Segment[],
  ctx: ScanContext,
  where: (path: Segment[]) => string,
  warnings: string[],
): CredentialRecord | null {
  // Shared credentials (one input, one variable) must not depend on which server mentions them first,
  // so their location names where the secret lives; the uses_credential edges say who uses it.
  if (ref.kind === "input") {
    const decl = ctx.inputs.get(ref.name);
    if (!decl) {
      warnings.push(`${formatConfigPath(path)} references input "${ref.name.slice(0, 60)}", which is not declared in inputs`);
      return null;
    }
    if (!decl.password && !isSecretKeyName(decl.id) && !isSecretKeyName(key)) return null;
    const description = safeDescription(decl.description);
    return {
      externalId: `input/${decl.id}`,
      name: `VS Code input "${decl.id}"${description ? ` (${description})` : ""}`,
      attributes: {
        type: credentialType(key ?? decl.id, description),
        storage: "prompt",
        location: `${where([...ctx.inputsPath, decl.index])} (prompted by the client)`,
        masked: decl.password,
      },
    };
  }
  if (ref.kind === "env" && (isSecretKeyName(key) || isSecretKeyName(ref.name))) {
    return {
      externalId: `env/${ref.name}`,
      name: `environment variable ${ref.name}`,
      attributes: { type: credentialType(isSecretKeyName(key) ? key! : ref.name, null), storage: "env", location: `environment variable ${ref.name}` },
    };
  }
  if (ref.kind === "vault") {
    return {
      externalId: `vault/${ref.name.slice(0, 400)}`,
      name: `secret reference ${ref.name.slice(0, 200)}`,
      attributes: { type: credentialType(key, null), storage: "vault", location: ref.name.slice(0, 400) },
    };
  }
  return null;
}

/** Input descriptions are free text; one that itself holds a secret is dropped rather than copied. */
function safeDescription(d: string | null): string | null {
  if (!d) return null;
  const clipped = d.slice(0, 200);
  return findSecrets(clipped).length ? null : clipped;
}

function credentialType(key: string | undefined, description: string | null): string {
  const words = [...keyWords(key ?? ""), ...keyWords(description ?? "")];
  const has = (w: string) => words.includes(w);
  if (has("PAT") || (has("PERSONAL") && has("ACCESS"))) return "pat";
  if (has("BOT") && has("TOKEN")) return "bot_token";
  if (has("AWS") && has("SECRET")) return "aws_secret_key";
  if (has("AWS") && has("ACCESS")) return "aws_access_key";
  const kind = secretKeyKind(key);
  if (kind === "password") return "password";
  if (kind === "api_key") return "api_key";
  if (kind === "token" || kind === "auth_header") return "token";
  return "secret";
}
