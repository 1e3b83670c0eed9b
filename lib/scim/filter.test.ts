import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ScimError } from "./errors";
import { parseFilter, parsePath, type Filter } from "./filter";
import { matchesFilter } from "./filter-match";

/**
 * Conformance against SCIMMY's own filter tables (shared/fixtures/scimmy-fixtures/types/filter.json).
 * SCIMMY represents a parsed filter in disjunctive normal form: an array of
 * branches (or), each an object of attribute → expression (and). toScimmyForm
 * normalises our AST to that form so the two can be compared.
 */
// Copied from the shared fixtures with their provenance (fixtures/*/PROVENANCE.md), so the suite runs on any clone.
const FIXTURES = path.resolve(process.cwd(), "lib", "scim", "fixtures", "scimmy-fixtures", "types", "filter.json");
const table = JSON.parse(readFileSync(FIXTURES, "utf8")) as {
  parse: Record<string, { source: string; target: unknown[] }[]>;
  expression: Record<string, { source: unknown[]; target: string }[]>;
  match: { source: Record<string, unknown>[]; targets: Record<string, { expression: unknown; expected: number[] }[]> };
};

type Literal = { path: string[]; expr: unknown[]; element?: Literal[] };

const scimmyName = (n: string) => n[0]!.toLowerCase() + n.slice(1);

class Unrepresentable extends Error {}

/** Our AST in SCIMMY's normal form: a list of conjunctions of literals. */
function dnf(f: Filter, prefix: string[] = [], negate = false): Literal[][] {
  if (f.type === "not") return dnf(f.filter, prefix, !negate);
  if (f.type === "and" || f.type === "or") {
    const parts = f.filters.map((g) => dnf(g, prefix, negate));
    // De Morgan: a negated "and" distributes like an "or", and vice versa.
    if ((f.type === "or") !== negate) return parts.flat();
    return parts.reduce<Literal[][]>((acc, p) => acc.flatMap((a) => p.map((b) => [...a, ...b])), [[]]);
  }
  const names = [...prefix];
  const expr = [...(negate ? ["not"] : []), f.op, ...(f.op === "pr" || f.op === "exists" ? [] : [f.value])];
  let branches: Literal[][] = [[]];
  const segs = f.path.segments;
  for (const [i, seg] of segs.entries()) {
    names.push(seg.name);
    if (!seg.filter) continue;
    if (negate) throw new Unrepresentable();
    const isLast = i === segs.length - 1;
    if (isLast && f.op !== "exists") {
      // `emails[type eq "work"] pr`: SCIMMY keeps the filter beside the element's own test.
      const inner = dnf(seg.filter, []);
      return branches.flatMap((b) => inner.map((conj) => [...b, { path: [...names], expr, element: conj }]));
    }
    const inner = dnf(seg.filter, [...names]);
    branches = branches.flatMap((b) => inner.map((conj) => [...b, ...conj]));
  }
  if (f.op === "exists") return branches;
  return branches.map((b) => [...b, { path: names, expr }]);
}

function build(conj: Literal[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const lit of conj) {
    let at = out;
    const keys = lit.path.map(scimmyName);
    for (const k of keys.slice(0, -1)) {
      at = (at[k] ??= {}) as Record<string, unknown>;
      if (Array.isArray(at)) throw new Unrepresentable();
    }
    const leaf = keys.at(-1)!;
    if (at[leaf] !== undefined && !Array.isArray(at[leaf])) throw new Unrepresentable();
    const value = lit.element ? [build(lit.element), lit.expr] : lit.expr;
    const prev = at[leaf] as unknown[] | undefined;
    at[leaf] = prev === undefined ? value : Array.isArray(prev[0]) ? [...prev, value] : [prev, value];
  }
  return out;
}

const toScimmyForm = (f: Filter) => dnf(f).map(build);

/** SCIMMY's object form back to our AST, for its match tables. */
function fromScimmy(expr: unknown, prefix: string[] = []): Filter {
  if (Array.isArray(expr)) return { type: "or", filters: expr.map((e) => fromScimmy(e, prefix)) };
  const parts: Filter[] = [];
  for (const [key, v] of Object.entries(expr as Record<string, unknown>)) {
    const arr = v as unknown[];
    if (!Array.isArray(v)) parts.push({ type: "test", path: { segments: [{ name: key, filter: fromScimmy(v) }] }, op: "exists" });
    else if (typeof arr[0] === "object" && !Array.isArray(arr[0])) {
      const inner = test([key], arr[1] as unknown[]) as Filter & { type: "test" };
      parts.push({ ...inner, path: { segments: [{ name: key, filter: fromScimmy(arr[0]) }] } });
    } else if (Array.isArray(arr[0])) parts.push(...arr.map((e) => test([key], e as unknown[])));
    else parts.push(test([key], arr));
  }
  return { type: "and", filters: parts };
}

function test(names: string[], e: unknown[]): Filter {
  const negate = e[0] === "not" || e[0] === "nOt";
  const [op, value] = (negate ? e.slice(1) : e) as [string, string | number | boolean | null];
  const base: Filter =
    op === "np"
      ? { type: "not", filter: { type: "test", path: { segments: names.map((name) => ({ name })) }, op: "pr" } }
      : { type: "test", path: { segments: names.map((name) => ({ name })) }, op: op as "eq", value };
  return negate ? { type: "not", filter: base } : base;
}

/**
 * Where SCIMMY's expected form is not what the filter means, we keep the meaning:
 * - `not (a or b)` is `not a and not b` (De Morgan); SCIMMY's table expands it to `a-branch or b-branch`.
 * - `not x[f].y pr` negates the whole value-path test; SCIMMY negates only the final comparison.
 */
