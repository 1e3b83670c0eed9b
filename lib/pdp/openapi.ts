import { z } from "zod";
import { commonErrors, errorResponse, jsonBody, type PathItems } from "@/lib/api/openapi-kit";
import { actionSearchSchema, evaluationSchema, evaluationsSchema, resourceSearchSchema, subjectSearchSchema } from "./authzen-input";
import { policySchema } from "./policy";

const decision = {
  description: "`{ decision, context }`: a deny is a 200 with `decision: false`; `context.reason_code`, `reason_admin`, `reason_user` explain (docs/PDP.md)",
};
const search = { description: "`{ page: { next_token, count, total }, results }`; pass `page.token` = `next_token` for the next page" };
const bodyErrors = { ...commonErrors, "413": errorResponse("Body too large."), "415": errorResponse("Body is not JSON.") };

/** The runtime decision point (issue #20): AuthZEN 1.0 at the specification's default paths, and its policy. */
export const pdpPaths: PathItems = {
  "/.well-known/authzen-configuration": {
    get: { summary: "AuthZEN Policy Decision Point metadata (public)", security: [], responses: { "200": { description: "Endpoint URLs" } } },
  },
  "/access/v1/evaluation": {
    post: {
      summary: "AuthZEN Access Evaluation (pdp.evaluate: pdp, analyst, admin)",
      requestBody: jsonBody(evaluationSchema),
      responses: { "200": decision, ...bodyErrors },
    },
  },
  "/access/v1/evaluations": {
    post: {
      summary: "AuthZEN Access Evaluations: a batch with top-level defaults and options.evaluations_semantic (pdp.evaluate)",
      requestBody: jsonBody(evaluationsSchema),
      responses: {
        "200": { description: "`{ evaluations: [{ decision, context }] }` in request order, stopped early by the short-circuit semantics" },
        ...bodyErrors,
      },
    },
  },
  "/access/v1/search/subject": {
    post: {
      summary: "AuthZEN Subject Search (pdp.evaluate and graph.read)",
      requestBody: jsonBody(subjectSearchSchema),
      responses: { "200": search, ...bodyErrors },
    },
  },
  "/access/v1/search/resource": {
    post: {
      summary: "AuthZEN Resource Search (pdp.evaluate and graph.read)",
      requestBody: jsonBody(resourceSearchSchema),
      responses: { "200": search, ...bodyErrors },
    },
  },
  "/access/v1/search/action": {
    post: {
      summary: "AuthZEN Action Search (pdp.evaluate and graph.read)",
      requestBody: jsonBody(actionSearchSchema),
      responses: { "200": search, ...bodyErrors },
    },
  },
  "/api/v1/pdp/policy": {
    get: {
      summary: "The decision policy in force and its version (admin)",
      responses: { "200": { description: "`{ version, policy, changedBy, changedAt, reason }`" }, ...commonErrors },
    },
    put: {
      summary: "Store a new version of the decision policy (admin); audited; every instance applies it within a second",
      requestBody: jsonBody(z.strictObject({ version: z.number().int().min(0), policy: policySchema, reason: z.string().max(500).optional() })),
      responses: { "200": { description: "The new version" }, ...bodyErrors, "409": errorResponse("`version` is not the version in force.") },
    },
  },
};
