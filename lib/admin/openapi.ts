import { commonErrors, errorResponse, jsonBody, pathParam, type PathItems } from "@/lib/api/openapi-kit";
import { createTokenSchema } from "./api-tokens";

export const adminPaths: PathItems = {
  "/api/v1/tokens": {
    get: { summary: "List API tokens (admin)", responses: { "200": { description: "Tokens, without their values" }, ...commonErrors } },
    post: {
      summary: "Create an API token (admin); the token is in this answer only",
      requestBody: jsonBody(createTokenSchema),
      responses: { "201": { description: "The token, with `token` shown once" }, ...commonErrors, "413": errorResponse("Body too large."), "415": errorResponse("Body is not JSON.") },
    },
  },
  "/api/v1/tokens/{id}": {
    delete: {
      summary: "Revoke an API token (admin)",
      parameters: [pathParam("id")],
      responses: { "200": { description: "The revoked token" }, ...commonErrors, "404": errorResponse("No such live token.") },
    },
  },
};
