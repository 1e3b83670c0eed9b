/**
 * The credentials a server definition holds or points at, and the server's
 * command line with every literal secret redacted. A literal secret becomes a
 * `hard_coded` credential (fingerprint, never the value); a reference to a VS
 * Code password input, an environment variable or a vault becomes a
 * `prompt` / `env` / `vault` credential without a fingerprint (Attest never
 * sees those values).
 */
import { fingerprintSecret } from "@/lib/ingest/fingerprint";
import { findReferences, isPlaceholder, isSecretKeyName, redactSecrets, secretKeyKind, type SecretFinding, type SecretReference } from "@/lib/ingest/secrets/detect";
import { keyWords } from "@/lib/ingest/secrets/key-names";
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
  credentials: CredentialRecord[];
  warnings: string[];
}
export interface ScanContext {
  location: string | undefined;
  inputs: Map<string, InputDecl>;
  inputsPath: Segment[];
}

export const REDACTED = "[REDACTED]";

export function scanServer(server: RawServer, ctx: ScanContext): ServerScan {
  const credentials: CredentialRecord[] = [];
  const warnings: string[] = [];
  const where = (path: Segment[]) => (ctx.location ? `${ctx.location} → ${formatConfigPath(path)}` : formatConfigPath(path));

  /** Records what one value holds; returns the value with its secrets redacted. */
  const inspect = (value: string, key: string | undefined, path: Segment[], idBase: string, label: string): string => {
    const { text, findings } = redactSecrets(value, { key });
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
    return text;
  };

  for (const [k, v] of server.env) inspect(v, k, [...server.path, "env", k], `env/${k}`, `env ${k}`);
  for (const [k, v] of server.headers) inspect(v, k, [...server.path, "headers", k], `headers/${k}`, `header ${k}`);
  const args = server.args.map((a, i) => {
    const c = argumentContext(server.args, i);
    return inspect(a, c.key, [...server.path, "args", i], c.idBase, c.label);
  });
  const url = server.url === null ? null : inspect(server.url, "url", [...server.path, "url"], "url", "url");
  const command = server.command === null ? null : inspect(server.command, undefined, [...server.path, "command"], "command", "command");
  if (server.envFile) warnings.push(`${formatConfigPath([...server.path, "envFile"])}: variables loaded from an env file are not visible to this import`);
  return { command, args, url, credentials, warnings };
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
  return named ? { key: flag, idBase: `args/${named.replace(/^-+/, "")}`, label: `args[${i}] (${named})` } : { key: undefined, idBase: `args/${i}`, label: `args[${i}]` };
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
  return redactSecrets(clipped).findings.length ? null : clipped;
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
