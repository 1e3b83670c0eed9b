/**
 * The one secret scanner every ingestion path uses: secretlint's maintained
 * recommended rule set (vendor token formats, private keys, connection
 * strings) plus our own small additions in ./detect (key-name + entropy,
 * credentials inside URLs and auth headers, vendor formats secretlint lacks),
 * with references and placeholders never counted as secrets.
 *
 * secretlint is asynchronous and has a per-call cost, so values are scanned in
 * batches: joined into one text, linted once, and every reported range mapped
 * back to the value it falls in.
 */
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { findSecrets, type SecretFinding } from "./detect";
import { isPlaceholder } from "./placeholders";
import { containsReference } from "./references";

export interface ScanInput {
  value: string;
  /** The name the value sits under (env var, header, flag, JSON key): lets key-name heuristics apply. */
  key?: string;
}

/** Values are configs and attributes, not files: each is scanned on its first 64 KiB only. */
const MAX_SCAN = 64 * 1024;
/** secretlint is given at most this much text per call; larger batches are split. */
const MAX_BATCH = 1024 * 1024;

const SECRETLINT_CONFIG = { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: recommended }] };

/** What a secretlint rule's message id says the secret is. */
function secretlintType(ruleId: string, messageId: string): string {
  const rule = ruleId.replace(/^@secretlint\/secretlint-rule-/, "");
  if (rule === "privatekey") return "private_key";
  if (rule === "basicauth") return "basic_auth";
  if (rule === "database-connection-string") return "db_password";
  if (/ACCESS_KEY_ID/i.test(messageId)) return "aws_access_key";
  if (/SECRET_ACCESS_KEY/i.test(messageId)) return "aws_secret_key";
  if (rule === "github" || rule === "npm") return /OAUTH/i.test(messageId) ? "oauth_token" : "pat";
  if (rule === "slack" && /WEBHOOK/i.test(messageId)) return "webhook_url";
  return /KEY/i.test(messageId) ? "api_key" : "api_token";
}

/** Every secretlint report in the values, as findings per value (spans within the value). */
async function secretlintFindings(values: readonly string[]): Promise<SecretFinding[][]> {
  const out: SecretFinding[][] = values.map(() => []);
  let i = 0;
  while (i < values.length) {
    // One batch: values joined by newlines; starts[k] is where value i+k begins in the text.
    const starts: number[] = [];
    const parts: string[] = [];
    let length = 0;
    const first = i;
    while (i < values.length && (parts.length === 0 || length + values[i]!.length < MAX_BATCH)) {
      starts.push(length);
      parts.push(values[i]!);
      length += values[i]!.length + 1;
      i++;
    }
    const content = parts.join("\n");
    if (content.trim() === "") continue;
    const result = await lintSource({ source: { content, filePath: "/value.txt", ext: ".txt", contentType: "text" }, options: { config: SECRETLINT_CONFIG } });
    for (const m of result.messages) {
      const [from, to] = m.range;
      // The value holding the start of the range; the span is clipped to that value.
      let k = starts.length - 1;
      while (k > 0 && starts[k]! > from) k--;
      const value = parts[k]!;
      const start = from - starts[k]!;
      const end = Math.min(value.length, to - starts[k]!);
      if (end <= start) continue;
      // secretlint's messages quote the secret: only its rule and message ids are kept.
      out[first + k]!.push({ type: secretlintType(m.ruleId, m.messageId), rule: `secretlint:${m.messageId}`, confidence: "high", start, end });
    }
  }
  return out;
}

/** A secretlint span that is a stand-in, or a local default such as `postgres://postgres:postgres@localhost`. */
function isNoise(value: string, f: SecretFinding): boolean {
  const span = value.slice(f.start, f.end);
  if (containsReference(span) || isPlaceholder(span)) return true;
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^:@/\s]*):([^@/\s]*)@/i.exec(span);
  if (userinfo) {
    const [, user, password] = userinfo as unknown as [string, string, string];
    if (password === user || password === "" || containsReference(password) || isPlaceholder(password)) return true;
  }
  return false;
}

const overlaps = (a: SecretFinding, b: SecretFinding) => a.start < b.end && b.start < a.end;

/**
 * The secrets in each value, in order, spans relative to the value: our own
 * detector's findings, then secretlint's for spans ours did not cover.
 */
export async function scanValues(inputs: readonly ScanInput[]): Promise<SecretFinding[][]> {
  const values = inputs.map((v) => (v.value.length > MAX_SCAN ? v.value.slice(0, MAX_SCAN) : v.value));
  const ours = values.map((v, i) => findSecrets(v, { key: inputs[i]!.key }));
  const theirs = await secretlintFindings(values);
  return values.map((v, i) => {
    const found = [...ours[i]!];
    for (const f of theirs[i]!) {
      if (!isNoise(v, f) && !found.some((g) => overlaps(f, g))) found.push(f);
    }
    return found.sort((a, b) => a.start - b.start);
  });
}

/** The secrets in one value. */
export async function scanValue(value: string, key?: string): Promise<SecretFinding[]> {
  return (await scanValues([{ value, key }]))[0]!;
}
