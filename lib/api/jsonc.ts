/**
 * A bounded JSONC reader for configs pasted from READMEs: JSON plus `//` and
 * `/* *\/` comments, trailing commas, `#` comment lines, and a bare member list
 * (`"mcpServers": { ... }` without the outer braces). Objects become Maps, so a
 * key such as `__proto__` or `constructor` stays plain data. Errors carry a
 * line and column and never quote input beyond one character (inputs hold
 * secrets).
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export interface JsoncError {
  line: number;
  column: number;
  message: string;
}
export type JsoncResult = { ok: true; value: JsonValue; warnings: string[] } | { ok: false; error: JsoncError };

class ParseFailure {
  constructor(
    readonly pos: number,
    readonly message: string,
  ) {}
}

const MAX_WARNINGS = 50;
const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

export function parseJsonc(text: string, maxDepth: number): JsoncResult {
  const p = new Reader(text, maxDepth);
  try {
    return { ok: true, value: p.document(), warnings: p.warnings };
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    return { ok: false, error: { ...lineColumn(text, e.pos), message: e.message } };
  }
}

export function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < pos; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: pos - lineStart + 1 };
}

class Reader {
  pos = 0;
  readonly warnings: string[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  document(): JsonValue {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.trivia();
    if (this.pos >= this.text.length) this.fail("the input is empty: expected a JSON object");
    const start = this.pos;
    let value: JsonValue;
    const bare = this.peek() === '"' && this.startsBareMember();
    this.pos = start;
    if (bare) {
      value = this.members(1, null);
      this.warn(start, 'the input is a bare member list ("key": value without the enclosing { }); read as an object');
    } else {
      value = this.value(1);
    }
    this.trivia();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describe()} after the end of the JSON value`);
    return value;
  }

  private startsBareMember(): boolean {
    this.string();
    this.trivia();
    return this.peek() === ":";
  }

  private value(depth: number): JsonValue {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
    const c = this.peek();
    if (c === "{") {
      this.pos++;
      return this.members(depth, "}");
    }
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    if (c === "'") this.fail("strings must use double quotes");
    return this.fail(`expected a value, found ${this.describe()}`);
  }

  /** Members up to `close` ("}"), or to the end of input for a bare member list (close null). */
  private members(depth: number, close: "}" | null): JsonObject {
    const obj: JsonObject = new Map();
    this.trivia();
    while (!(close === null ? this.pos >= this.text.length : this.peek() === close)) {
      if (this.pos >= this.text.length) this.fail("unterminated object: expected '}'");
      if (this.peek() !== '"') this.fail(`expected a double-quoted property name${close ? " or '}'" : ""}, found ${this.describe()}`);
      const keyPos = this.pos;
      const key = this.string();
      this.trivia();
      if (this.peek() !== ":") this.fail(`expected ':' after a property name, found ${this.describe()}`);
      this.pos++;
      this.trivia();
      const v = this.value(depth + 1);
      if (obj.has(key)) this.warn(keyPos, `duplicate key "${key.slice(0, 60)}": the last one is used`);
      obj.set(key, v);
      this.trivia();
      if (this.peek() === ",") {
        this.pos++;
        this.trivia();
      } else if (close !== null && this.pos >= this.text.length) {
        this.fail("unterminated object: expected ',' or '}'");
      } else if (!(close === null ? this.pos >= this.text.length : this.peek() === close)) {
        this.fail(`expected ',' or '${close ?? "end of input"}' after a property value, found ${this.describe()}`);
      }
    }
    if (close !== null) this.pos++;
    return obj;
  }

  private array(depth: number): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.trivia();
    while (this.peek() !== "]") {
      if (this.pos >= this.text.length) this.fail("unterminated array: expected ']'");
      out.push(this.value(depth + 1));
      this.trivia();
      if (this.peek() === ",") {
        this.pos++;
        this.trivia();
      } else if (this.pos >= this.text.length) {
        this.fail("unterminated array: expected ',' or ']'");
      } else if (this.peek() !== "]") {
        this.fail(`expected ',' or ']' after an array element, found ${this.describe()}`);
      }
    }
    this.pos++;
    return out;
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    let out = "";
    let chunk = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) this.fail("unterminated string", start);
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) break;
      if (code < 0x20) this.fail("control character (such as a raw line break) inside a string");
      if (code === 0x5c) {
        out += this.text.slice(chunk, this.pos);
        out += this.escape();
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
    out += this.text.slice(chunk, this.pos);
    this.pos++;
    return out;
  }

  private escape(): string {
    const c = this.text[this.pos + 1];
    if (c === "u") {
      const hex = this.text.slice(this.pos + 2, this.pos + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid \\u escape: expected four hex digits");
      this.pos += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    const mapped = c === undefined ? undefined : ESCAPES[c];
    if (mapped === undefined) this.fail("invalid escape sequence in a string");
    this.pos += 2;
    return mapped;
  }

  private number(): number {
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.text);
    if (!m) this.fail(`invalid number, found ${this.describe()}`);
    this.pos += m[0].length;
    return Number(m[0]);
  }

  /** Whitespace and comments; `#` counts as a comment only as the first thing on a line. */
  private trivia(): void {
    for (;;) {
      const c = this.peek();
      if (c === " " || c === "\t" || c === "\n" || c === "\r") {
        this.pos++;
      } else if (c === "/" && this.text[this.pos + 1] === "/") {
        this.skipLine();
      } else if (c === "/" && this.text[this.pos + 1] === "*") {
        const end = this.text.indexOf("*/", this.pos + 2);
        if (end === -1) this.fail("unterminated /* comment");
        this.pos = end + 2;
      } else if (c === "#" && this.atLineStart()) {
        this.warn(this.pos, "'#' comment line ignored (not JSON)");
        this.skipLine();
      } else {
        return;
      }
    }
  }

  private atLineStart(): boolean {
    let i = this.pos - 1;
    while (i >= 0 && (this.text[i] === " " || this.text[i] === "\t")) i--;
    return i < 0 || this.text[i] === "\n" || this.text[i] === "\r";
  }

  private skipLine(): void {
    const nl = this.text.indexOf("\n", this.pos);
    this.pos = nl === -1 ? this.text.length : nl;
  }

  private peek(): string {
    return this.text[this.pos] ?? "";
  }

  private describe(): string {
    if (this.pos >= this.text.length) return "end of input";
    const c = this.text[this.pos]!;
    return /[\x21-\x7e]/.test(c) ? `'${c}'` : `character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  }

  private warn(pos: number, message: string): void {
    // Bounded: each warning costs a scan for its line number.
    if (this.warnings.length === MAX_WARNINGS) this.warnings.push("further warnings omitted");
    if (this.warnings.length > MAX_WARNINGS) return;
    const { line, column } = lineColumn(this.text, pos);
    this.warnings.push(`line ${line}:${column}: ${message}`);
  }

  private fail(message: string, pos = this.pos): never {
    throw new ParseFailure(pos, message);
  }
}
