/**
 * Secret references: values that name where a secret lives instead of holding
 * it. A config that says `${input:github_token}` or `${env:GITHUB_TOKEN}` is the
 * behaviour Attest wants to see, so these must never be reported as secrets.
 */
export type ReferenceKind = "input" | "env" | "template" | "vault";

export interface SecretReference {
  kind: ReferenceKind;
  /** The input id, variable name or vault path the reference points at. */
  name: string;
  start: number;
  end: number;
}

// One alternation per syntax, each bounded so scanning stays linear.
const REFERENCE_RE = new RegExp(
  [
    String.raw`\$\{input:(?<input>[^}\s]{1,200})\}`, // VS Code input prompt
    String.raw`\$\{env:(?<envColon>[A-Za-z_][A-Za-z0-9_]{0,200})\}`, // VS Code / Cursor
    String.raw`(?<!\$)\{env:(?<envBrace>[A-Za-z_][A-Za-z0-9_]{0,200})\}`, // OpenCode {env:NAME}
    String.raw`\$\{\{\s*(?<gha>[^}]{1,200}?)\s*\}\}`, // GitHub Actions ${{ secrets.X }}
    String.raw`\{\{\s*(?<mustache>[^{}]{1,200}?)\s*\}\}`, // {{ secrets.X }}, {{host}}
    String.raw`\$\{(?<braced>[A-Za-z_][A-Za-z0-9_]{0,200})(?::?[-=?+][^}]{0,200})?\}`, // ${FOO}, ${FOO:-x}
    String.raw`\$\((?<paren>[A-Za-z_][A-Za-z0-9_]{0,200})\)`, // Makefile $(FOO)
    String.raw`(?<![A-Za-z0-9%])%(?<percent>[A-Za-z_][A-Za-z0-9_]{0,200})%`, // Windows %FOO%
    // Shell $FOO: upper-case names only, so a literal password such as "$ecretP4ss" stays a password.
    String.raw`\$(?<bare>[A-Z_][A-Z0-9_]{0,200})(?![A-Za-z0-9_])`,
    String.raw`(?<![\w$])\{(?<single>[A-Za-z_][A-Za-z0-9_.-]{0,100})\}`, // templates {username}
    String.raw`(?<vault>op://[^\s"']{1,500}|arn:aws:(?:secretsmanager|ssm):[^\s"']{1,500})`, // 1Password, AWS
  ].join("|"),
  "g",
);

const GROUP_KIND: Record<string, ReferenceKind> = {
  input: "input",
  envColon: "env",
  envBrace: "env",
  braced: "env",
  paren: "env",
  percent: "env",
  bare: "env",
  gha: "template",
  mustache: "template",
  single: "template",
  vault: "vault",
};

/** Every reference inside a value, in order. */
export function findReferences(value: string): SecretReference[] {
  const out: SecretReference[] = [];
  for (const m of value.matchAll(REFERENCE_RE)) {
    const groups = m.groups ?? {};
    for (const [group, kind] of Object.entries(GROUP_KIND)) {
      const name = groups[group];
      if (name !== undefined) {
        out.push({ kind, name, start: m.index, end: m.index + m[0].length });
        break;
      }
    }
  }
  return out;
}

const CONTAINS_RE = new RegExp(REFERENCE_RE.source);
const WHOLE_RE = new RegExp(`(?:${REFERENCE_RE.source})$`, "y");

/** Whether `text` contains any reference syntax; a span holding one is never a literal secret. */
export function containsReference(text: string): boolean {
  return CONTAINS_RE.test(text);
}

const AUTH_SCHEME_RE = /^(?:bearer|basic|token|bot)\s+/i;

/**
 * Whether the whole value is a reference (optionally after an HTTP auth scheme,
 * as in `Bearer ${input:token}`), i.e. the config points at a secret rather
 * than holding one.
 */
export function isSecretReference(value: string): boolean {
  const v = value.trim().replace(AUTH_SCHEME_RE, "");
  WHOLE_RE.lastIndex = 0;
  return v !== "" && WHOLE_RE.test(v);
}
