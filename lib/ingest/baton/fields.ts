import type { NodeKind } from "@/lib/graph/model";
import { ErrorList, isRecord, own } from "@/lib/ingest/convert-util";

/**
 * Field readers and kind/status rules for the Baton file-connector template
 * (baton-file `templates/template.json`, docs/json_instructions.md).
 */

const MAX_EXTERNAL_ID = 512;

/** A top-level section: absent means empty (the connector allows that), anything but an array is an error. */
export function section(input: Record<string, unknown>, key: string, errors: ErrorList): unknown[] {
  const v = own(input, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    errors.add(key, `${key} must be an array of objects`);
    return [];
  }
  return v;
}

/** Required identifier fields: non-empty text that fits an Attest externalId. */
export function requiredText(obj: Record<string, unknown>, key: string, path: string, errors: ErrorList): string | undefined {
  const v = own(obj, key);
  const t = typeof v === "string" ? v.trim() : typeof v === "number" && Number.isFinite(v) ? String(v) : "";
  if (!t) errors.add(`${path}.${key}`, `${key} is required (a non-empty string)`);
  else if (t.length > MAX_EXTERNAL_ID) errors.add(`${path}.${key}`, `${key} is longer than ${MAX_EXTERNAL_ID} characters`);
  else return t;
  return undefined;
}

/** Optional scalar fields; numbers and booleans are accepted because spreadsheet exports produce them. */
export function optionalText(obj: Record<string, unknown>, key: string, path: string, errors: ErrorList): string | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v.trim() || undefined;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  errors.add(`${path}.${key}`, `${key} must be a string`);
  return undefined;
}

export function optionalObject(obj: Record<string, unknown>, key: string, path: string, errors: ErrorList): Record<string, unknown> | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  if (isRecord(v)) return v;
  errors.add(`${path}.${key}`, `${key} must be an object`);
  return undefined;
}

const words = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/**
 * User `type` → Attest kind. Baton documents human/user/person (the default)
 * and service/system/bot/machine; `agent` is accepted because Attest governs
 * AI agents and a file author may flag them. Unknown types stay human (Baton's
 * own default) and the caller warns.
 */
const HUMAN_TYPES = new Set(["", "human", "user", "person", "employee", "contractor"]);
const SERVICE_TYPES = new Set(["service", "system", "bot", "machine", "application", "app", "workload", "service_account", "serviceaccount"]);
export function userKind(type: string | undefined): { kind: NodeKind; known: boolean } {
  const t = (type ?? "").toLowerCase();
  if (HUMAN_TYPES.has(t)) return { kind: "human", known: true };
  if (SERVICE_TYPES.has(t)) return { kind: "service_account", known: true };
  if (t === "agent" || t === "ai_agent") return { kind: "agent", known: true };
  return { kind: "human", known: false };
}

/**
 * User `status` → Attest `status`. Baton describes the account, not the
 * employment: only an explicit terminated/deleted/deprovisioned marks a human
 * `terminated` (which drives "acts for a terminated human" findings); disabled,
 * inactive, suspended and locked mark it `inactive`. Non-humans are `active` or
 * `inactive`. Missing or empty means enabled, Baton's default.
 */
const ACTIVE = new Set(["", "enabled", "active"]);
const INACTIVE = new Set(["inactive", "disabled", "suspended", "locked", "deactivated"]);
const TERMINATED = new Set(["terminated", "deleted", "deprovisioned", "removed"]);
export function userStatus(kind: NodeKind, raw: string | undefined): "active" | "inactive" | "terminated" | null {
  const s = (raw ?? "").toLowerCase();
  if (ACTIVE.has(s)) return "active";
  if (INACTIVE.has(s)) return "inactive";
  if (TERMINATED.has(s)) return kind === "human" ? "terminated" : "inactive";
  return null;
}

/**
 * Resource → Attest kind. The `secret` trait is a credential. The `role` trait,
 * and a resource type naming a group, team or role, is an Attest group: in
 * Baton such resources are principals (grant expansion gives every holder of
 * `role:assigned` another entitlement), and only groups can hold entitlements
 * or be members in Attest. Everything else, including `group`-trait workspaces,
 * organisations and repositories, is a resource, because those are what access
 * reaches.
 */
const GROUP_WORDS = new Set(["group", "groups", "team", "teams", "role", "roles"]);
const SECRET_WORDS = new Set(["secret", "secrets", "credential", "credentials", "token", "tokens", "apikey"]);
export function resourceKind(type: string | undefined, fn: string | undefined): NodeKind {
  const f = (fn ?? "").toLowerCase();
  const w = words(type ?? "");
  if (f === "secret" || w.some((x) => SECRET_WORDS.has(x))) return "credential";
  if (f === "role" || w.some((x) => GROUP_WORDS.has(x))) return "group";
  return "resource";
}

/** Entitlement slugs that mean "is a member of / is assigned" when they sit on a group. */
const MEMBERSHIP_SLUGS = new Set(["member", "members", "membership", "assignment", "assigned", "assignee"]);
export const isMembershipSlug = (slug: string) => MEMBERSHIP_SLUGS.has(slug.toLowerCase());

/** Profile keys that hold dates (`hire_date`, `start_date`, `created_at`, `last_login`), so their values get normalised. */
export const isDateKey = (key: string) => /date|_at$|^last_?login$/i.test(key);
