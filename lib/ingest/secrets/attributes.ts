/**
 * Free-form attributes (graph documents, JSONL, CSV, SCIM resources) are the
 * customer's data and are stored as given, except a value the scanner flags
 * as a secret: that record is refused, naming the JSON path, and the value is
 * never stored nor quoted back.
 *
 * Allow-list: identifiers that look random but are not secrets are never
 * refused (README, "Security model"): AWS access key ids on their own (the
 * secret access key is what grants access), GUIDs / Entra and other object ids,
 * 24-hex object ids, fingerprints (`sha256:…`, `hmac-sha256:…`, `SHA256:…`),
 * git commit hashes (40 or 64 hex) and ARNs, each unless its key announces a
 * secret (`client_secret: <guid>` is still refused).
 */
import type { SecretFinding } from "./detect";
import { secretKeyKind } from "./key-names";
import { scanValues, type ScanInput } from "./scanner";

export interface AttributeSecret {
  /** JSON path from the record: `attributes.profile.apiKey`, `attributes.tags[2]`. */
  path: string;
  /** What kind of secret it looks like (`api_key`, `private_key`...), never the value. */
  type: string;
}

/** Strings per record beyond this are not scanned one by one; the record is refused as unscannable instead. */
const MAX_STRINGS = 10_000;

export const ALLOW_LISTED_IDENTIFIERS: readonly { name: string; re: RegExp }[] = [
  { name: "GUID / Entra object id", re: /^[{(]?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}[)}]?$/i },
  { name: "object id (24 hex)", re: /^[0-9a-f]{24}$/i },
  { name: "git commit hash", re: /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/ },
  {
    name: "fingerprint",
    re: /^(?:(?:hmac-)?(?:sha1|sha256|sha384|sha512|md5):[0-9a-f]{16,128}|SHA256:[A-Za-z0-9+/]{43}=?|(?:[0-9a-f]{2}:){15,31}[0-9a-f]{2})$/i,
  },
  { name: "ARN", re: /^arn:aws[a-z-]{0,20}:[a-z0-9-]{1,60}:[a-z0-9-]{0,30}:\d{0,12}:[^\s]{1,1500}$/ },
];

function isAllowListed(value: string, key: string | undefined, f: SecretFinding): boolean {
  if (f.type === "aws_access_key") return true; // an id: useless without its secret access key
  if (secretKeyKind(key) !== null) return false;
  const v = value.trim();
  return ALLOW_LISTED_IDENTIFIERS.some((a) => a.re.test(v));
}

type Leaf = ScanInput & { record: number; path: string };

function pathOf(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (parent === "") return key.slice(0, 200); // a SCIM attribute or schema URN, as its client names it
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key.slice(0, 80))}]`;
}

/** Every string leaf of one record's attributes, with the key it sits under; false when there are too many. */
function collect(value: unknown, record: number, root: string, out: Leaf[]): boolean {
  const stack: { v: unknown; path: string; key?: string }[] = [{ v: value, path: root }];
  let count = 0;
  while (stack.length) {
    const { v, path, key } = stack.pop()!;
    if (typeof v === "string") {
      if (++count > MAX_STRINGS) return false;
      if (v.length >= 4) out.push({ value: v, key, record, path });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: pathOf(path, i), key });
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ v: entries[i]![1], path: pathOf(path, entries[i]![0]), key: entries[i]![0] });
    }
  }
  return true;
}

/**
 * For each record's attributes, the values that look like secrets (empty when
 * none). One scanner batch for all records, so a chunk of an import costs one
 * secretlint call.
 */
export async function findAttributeSecrets(records: readonly unknown[], root = "attributes"): Promise<AttributeSecret[][]> {
  const leaves: Leaf[] = [];
  const out: AttributeSecret[][] = records.map(() => []);
  records.forEach((attrs, i) => {
    if (!collect(attrs, i, root, leaves)) out[i]!.push({ path: root, type: `more than ${MAX_STRINGS} strings (not scanned)` });
  });
  if (leaves.length === 0) return out;
  const found = await scanValues(leaves);
  leaves.forEach((leaf, i) => {
    const f = found[i]!.find((x) => !isAllowListed(leaf.value, leaf.key, x));
    if (f) out[leaf.record]!.push({ path: leaf.path, type: f.type });
  });
  return out;
}

/** The refusal message for one flagged value: names the path and the kind, never the value. */
export function secretRefusal(s: AttributeSecret): string {
  return `${s.path} looks like a secret (${s.type}); secrets are not stored: remove it, or keep a reference to where it lives instead`;
}

/** The first secret-looking value in one attributes object (SCIM resources), or null. */
export async function firstAttributeSecret(attributes: unknown, root = ""): Promise<AttributeSecret | null> {
  return (await findAttributeSecrets([attributes], root))[0]![0] ?? null;
}