const DEVIATIONS: Record<string, unknown[] | "unrepresentable"> = {
  'userName sw "A" and not (userName ew "Z" or displayName co "Bob")': [
    {
      userName: [
        ["sw", "A"],
        ["not", "ew", "Z"],
      ],
      displayName: ["not", "co", "Bob"],
    },
  ],
  // One branch holding both `emails` (a test) and `emails.value` (a sub-attribute): no object form has both.
  'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")': "unrepresentable",
  'not emails[type eq "work"].value pr': "unrepresentable",
  'not emails[not type eq "work"] co "A"': "unrepresentable",
};

describe("SCIM filter parsing: SCIMMY's parse tables", () => {
  for (const [group, cases] of Object.entries(table.parse)) {
    for (const c of cases) {
      it(`${group}: ${c.source}`, () => {
        const ast = parseFilter(c.source);
        const deviation = DEVIATIONS[c.source];
        if (deviation === "unrepresentable") expect(() => toScimmyForm(ast)).toThrow(Unrepresentable);
        else expect(toScimmyForm(ast)).toEqual(deviation ?? c.target);
      });
    }
  }
});

describe("SCIM filter parsing: SCIMMY's expression tables (its printed filters parse back to the same form)", () => {
  for (const [group, cases] of Object.entries(table.expression)) {
    for (const c of cases) it(`${group}: ${c.target}`, () => expect(toScimmyForm(parseFilter(c.target))).toEqual(c.source));
  }
});

describe("SCIM filter matching: SCIMMY's match tables", () => {
  // SCIMMY's bare matcher compares text case-exactly; the service passes each attribute's caseExact from the schema.
  const exact = { caseExact: () => true };
  for (const [group, cases] of Object.entries(table.match.targets)) {
    if (group === "unknown") continue; // an unknown operator never gets past our parser (see below)
    for (const c of cases) {
      it(`${group}: ${JSON.stringify(c.expression)}`, () => {
        const f = fromScimmy(Array.isArray(c.expression) ? c.expression : [c.expression]);
        const ids = table.match.source.filter((r) => matchesFilter(r, f, exact)).map((r) => r.id);
        expect(ids).toEqual(c.expected);
      });
    }
  }
});

describe("SCIM filter semantics beyond the tables", () => {
  const bjensen = {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    userName: "bjensen",
    name: { familyName: "Jensen" },
    active: true,
    emails: [
      { type: "work", value: "bjensen@example.com" },
      { type: "home", value: "babs@jensen.org" },
    ],
    meta: { lastModified: "2011-05-13T04:42:34.000Z" },
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Tour Operations" },
  };
  const m = (f: string) => matchesFilter(bjensen, parseFilter(f));

  it("compares case-insensitively by default, like the schema's caseExact=false", () => {
    expect(m('userName eq "BJensen"')).toBe(true);
    expect(m('emails[type eq "work"].value ew "EXAMPLE.COM"')).toBe(true);
  });
  it("negates a whole value-path test and a group", () => {
    expect(m('not emails[type eq "work"].value pr')).toBe(false);
    expect(m('not (userName eq "x" or name.familyName eq "jensen")')).toBe(false);
    expect(m('not (userName eq "x" or name.familyName eq "smith")')).toBe(true);
  });
  it("matches value-path elements as one element, dotted paths across elements", () => {
    expect(m('emails[type eq "work" and value ew "jensen.org"]')).toBe(false);
    expect(m('emails.type eq "work" and emails.value ew "jensen.org"')).toBe(true);
  });
  it("reads extension attributes by URN and compares timestamps as instants", () => {
    expect(m('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department sw "tour"')).toBe(true);
    expect(m('meta.lastModified eq "2011-05-13T04:42:34Z"')).toBe(true);
    expect(m('meta.lastModified gt "2011-05-13T04:42:33Z" and meta.lastModified lt "2011-05-14"')).toBe(true);
  });
  it("refuses ordering a boolean (RFC 7644 §3.4.2.2)", () => {
    expect(() => m("active gt true")).toThrow(ScimError);
  });
  it("reads `eq` with no space before the value (RFC 7644's own PATCH example)", () => {
    expect(parsePath('members[value eq"2819c223...919d-413861904646"]').segments[0]!.filter).toMatchObject({ op: "eq", value: "2819c223...919d-413861904646" });
  });
});

describe("SCIM filter errors", () => {
  const invalid = [
    "",
    "   ",
    "userName eq",
    'userName xx "a"',
    'userName eq "a" and',
    'userName eq "a" or or userName eq "b"',
    '(userName eq "a"',
    'userName eq "a")',
    'emails[type eq "work"',
    'emails [type eq "work"]',
    'userName eq "unterminated',
    'userName eq "bad \\x escape"',
    '"userName" eq "a"',
    "userName pr extra",
    'name..givenName eq "x"',
    'userName eq "a" and not',
    "userName eq and",
    "x eq 1 y eq 2",
    "and",
    `${"(".repeat(40)}userName pr${")".repeat(40)}`,
    `userName eq "${"x".repeat(5000)}"`,
  ];
  for (const src of invalid) {
    it(`rejects ${JSON.stringify(src.slice(0, 60))} with invalidFilter`, () => {
      let err: unknown;
      try {
        parseFilter(src);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ScimError);
      expect(err).toMatchObject({ status: 400, scimType: "invalidFilter" });
    });
  }
});
