/**
 * The text of an MCP client config read into one tree (objects as Maps), from
 * whichever syntax the client writes: JSON/JSONC (Claude, Cursor, VS Code, Zed,
 * OpenCode, Gemini CLI), TOML (Codex `config.toml`) or YAML (Continue
 * `config.yaml`). The syntax is told by content, so one `?format=mcp-config`
 * takes all three. Errors name the syntax, a line and a column, and never
 * quote the input (configs hold secrets). A key `__proto__` anywhere is
 * refused, as everywhere else in the API.
 */
import { parse as parseToml, TomlError } from "smol-toml";
import { parseDocument } from "yaml";
import { lineColumn, parseJsonc, type JsonObject, type JsonValue } from "./jsonc";
import { formatConfigPath, type Segment } from "./formats/common";

export type ConfigSyntax = "json" | "toml" | "yaml";
export interface SyntaxError {
  path: string;
  message: string;
}
export type SyntaxResult = { ok: true; value: JsonValue; syntax: ConfigSyntax; warnings: string[] } | { ok: false; error: SyntaxError };

/** YAML anchors may be expanded at most this many times: a "billion laughs" file is refused, not expanded. */
const MAX_YAML_ALIASES = 100;
const MAX_KEYS = 10_000;

/**
 * TOML when the first significant line is a table header (`[mcp_servers.x]`)
 * or `key = value`; YAML when it is `key:` unquoted, `---` or a `- ` list item;
 * JSONC otherwise (it also takes README fragments and `#` comment lines).
 */
