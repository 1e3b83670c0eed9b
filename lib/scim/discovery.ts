import { scimNotFound } from "./errors";
import { MAX_RESULTS } from "./list";
import type { Obj } from "./resource-shape";
import { LIST_RESPONSE_SCHEMA, RESOURCE_TYPES, SCHEMA_DOCS } from "./schema";
import { SCIM_MAX_BODY } from "./route";

/** RFC 7643 §5: what this service provider supports, so clients need not guess. */
export function serviceProviderConfig(base: string): Obj {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: SCIM_MAX_BODY },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description:
          "The per-source SCIM token an Attest admin creates with POST /api/v1/sources (shown once) or rotates with POST /api/v1/sources/{id}/scim-token.",
        specUri: "https://www.rfc-editor.org/info/rfc6750",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
  };
}

function schemaResource(doc: Obj, base: string): Obj {
  return { ...doc, schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"], meta: { resourceType: "Schema", location: `${base}/Schemas/${doc.id}` } };
}

function resourceTypeResource(rt: (typeof RESOURCE_TYPES)[number], base: string): Obj {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: rt.name,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.core.id,
    schemaExtensions: rt.extensions.map((e) => ({ schema: e.id, required: false })),
    meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/${rt.name}` },
  };
}

const listOf = (items: Obj[]): Obj => ({
  schemas: [LIST_RESPONSE_SCHEMA],
  totalResults: items.length,
  itemsPerPage: items.length,
  startIndex: 1,
  Resources: items,
});

export const listSchemas = (base: string) => listOf(SCHEMA_DOCS.map((d) => schemaResource(d, base)));
export const listResourceTypes = (base: string) => listOf(RESOURCE_TYPES.map((rt) => resourceTypeResource(rt, base)));

/** A path parameter as sent, and percent-decoded (clients differ on escaping the URN's colons). */
function spellings(id: string): string[] {
  try {
    return [id.toLowerCase(), decodeURIComponent(id).toLowerCase()];
  } catch {
    return [id.toLowerCase()]; // not valid percent-encoding: only the literal spelling can match
  }
}

export function getSchema(base: string, id: string): Obj {
  const doc = SCHEMA_DOCS.find((d) => spellings(id).includes(d.id.toLowerCase()));
  if (!doc) throw scimNotFound("Schema");
  return schemaResource(doc, base);
}

export function getResourceType(base: string, id: string): Obj {
  const rt = RESOURCE_TYPES.find((r) => spellings(id).includes(r.name.toLowerCase()));
  if (!rt) throw scimNotFound("ResourceType");
  return resourceTypeResource(rt, base);
}
