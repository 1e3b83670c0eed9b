import enterpriseUserJson from "./schemas/enterprise-user.json";
import groupJson from "./schemas/group.json";
import userJson from "./schemas/user.json";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const SEARCH_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

export type AttributeType = "string" | "boolean" | "decimal" | "integer" | "dateTime" | "binary" | "reference" | "complex";
export type Mutability = "readOnly" | "readWrite" | "immutable" | "writeOnly";

/** One attribute definition as RFC 7643 §7 publishes it (only the characteristics this code reads are typed). */
export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: Mutability;
  returned?: "always" | "never" | "default" | "request";
  uniqueness?: "none" | "server" | "global";
  subAttributes?: AttributeDef[];
}

export interface SchemaDoc {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
  [key: string]: unknown;
}

/** A resource type: its core schema and the extensions a resource of it may carry (keyed by URN in the resource). */
export interface ResourceSchema {
  name: "User" | "Group";
  endpoint: "/Users" | "/Groups";
  description: string;
  core: SchemaDoc;
  extensions: SchemaDoc[];
}

// The JSON files are the RFC's own definitions, shipped with the code (see schemas/PROVENANCE.md).
export const SCHEMA_DOCS: SchemaDoc[] = [userJson as unknown as SchemaDoc, groupJson as unknown as SchemaDoc, enterpriseUserJson as unknown as SchemaDoc];

const doc = (id: string) => SCHEMA_DOCS.find((d) => d.id === id)!;

export const USER_RESOURCE: ResourceSchema = {
  name: "User",
  endpoint: "/Users",
  description: "User Account",
  core: doc(USER_SCHEMA),
  extensions: [doc(ENTERPRISE_USER_SCHEMA)],
};
export const GROUP_RESOURCE: ResourceSchema = { name: "Group", endpoint: "/Groups", description: "Group", core: doc(GROUP_SCHEMA), extensions: [] };
export const RESOURCE_TYPES = [USER_RESOURCE, GROUP_RESOURCE];

/** Every resource's common attributes (RFC 7643 §3.1), which the schema documents leave out. */
const str = (name: string, extra: Partial<AttributeDef> = {}): AttributeDef => ({
  name,
  type: "string",
  multiValued: false,
  caseExact: false,
  mutability: "readWrite",
  ...extra,
});
export const COMMON_ATTRIBUTES: AttributeDef[] = [
  str("id", { caseExact: true, mutability: "readOnly", returned: "always", uniqueness: "server" }),
  str("externalId", { caseExact: true }),
  { name: "schemas", type: "reference", multiValued: true, caseExact: true, mutability: "readWrite" },
  {
    name: "meta",
    type: "complex",
    multiValued: false,
    mutability: "readOnly",
    subAttributes: [
      str("resourceType", { mutability: "readOnly", caseExact: true }),
      { name: "created", type: "dateTime", multiValued: false, mutability: "readOnly" },
      { name: "lastModified", type: "dateTime", multiValued: false, mutability: "readOnly" },
      { name: "location", type: "reference", multiValued: false, caseExact: true, mutability: "readOnly" },
      str("version", { mutability: "readOnly", caseExact: true }),
    ],
  },
];

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function findByName<T extends { name: string }>(list: readonly T[] | undefined, name: string): T | undefined {
  return list?.find((a) => same(a.name, name));
}

/** The extension schema a URN names, case-insensitively. */
export function extensionOf(rs: ResourceSchema, urn: string): SchemaDoc | undefined {
  return rs.extensions.find((e) => same(e.id, urn));
}

export function isCoreUrn(rs: ResourceSchema, urn: string): boolean {
  return same(rs.core.id, urn);
}

/** Where a top-level attribute lives: in the resource itself, or under an extension's URN key. */
export interface TopAttribute {
  def: AttributeDef;
  /** The extension URN holding it; undefined for core and common attributes. */
  extension?: string;
}

/**
 * Looks a top-level attribute up by name, optionally qualified by its schema URN.
 * Core and common attributes win over extension attributes of the same name when
 * unqualified (RFC 7644 §3.10: URN prefixes are needed only to disambiguate).
 */
export function topAttribute(rs: ResourceSchema, name: string, urn?: string): TopAttribute | undefined {
  if (urn && !isCoreUrn(rs, urn)) {
    const ext = extensionOf(rs, urn);
    const def = ext && findByName(ext.attributes, name);
    return def && { def, extension: ext.id };
  }
  const def = findByName(rs.core.attributes, name) ?? findByName(COMMON_ATTRIBUTES, name);
  if (def || urn) return def && { def };
  for (const ext of rs.extensions) {
    const d = findByName(ext.attributes, name);
    if (d) return { def: d, extension: ext.id };
  }
  return undefined;
}

export function subAttribute(def: AttributeDef | undefined, name: string): AttributeDef | undefined {
  return findByName(def?.subAttributes, name);
}

/** Whether string comparison at `names` (top-level name, then sub-attribute names) is case-exact; unknown paths compare case-insensitively. */
export function caseExactAt(rs: ResourceSchema, urn: string | undefined, names: readonly string[]): boolean {
  const [first, ...rest] = names;
  if (!first) return false;
  let def = topAttribute(rs, first, urn)?.def;
  for (const n of rest) def = def?.type === "complex" ? subAttribute(def, n) : undefined;
  // A complex value compares through its "value" sub-attribute.
  if (def?.type === "complex") def = subAttribute(def, "value");
  return def?.caseExact === true;
}