export function detectSyntax(text: string): ConfigSyntax {
  for (const raw of text.replace(/^\uFEFF/, "").split(/\r?\n/, 200)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("//")) continue;
    if (/^\[\[?\s*[A-Za-z0-9_"'-][A-Za-z0-9_."' -]*\]\]?\s*(?:#.*)?$/.test(line) && !/^\[\s*"[^"]*"\s*[,\]]/.test(line.replace(/^\[\[/, "["))) return "toml";
    if (/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_"-]+)*\s*=/.test(line)) return "toml";
    if (line === "---" || /^-\s/.test(line) || /^[A-Za-z_][\w.-]*\s*:(?:\s|$)/.test(line)) return "yaml";
    return "json";
  }
  return "json";
}

export function parseConfigText(text: string, maxDepth: number): SyntaxResult {
  const syntax = detectSyntax(text);
  // A byte-order mark is one character at the start: removing it moves no line and no later column.
  if (syntax === "toml") return parseTomlText(text.replace(/^\uFEFF/, ""), maxDepth);
  if (syntax === "yaml") return parseYamlText(text.replace(/^\uFEFF/, ""), maxDepth);
  const parsed = parseJsonc(text, maxDepth);
  if (!parsed.ok) {
    const { line, column, message } = parsed.error;
    return { ok: false, error: { path: `${line}:${column}`, message: `line ${line}, column ${column}: ${message}` } };
  }
  const bad = findProtoKey(parsed.value, [], maxDepth);
  return bad ? { ok: false, error: bad } : { ok: true, value: parsed.value, syntax, warnings: parsed.warnings };
}

function parseTomlText(text: string, maxDepth: number): SyntaxResult {
  let value: unknown;
  try {
    value = parseToml(text, { maxDepth, integersAsBigInt: false, unsafeKeyBehaviour: "keep" });
  } catch (e) {
    // Anything else the library throws (a stack overflow on hostile input) is still bad input, never a 500.
    if (!(e instanceof TomlError)) return { ok: false, error: { path: "(root)", message: "TOML: the document could not be read" } };
    return { ok: false, error: { path: `${e.line}:${e.column}`, message: `TOML, line ${e.line}, column ${e.column}: ${tomlReason(e)}` } };
  }
  return fromPlain(value, "toml", maxDepth);
}

/**
 * smol-toml's message carries a code block of the input after its first line;
 * only the first line's reason is kept, and only when it is one of the
 * library's fixed sentences (a date error may echo the date it failed on).
 */
function tomlReason(e: TomlError): string {
  const first = (e.message.split("\n", 1)[0] ?? "").replace(/^Invalid TOML document:\s*/, "");
  return /^[a-z][a-z ,:'-]{2,80}(?:\. aborting\.)?$/.test(first) ? first : "invalid TOML";
}

const YAML_REASONS: Record<string, string> = {
  BAD_INDENT: "bad indentation",
  BLOCK_AS_IMPLICIT_KEY: "a nested mapping where a single-line key was expected",
  BLOCK_IN_FLOW: "a block collection inside a flow collection ([ ] or { })",
  DUPLICATE_KEY: "duplicate key (keys must be unique)",
  MULTILINE_IMPLICIT_KEY: "a key that spans several lines",
  MISSING_CHAR: "a missing character (an unclosed quote, ] or })",
  TAB_AS_INDENT: "a tab used for indentation",
  TAG_RESOLVE_FAILED: "an unknown tag (custom tags are not accepted)",
  BAD_ALIAS: "an alias to an unknown anchor",
  UNEXPECTED_TOKEN: "unexpected content",
};

function parseYamlText(text: string, maxDepth: number): SyntaxResult {
  // No custom or 1.1 tags (no !!binary, !!js/...), no merge keys, unique keys: plain data only.
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, {
      version: "1.2",
      schema: "core",
      customTags: [],
      resolveKnownTags: false,
      merge: false,
      uniqueKeys: true,
      strict: true,
      prettyErrors: false,
    });
  } catch {
    return { ok: false, error: { path: "(root)", message: "YAML: the document could not be read" } };
  }
  const problem = [...doc.errors, ...doc.warnings.filter((w) => w.code === "TAG_RESOLVE_FAILED")][0];
  if (problem) {
    const { line, column } = lineColumn(text, problem.pos[0]);
    return {
      ok: false,
      error: { path: `${line}:${column}`, message: `YAML, line ${line}, column ${column}: ${YAML_REASONS[problem.code] ?? `invalid YAML (${problem.code})`}` },
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch {
    // The only throw here is the alias count (or an alias cycle): refuse, never expand.
    return { ok: false, error: { path: "(root)", message: `YAML: anchors and aliases expand to more than ${MAX_YAML_ALIASES} copies; refused` } };
  }
  return fromPlain(value, "yaml", maxDepth);
}

/** A TOML/YAML value as the same Map tree JSONC gives, bounded, refusing what is not plain data. */
function fromPlain(root: unknown, syntax: ConfigSyntax, maxDepth: number): SyntaxResult {
  let error: SyntaxError | null = null;
  const label = syntax.toUpperCase();
  const convert = (v: unknown, path: Segment[]): JsonValue => {
    if (error) return null;
    if (path.length > maxDepth) {
      error = { path: formatConfigPath(path) || "(root)", message: `${label}: nesting deeper than ${maxDepth} levels` };
      return null;
    }
    if (v === null || v === undefined) return null;
    if (typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
    if (Array.isArray(v)) return v.map((x, i) => convert(x, [...path, i]));
    if (typeof v === "object" && isPlainRecord(v)) {
      const keys = Object.keys(v);
      if (keys.length > MAX_KEYS) {
        error = { path: formatConfigPath(path) || "(root)", message: `${label}: an object with ${keys.length} keys (at most ${MAX_KEYS})` };
        return null;
      }
      const out: JsonObject = new Map();
      for (const k of keys) {
        if (k === "__proto__") {
          error = { path: formatConfigPath([...path, k]), message: "the key __proto__ is not accepted" };
          return null;
        }
        out.set(k, convert((v as Record<string, unknown>)[k], [...path, k]));
      }
      return out;
    }
    // TOML local dates/times (smol-toml's TomlDate is a Date), bigints or anything else a parser may produce.
    error = { path: formatConfigPath(path) || "(root)", message: `${label}: a value of an unsupported type` };
    return null;
  };
  const value = convert(root, []);
  return error ? { ok: false, error } : { ok: true, value, syntax, warnings: [] };
}

function isPlainRecord(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

/** JSONC keeps `__proto__` as a plain Map key; it is refused all the same, with its path. */
function findProtoKey(root: JsonValue, start: Segment[], maxDepth: number): SyntaxError | null {
  const stack: [JsonValue, Segment[]][] = [[root, start]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (path.length > maxDepth + 1) continue;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, [...path, i]]));
    else if (v instanceof Map) {
      for (const [k, x] of v) {
        if (k === "__proto__") return { path: formatConfigPath([...path, k]), message: "the key __proto__ is not accepted" };
        stack.push([x, [...path, k]]);
      }
    }
  }
  return null;
}
