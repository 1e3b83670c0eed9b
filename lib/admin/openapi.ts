import { commonErrors, errorResponse, jsonBody, pathParam, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { createTokenSchema } from "./api-tokens";
import { updateUserSchema } from "./app-users";
import { outboundSettingsSchema } from "./outbound-settings";
import { listSourcesQuerySchema, updateSourceSchema } from "./sources";

export const adminPaths: PathItems = {
  "/api/v1/tokens": {
    get: { summary: "List API tokens (admin)", responses: { "200": { description: "Tokens, without their values" }, ...commonErrors } },
    post: {
      summary: "Create an API token (admin); the token is in this answer only",
      requestBody: jsonBody(createTokenSchema),
      responses: {
        "201": { description: "The token, with `token` shown once" },
        ...commonErrors,
        "413": errorResponse("Body too large."),
        "415": errorResponse("Body is not JSON."),
      },
    },
  },
  "/api/v1/tokens/{id}": {
    delete: {
      summary: "Revoke an API token (admin)",
      parameters: [pathParam("id")],
      responses: { "200": { description: "The revoked token" }, ...commonErrors, "404": errorResponse("No such live token.") },
    },
  },
  "/api/v1/users": {
    get: {
      summary: "App users with their roles, status, linked person and live token count (admin)",
      responses: { "200": { description: "Users" }, ...commonErrors },
    },
  },
  "/api/v1/users/{id}": {
    patch: {
      summary: "Change a user's status and/or roles (admin); takes effect on the user's next request",
      parameters: [pathParam("id")],
      requestBody: jsonBody(updateUserSchema),
      responses: {
        "200": { description: "The user" },
        ...commonErrors,
        "404": errorResponse("No such user."),
        "409": errorResponse("An admin cannot disable themself or drop their own admin role."),
      },
    },
  },
  "/api/v1/settings/outbound": {
    get: {
      summary: "Where the server may send requests (MCP discovery): allowed host patterns and opened private ranges, stored and from the environment (admin)",
      description:
        "`allowHosts` and `allowPrivateRanges` as stored; `env` what ATTEST_OUTBOUND_ALLOW / ATTEST_OUTBOUND_ALLOW_PRIVATE add (and `ignored` entries there that do not parse); `effective` the union every request is checked against.",
      responses: { "200": { description: "The outbound settings" }, ...commonErrors },
    },
    put: {
      summary: "Replace the allowed host patterns and opened private ranges (admin); audited, applies to the next request",
      description:
        "Host patterns: `api.example.com`, `*.example.com` (subdomains only), `host:port`, `[IPv6]`, `*` (any host). Loopback, private (RFC 1918, fc00::/7), link-local (incl. 169.254.169.254), CGNAT, multicast and reserved addresses stay refused for every host unless their address or CIDR range is in `allowPrivateRanges`. Stored in canonical form.",
      requestBody: jsonBody(outboundSettingsSchema),
      responses: {
        "200": { description: "The outbound settings" },
        ...commonErrors,
        "413": errorResponse("Body too large."),
        "415": errorResponse("Body is not JSON."),
      },
    },
  },
  // SCIM sources (lib/admin/sources.ts); the /scim/v2 endpoints describe themselves (ServiceProviderConfig, Schemas, ResourceTypes), as RFC 7644 §4 has it.
  "/api/v1/sources": {
    get: {
      summary: "List sources with their current node counts by kind and last import or SCIM write (graph.read)",
      parameters: queryParams(listSourcesQuerySchema),
      responses: {
        "200": { description: "`{ items, total, nextCursor }`; never a token or its hash" },
        "401": errorResponse("No valid session or bearer token."),
        "403": errorResponse("Without graph.read."),
      },
    },
    post: {
      summary: "Create a SCIM source (admin, source.manage); its SCIM bearer token is in this answer only",
      description:
        "Answers 201 `{ source, scimToken }`; only the token's SHA-256 is stored. The IdP then calls /scim/v2 with `Authorization: Bearer <scimToken>`.",
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              additionalProperties: false,
              required: ["name", "type"],
              properties: {
                name: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$" },
                type: { const: "scim" },
                description: { type: "string", maxLength: 500 },
              },
            },
          },
        },
      },
      responses: {
        "201": { description: "The source and its SCIM token, shown once" },
        "400": errorResponse("Invalid body; `details` names each field."),
        "401": errorResponse("No valid session or bearer token."),
        "403": errorResponse("Without source.manage."),
        "409": errorResponse("A source of that name exists."),
        "413": errorResponse("Body too large."),
        "415": errorResponse("Body is not JSON."),
      },
    },
  },
  "/api/v1/sources/{id}": {
    patch: {
      summary: "Disable or enable a source (admin, source.manage); audited as source.disable / source.enable",
      description:
        "While a source is disabled, /scim/v2 refuses its SCIM token (403) and the source's nodes stay as they are; enabling it makes the same token work again. Setting the status it already has changes nothing.",
      parameters: [pathParam("id")],
      requestBody: jsonBody(updateSourceSchema),
      responses: {
        "200": { description: "The source" },
        ...commonErrors,
        "404": errorResponse("No such source."),
        "413": errorResponse("Body too large."),
        "415": errorResponse("Body is not JSON."),
      },
    },
  },
  "/api/v1/sources/{id}/scim-token": {
    post: {
      summary: "Rotate a SCIM source's token (admin, source.manage); the previous token stops working at once",
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      responses: {
        "200": { description: "The source and its new SCIM token, shown once" },
        "401": errorResponse("No valid session or bearer token."),
        "403": errorResponse("Without source.manage."),
        "404": errorResponse("No such source."),
        "409": errorResponse("Not a SCIM source."),
      },
    },
  },
};
