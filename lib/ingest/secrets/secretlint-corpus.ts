/**
 * Test support: scores the value detector against secretlint's labelled
 * snapshots (fixtures/secretlint-snapshots). secretlint scans whole files; the
 * detector judges single config values. So each snapshot file is cut into the
 * values a config could hold — `KEY=value` / `"key": "value"` pairs (with the
 * key as context), whitespace-separated tokens, URLs and PEM blocks — and a
 * reported range counts as found when a detected span overlaps it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { findSecret } from "./detect";
import { isPlaceholder } from "./placeholders";

export interface CorpusMessage {
  messageId: string;
  start: number;
  end: number;
}
export interface CorpusCase {
  /** Rule folder without the `secretlint-rule-` prefix (`github`, `aws`). */
  family: string;
  name: string;
  text: string;
  messages: CorpusMessage[];
  label: "report" | "no-report" | "excluded";
  excludedBecause?: string;
}
export interface Candidate {
  key?: string;
  value: string;
  start: number;
}
export interface Detected {
  start: number;
  end: number;
  rule: string;
}

/** Every case folder (one holding an output.json), skipping the preset folders that repeat the rule folders. */
export function loadSecretlintCorpus(root: string): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const ruleDir of readdirSync(root).sort()) {
    if (!ruleDir.startsWith("secretlint-rule-") || ruleDir.startsWith("secretlint-rule-preset-")) continue;
    walk(path.join(root, ruleDir), (dir) => cases.push(readCase(ruleDir.slice("secretlint-rule-".length), path.relative(path.join(root, ruleDir), dir), dir)));
  }
  return cases;
}

function walk(dir: string, onCase: (dir: string) => void) {
  if (existsSync(path.join(dir, "output.json"))) onCase(dir);
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) walk(p, onCase);
  }
}

function readCase(family: string, name: string, dir: string): CorpusCase {
  const out = JSON.parse(readFileSync(path.join(dir, "output.json"), "utf8")) as {
    filePath: string;
    sourceContent?: string;
    messages: { messageId: string; range: [number, number] }[];
  };
  const text = out.sourceContent ?? "";
  const messages = out.messages.map((m) => ({ messageId: m.messageId, start: m.range[0], end: m.range[1] }));
  const rcPath = path.join(dir, ".secretlintrc.json");
  const rc = existsSync(rcPath) ? readFileSync(rcPath, "utf8") : "";
  const base = { family, name, text, messages };
  if (text === "" || /\.p12$/.test(out.filePath)) return { ...base, label: "excluded", excludedBecause: "binary (PKCS#12) or empty input: not a config value" };
  // Bodies of one repeated character (`sk_live_AAAA…`, `tskey-auth-CCCC…`) are templates by design (./placeholders.ts).
  if (messages.length > 0 && messages.every((m) => isPlaceholder(text.slice(m.start, m.end)))) {
    return { ...base, label: "excluded", excludedBecause: "every reported span is a placeholder (one repeated character): never a secret by design" };
  }
  if (messages.length > 0) return { ...base, label: "report" };
  if (path.basename(name).startsWith("ng."))
    return { ...base, label: "excluded", excludedBecause: "named ng. but secretlint reports nothing (label conflict)" };
  if (/"enableIDScanRule":\s*false/.test(rc) || allowListed(rc, text)) {
    return { ...base, label: "excluded", excludedBecause: "silent only because .secretlintrc.json allow-lists or disables it" };
  }
  return { ...base, label: "no-report" };
}

/** Whether an `allows` entry of the case's rule options (a string or a `/regex/`) matches its text. */
function allowListed(rc: string, text: string): boolean {
  const allows = [...rc.matchAll(/"allows"\s*:\s*(\[[^\]]*\])/g)].flatMap((m) => JSON.parse(m[1]!) as string[]);
  return allows.some((a) => {
    const re = /^\/(.*)\/([a-z]*)$/.exec(a);
    return re ? new RegExp(re[1]!, re[2]).test(text) : text.includes(a);
  });
}

const PEM_BLOCK_RE = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY[A-Z ]{0,10}-----[\s\S]*?(?:-----END[^\n"]*|$)/g;
const URL_RE = /[a-z][a-z0-9+.:-]{1,25}:\/\/[^\s"'<>()\]`]+/gi;
const KEY_VALUE_RE = /^(.*?)\s*(:=|=>|=|:)\s*(.*)$/;

/** The values a config could hold, cut from a text file, with their offsets. */
export function extractCandidates(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.matchAll(PEM_BLOCK_RE)) out.push({ value: m[0], start: m.index });
  let offset = 0;
  for (const line of text.split("\n")) {
    const kv = keyValue(line);
    if (kv) out.push({ ...kv, start: offset + kv.start });
    for (const m of line.matchAll(/\S+/g)) {
      const t = trimToken(m[0]);
      if (t.value) out.push({ value: t.value, start: offset + m.index + t.start });
    }
    for (const m of line.matchAll(URL_RE)) out.push({ value: m[0], start: offset + m.index });
    offset += line.length + 1;
  }
  return out;
}

function keyValue(line: string): Candidate | null {
  const m = KEY_VALUE_RE.exec(line);
  if (!m || !m[3]) return null;
  const key = m[1]!
    .trim()
    .split(/\s+/)
    .pop()!
    .replace(/^["']|["']$/g, "");
  if (!/^[\w.\-/:@$]{1,100}$/.test(key)) return null;
  let value = m[3];
  let start = line.length - m[3].length;
  const trailing = /[\s,;]+$/.exec(value);
  if (trailing) value = value.slice(0, trailing.index);
  const quoted = /^(["'])(.*)\1$/.exec(value);
  if (quoted) {
    value = quoted[2]!;
    start += 1;
  }
  return value ? { key, value, start } : null;
}

function trimToken(token: string): { value: string; start: number } {
  const lead = /^["'([<{`]*/.exec(token)![0].length;
  const trail = /["',;)\]}>.`:!]*$/.exec(token.slice(lead))![0].length;
  return { value: token.slice(lead, token.length - trail), start: lead };
}

/** Every span the detector reports in a case's text, as absolute offsets. */
export function detectInText(text: string): Detected[] {
  const out: Detected[] = [];
  for (const c of extractCandidates(text)) {
    const f = findSecret(c.value, { key: c.key });
    if (f) out.push({ start: c.start + f.start, end: c.start + f.end, rule: f.rule });
  }
  return out;
}

export const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
