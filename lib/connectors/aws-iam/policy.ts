import { isRecord, isUnsafeKey } from "@/lib/ingest/convert-util";

/**
 * IAM policy documents as data: statements with their effect, actions,
 * resources, principals and conditions, read leniently (a string or a list
 * wherever IAM allows either). Nothing here evaluates a policy; the converter
 * shows what each statement says on the edges it draws.
 */
export interface Principals {
  any: boolean;
  aws: string[];
  service: string[];
  federated: string[];
  canonicalUser: string[];
}

export interface Statement {
  effect: "Allow" | "Deny";
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principals?: Principals;
  notPrincipal: boolean;
  condition?: Record<string, unknown>;
}

export type PolicyRead = { ok: true; statements: Statement[] } | { ok: false; problem: string };

function strings(v: unknown): string[] | undefined {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return undefined;
}

/** A policy document: the object the CLI prints, or its text (URL-encoded as IAM's API sends it, or plain JSON). */
export function parseDocument(doc: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; problem: string } {
  if (isRecord(doc)) return { ok: true, value: doc };
  if (typeof doc !== "string") return { ok: false, problem: "is neither a policy document object nor its text" };
  const readings = [doc];
  try {
    readings.push(decodeURIComponent(doc));
  } catch {
    // not URL-encoded
  }
  for (const text of readings) {
    const t = text.trim();
    if (!t.startsWith("{")) continue;
    try {
      const v: unknown = JSON.parse(t);
      if (isRecord(v)) return { ok: true, value: v };
    } catch {
      // the next reading
    }
  }
  return { ok: false, problem: "is text that is neither JSON nor URL-encoded JSON" };
}

function readPrincipal(v: unknown): Principals | undefined {
  if (v === undefined) return undefined;
  const p: Principals = { any: false, aws: [], service: [], federated: [], canonicalUser: [] };
  if (v === "*") p.any = true;
  else if (isRecord(v)) {
    for (const [k, val] of Object.entries(v)) {
      const list = strings(val) ?? [];
      if (k === "AWS") {
        if (list.includes("*")) p.any = true;
        p.aws.push(...list.filter((x) => x !== "*"));
      } else if (k === "Service") p.service.push(...list);
      else if (k === "Federated") p.federated.push(...list);
      else if (k === "CanonicalUser") p.canonicalUser.push(...list);
    }
  }
  return p;
}

export function readPolicy(doc: unknown): PolicyRead {
  const parsed = parseDocument(doc);
  if (!parsed.ok) return parsed;
  const raw = parsed.value.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const statements: Statement[] = [];
  for (const s of list) {
    if (!isRecord(s)) continue;
    const effect = s.Effect === "Deny" ? "Deny" : s.Effect === "Allow" ? "Allow" : undefined;
    if (!effect) continue;
    const st: Statement = { effect, notPrincipal: s.NotPrincipal !== undefined };
    const actions = strings(s.Action);
    const notActions = strings(s.NotAction);
    const resources = strings(s.Resource);
    const notResources = strings(s.NotResource);
    if (actions) st.actions = actions;
    if (notActions) st.notActions = notActions;
    if (resources) st.resources = resources;
    if (notResources) st.notResources = notResources;
    const principals = readPrincipal(s.Principal ?? s.NotPrincipal);
    if (principals) st.principals = principals;
    if (isRecord(s.Condition) && Object.keys(s.Condition).length > 0) st.condition = safeCondition(s.Condition);
    statements.push(st);
  }
  return { ok: true, statements };
}

const REDACTED_CONDITION_KEY = /externalid/i;
const MAX_CONDITION_CHARS = 4000;

/**
 * A statement's Condition as data for an edge: prototype-reaching keys dropped,
 * sts:ExternalId values replaced (a shared value between two parties, not for
 * a graph), and a very large block reduced to its operators and keys.
 */
export function safeCondition(cond: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [op, block] of Object.entries(cond)) {
    if (isUnsafeKey(op)) continue;
    if (!isRecord(block)) {
      out[op] = block;
      continue;
    }
    const inner: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(block)) {
      if (isUnsafeKey(key)) continue;
      inner[key] = REDACTED_CONDITION_KEY.test(key) ? "(value not kept)" : value;
    }
    out[op] = inner;
  }
  if (JSON.stringify(out).length > MAX_CONDITION_CHARS) {
    return Object.fromEntries(Object.entries(out).map(([op, block]) => [op, { keys: isRecord(block) ? Object.keys(block) : [], valuesNotKept: true }]));
  }
  return out;
}

/** IAM's wildcard match (`*` any run, `?` one character), case-sensitive as IAM's resource match; linear-time two-pointer. */
export function globMatch(pattern: string, text: string, caseInsensitive = false): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const t = caseInsensitive ? text.toLowerCase() : text;
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === "?" || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

export const isPattern = (s: string) => s.includes("*") || s.includes("?");

/** Whether two resource strings can name a common resource (used to show a Deny on the Allow edges it may cut). */
export function resourcesOverlap(a: string, b: string): boolean {
  if (a === b || a === "*" || b === "*") return true;
  return globMatch(a, b) || globMatch(b, a) || (isPattern(a) && isPattern(b));
}

const ASSUME_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"];

/** The actions of a trust statement when they let its principals assume the role (sts:AssumeRole, …WithSAML, …WithWebIdentity, or a wildcard covering one), else none. */
export function trustActions(st: Statement): string[] {
  if (st.actions) return st.actions.some((a) => ASSUME_ACTIONS.some((x) => globMatch(a, x, true))) ? st.actions : [];
  if (st.notActions) return ASSUME_ACTIONS.some((x) => !st.notActions!.some((a) => globMatch(a, x, true))) ? ["(NotAction)"] : [];
  return [];
}
