import { commonErrors, errorResponse, jsonBody, pathParam, type PathItems } from "@/lib/api/openapi-kit";
import { createTokenSchema } from "./api-tokens";
import { updateUserSchema } from "./app-users";

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
  "/api/v1/users": {
    get: { summary: "App users with their roles, status, linked person and live token count (admin)", responses: { "200": { description: "Users" }, ...commonErrors } },
  },
  "/api/v1/users/{id}": {
    patch: {
      summary: "Change a user's status and/or roles (admin); takes effect on the user's next request",
      parameters: [pathParam("id")],
      requestBody: jsonBody(updateUserSchema),
      responses: { "200": { description: "The user" }, ...commonErrors, "404": errorResponse("No such user."), "409": errorResponse("An admin cannot disable themself or drop their own admin role.") },
    },
  },
};
