import { commonErrors, errorResponse, jsonBody, pathParam, queryParams, type JsonSchema, type PathItems } from "@/lib/api/openapi-kit";
import { requestDecisionSchema } from "./decide";
import { REQUEST_STATUSES } from "./model";
import { requestsQuerySchema } from "./queries";

const nodeBrief: JsonSchema = {
  type: "object",
  properties: { id: { type: "string" }, kind: { type: ["string", "null"] }, name: { type: "string" }, status: { type: ["string", "null"] } },
};
const userBrief: JsonSchema = { type: ["object", "null"], properties: { id: { type: "string" }, name: { type: "string" }, email: { type: "string" } } };
const grant: JsonSchema = {
  type: "object",
  description: "What the policy in force (`jit.grantMinutes`, default 60) lets an approver grant, and the lengths the inbox offers.",
  properties: { limitMinutes: { type: "integer" }, choices: { type: "array", items: { type: "integer" } } },
};
const request: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string", example: "areq_01jd3k9v8m2q7r5t4w6x8y0z1a" },
    status: { enum: REQUEST_STATUSES },
    action: { type: "string", example: "tools/call" },
    reasonCode: { type: "string", description: "Why the decision point asked for approval (lib/pdp's reason code), e.g. destructive_tool." },
    why: { type: "string", description: "The reason in words." },
    justification: { type: ["string", "null"], description: "What the caller said it needs the access for." },
    subject: nodeBrief,
    actingFor: { ...nodeBrief, type: ["object", "null"] },
    tool: {
      ...nodeBrief,
      properties: {
        ...(nodeBrief.properties as object),
        risk: { type: ["string", "null"] },
        riskReason: { type: ["string", "null"] },
        server: { type: ["object", "null"], properties: { id: { type: "string" }, name: { type: "string" } } },
      },
    },
    approver: { ...userBrief, description: "Who must decide; null = any admin." },
    decidedBy: userBrief,
    decidedAt: { type: ["string", "null"], format: "date-time" },
    decisionNote: { type: ["string", "null"] },
    grantExpiresAt: { type: ["string", "null"], format: "date-time", description: "An approved request allows the subject to call the tool until then." },
    requestExpiresAt: { type: "string", format: "date-time" },
    requestedVia: { type: ["string", "null"] },
    graphVersion: { type: ["integer", "null"] },
    createdAt: { type: "string", format: "date-time" },
    version: { type: "integer", description: "Send it back with a decision; a decision on an older version answers 409." },
  },
};
const json = (description: string, schema: JsonSchema) => ({ description, content: { "application/json": { schema } } });
const id = pathParam("id", "An access request id (areq_…).");
const notFound = { "404": errorResponse("No such request, or not one you may see.") };

export const requestsPaths: PathItems = {
  "/api/v1/access-requests": {
    get: {
      summary: "Your access requests to decide (review.decide), newest first",
      description:
        "Access requests are what the decision point opens when a tool needs a person's approval (`approval_required`): the requests naming you as approver, and (admins) those naming nobody. `status` defaults to pending; admins may pass `all=true` for every request.",
      parameters: queryParams(requestsQuerySchema),
      responses: {
        "200": json("A page of requests, and the grant lengths the policy allows", {
          type: "object",
          properties: { items: { type: "array", items: request }, total: { type: "integer" }, nextCursor: { type: ["string", "null"] }, grant },
        }),
        ...commonErrors,
      },
    },
  },
  "/api/v1/access-requests/{id}": {
    get: {
      summary: "One access request, with the subject's current access path to the tool (if any)",
      parameters: [id],
      responses: {
        "200": json("The request", {
          ...request,
          properties: {
            ...(request.properties as object),
            grant,
            path: {
              type: ["object", "null"],
              properties: { nodes: { type: "array", items: nodeBrief }, edges: { type: "array", items: { type: "string" } } },
            },
          },
        }),
        ...commonErrors,
        ...notFound,
      },
    },
  },
  "/api/v1/access-requests/{id}/decision": {
    post: {
      summary: "Approve (a just-in-time grant) or deny an access request; audited",
      description:
        "Only the request's approver decides (any admin when it names none), and never the subject, the principal it acts for, or anyone whose own identity (linked accounts, agents acting for them) is either (403). An approval grants for `grantMinutes`, at most the policy's `jit.grantMinutes` (default and limit: 60 unless the policy says otherwise; longer asks are cut to it). Every instance's decision point applies the decision within a second.",
      parameters: [id],
      requestBody: jsonBody(requestDecisionSchema),
      responses: {
        "200": json("The decided request", request),
        ...commonErrors,
        ...notFound,
        "409": errorResponse("The request changed since `version`, is no longer pending, or expired."),
        "413": errorResponse("Body too large."),
        "415": errorResponse("Body is not JSON."),
      },
    },
  },
};
