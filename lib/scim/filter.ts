import { invalidFilter, invalidPath, type ScimError } from "./errors";

/**
 * SCIM filter and attribute-path parsing (RFC 7644 §3.4.2.2, §3.5.2, §3.10).
 *
 * Grammar, lenient where real clients are: operators and attribute names are
 * case-insensitive; `not` may stand before a bare test (`not userName eq "x"`)
 * as well as before a group; a value may be unquoted (`value eq 123abc`, as
 * Okta and SCIMMY's tables send it); a value path may continue with
 * `.sub`, `.sub[...]` (SCIMMY's tables). Precedence: not > and > or.
 */

export type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";
export type FilterValue = string | number | boolean | null;

export interface PathSegment {
  name: string;
  /** A value filter (`emails[type eq "work"]`): only elements matching it are followed. */
  filter?: Filter;
}

export interface AttrPath {
  /** Schema URN prefix (`urn:…:enterprise:2.0:User`), when given. */
  urn?: string;
  /** Attribute then sub-attributes. Empty when the path is only a URN (a PATCH target: the whole extension). */
  segments: PathSegment[];
}

export type Filter =
  | { type: "and"; filters: Filter[] }
  | { type: "or"; filters: Filter[] }
  | { type: "not"; filter: Filter }
  /** `pr`: present; `exists`: a bare value path (`emails[type eq "work"]`), true when some element matches. */
  | { type: "test"; path: AttrPath; op: CompareOp | "pr" | "exists"; value?: FilterValue };

const COMPARE_OPS = new Set(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
const KEYWORDS = new Set([...COMPARE_OPS, "pr", "and", "or", "not", "true", "false", "null"]);
const MAX_LENGTH = 4096;
const MAX_DEPTH = 32;
const NAME_RE = /^(?!\d+$)[A-Za-z0-9_$-]+$/;
const NUMBER_RE = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/** URNs that name a whole schema, so a path made only of one targets that extension. */
const SCHEMA_URN_RE = /^urn:ietf:params:scim:schemas:(?:core|extension:[^:]+):2\.0:[A-Za-z]+$/i;

interface Token {
  kind: "(" | ")" | "[" | "]" | "str" | "word";
  text: string;
  pos: number;
  /** Whitespace precedes the token: `emails[…]` must be written without it. */
  gap: boolean;
}

function tokenize(src: string, fail: (m: string) => ScimError): Token[] {
  const out: Token[] = [];
  let i = 0;
  let gap = false;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      gap = true;
      i++;
      continue;
    }
    const pos = i;
    if (c === "(" || c === ")" || c === "[" || c === "]") {
      out.push({ kind: c, text: c, pos, gap });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
      if (j >= src.length) throw fail(`unterminated string starting at position ${pos + 1}`);
      const raw = src.slice(i, j + 1);
      let text: string;
      try {
        text = JSON.parse(raw) as string;
      } catch {
        throw fail(`invalid string (bad escape) at position ${pos + 1}`);
      }
      out.push({ kind: "str", text, pos, gap });
      i = j + 1;
    } else {
      let j = i;
      while (j < src.length && !/[\s()[\]"]/.test(src[j]!)) j++;
      out.push({ kind: "word", text: src.slice(i, j), pos, gap });
      i = j;
    }
    gap = false;
  }
  return out;
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly fail: (m: string) => ScimError,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  /** A token for an error message: syntax and keywords by name, anything else by kind only (it may be a value). */
  private describe(t: Token | undefined): string {
    if (!t) return "the end";
    const at = `at position ${t.pos + 1}`;
    if (t.kind === "str") return `a string ${at}`;
    if (t.kind !== "word") return `"${t.text}" ${at}`;
    const lower = t.text.toLowerCase();
    return KEYWORDS.has(lower) ? `"${lower}" ${at}` : `a name or value ${at}`;
  }

  private isWord(t: Token | undefined, ...words: string[]): boolean {
    return t?.kind === "word" && words.includes(t.text.toLowerCase());
  }

  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }

  expectEnd(): void {
    if (!this.atEnd()) throw this.fail(`unexpected ${this.describe(this.peek())}`);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw this.fail(`nested more than ${MAX_DEPTH} levels deep`);
  }

  parseOr(): Filter {
    const parts = [this.parseAnd()];
    while (this.isWord(this.peek(), "or")) {
      this.i++;
      parts.push(this.parseAnd());
    }
    return parts.length === 1 ? parts[0]! : { type: "or", filters: parts };
  }

  private parseAnd(): Filter {
    const parts = [this.parseUnary()];
    while (this.isWord(this.peek(), "and")) {
      this.i++;
      parts.push(this.parseUnary());
    }
    return parts.length === 1 ? parts[0]! : { type: "and", filters: parts };
  }

  private parseUnary(): Filter {
    try {
      this.enter();
      const t = this.peek();
      if (t?.kind === "(") {
        this.i++;
        const inner = this.parseOr();
        if (this.peek()?.kind !== ")") throw this.fail(`expected ")" but found ${this.describe(this.peek())}`);
        this.i++;
        return inner;
      }
      if (this.isWord(t, "not")) {
        // "not" is also a legal attribute name (`not sw "A"`): read it as the operator
        // when what follows parses as a term, else as an attribute.
        const at = this.i;
        this.i++;
        try {
          return { type: "not", filter: this.parseUnary() };
        } catch (e) {
          if (!this.tokens[at + 1] || this.tokens[at + 1]!.kind !== "word") throw e;
          this.i = at;
        }
      }
      return this.parseTest();
    } finally {
      this.depth--;
    }
  }

  private parseTest(): Filter {
    const path = this.parsePath();
    const t = this.peek();
    if (t?.kind === "word" && (COMPARE_OPS.has(t.text.toLowerCase()) || t.text.toLowerCase() === "pr")) {
      this.i++;
      const op = t.text.toLowerCase() as CompareOp | "pr";
      if (op === "pr") return { type: "test", path, op };
      return { type: "test", path, op, value: this.parseValue(op) };
    }
    if (path.segments.at(-1)?.filter) return { type: "test", path, op: "exists" };
    throw this.fail(`expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) but found ${this.describe(t)}`);
  }

  private parseValue(op: string): FilterValue {
    const t = this.peek();
    if (t?.kind === "str") {
      this.i++;
      return t.text;
    }
    if (t?.kind !== "word" || this.isWord(t, "and", "or", "not")) throw this.fail(`expected a value after "${op}" but found ${this.describe(t)}`);
    this.i++;
    const lower = t.text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    if (lower === "null") return null;
    if (NUMBER_RE.test(t.text)) return Number(t.text);
    return t.text;
  }

  /** attrPath, then any `[filter]` and `.sub` parts written without spaces. */
  parsePath(): AttrPath {
    const t = this.peek();
    if (t?.kind !== "word") throw this.fail(`expected an attribute name but found ${this.describe(t)}`);
    this.i++;
    const path = this.splitWord(t.text, t.pos);
    for (;;) {
      const next = this.peek();
      if (next?.kind === "[" && !next.gap) {
        const last = path.segments.at(-1);
        if (!last) throw this.fail(`a value filter needs an attribute before "[" at position ${next.pos + 1}`);
        if (last.filter) throw this.fail(`unexpected "[" at position ${next.pos + 1}`);
        this.i++;
        try {
          this.enter();
          last.filter = this.parseOr();
        } finally {
          this.depth--;
        }
        if (this.peek()?.kind !== "]") throw this.fail(`expected "]" but found ${this.describe(this.peek())}`);
        this.i++;
      } else if (next?.kind === "word" && !next.gap && next.text.startsWith(".") && path.segments.at(-1)?.filter) {
        this.i++;
        path.segments.push(...this.names(next.text.slice(1), next.pos + 1));
      } else return path;
    }
  }

  private splitWord(word: string, pos: number): AttrPath {
    if (/^urn:/i.test(word)) {
      if (SCHEMA_URN_RE.test(word)) return { urn: word, segments: [] };
      const colon = word.lastIndexOf(":");
      return { urn: word.slice(0, colon), segments: this.names(word.slice(colon + 1), pos + colon + 1) };
    }
    return { segments: this.names(word, pos) };
  }

  private names(dotted: string, pos: number): PathSegment[] {
    return dotted.split(".").map((name) => {
      if (!NAME_RE.test(name)) throw this.fail(`invalid attribute name at position ${pos + 1}`);
      return { name };
    });
  }
}

function checkLength(src: string, fail: (m: string) => ScimError): void {
  if (!src.trim()) throw fail("is empty");
  if (src.length > MAX_LENGTH) throw fail(`is longer than ${MAX_LENGTH} characters`);
}

/** Parses a `filter` query parameter; anything malformed is a 400 invalidFilter naming where. */
export function parseFilter(src: string): Filter {
  const fail = (m: string) => invalidFilter(`filter ${m}`);
  checkLength(src, fail);
  const p = new Parser(tokenize(src, fail), fail);
  const f = p.parseOr();
  p.expectEnd();
  return f;
}

/** Parses a PATCH `path` (attrPath, or valuePath with an optional sub-attribute); errors are invalidPath. */
export function parsePath(src: string): AttrPath {
  const fail = (m: string) => invalidPath(`path: ${m}`);
  checkLength(src, fail);
  const p = new Parser(tokenize(src, fail), fail);
  const path = p.parsePath();
  p.expectEnd();
  return path;
}

/** Splits at commas outside brackets and strings, so `emails[value eq "a,b"]` stays whole. */
function splitTopLevel(src: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "," && depth === 0) {
      out.push(src.slice(start, i));
      start = i + 1;
    }
  }
  out.push(src.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

/**
 * Parses an `attributes` / `excludedAttributes` list: comma-separated paths. A path
 * may carry a value filter (`emails[type eq "work"]`, `emails[type eq "work"].value`,
 * as Entra ID's reference tests ask), which selects the matching elements.
 */
export function parseAttributeList(src: string, param: string): AttrPath[] {
  return splitTopLevel(src).map((s, i) => {
    try {
      return parsePath(s);
    } catch (e) {
      if (e instanceof Error) throw invalidPath(`${param}[${i}]: ${e.message}`);
      throw e;
    }
  });
}
