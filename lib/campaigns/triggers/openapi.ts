import { commonErrors, errorResponse, jsonBody, pathParam, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { SET_ERROR_CODES } from "../ssf/verify";
import { ssfEventsQuerySchema, transmitterSchema, transmittersQuerySchema, transmitterUpdateSchema } from "../ssf/transmitters";
import { triggerRuleSchema, triggerRulesQuerySchema, triggerRuleUpdateSchema } from "./rules";

const id = pathParam("id");
const json = (description: string) => ({ description, content: { "application/json": { schema: { type: "object" } } } });
const notFound = (what: string) => ({ "404": errorResponse(`No such ${what}.`) });
const bodyErrors = { "413": errorResponse("Body too large."), "415": errorResponse("Body is not JSON.") };
const setError = {
  type: "object",
  required: ["err", "description"],
  properties: { err: { enum: SET_ERROR_CODES }, description: { type: "string" } },
};

/** Trigger rules (micro-certifications) and the Shared Signals receiver. */
export const triggersPaths: PathItems = {
  "/api/v1/campaigns/triggers": {
    get: {
      summary: "Trigger rules, newest first, with how often each fired (campaign.read)",
      parameters: queryParams(triggerRulesQuerySchema),
      responses: { "200": json("{ items: rules }"), ...commonErrors },
    },
    post: {
      summary: "Create a trigger rule owned by the caller (campaign.manage)",
      description:
        "Kinds: tool_definition_changed (a tool's definition changed after its access was certified), new_critical_path (a principal newly reaches a tool of at least `filter.minRisk`, default critical, never certified), owner_departed (a non-human identity's owners left), hard_coded_secret (a credential found hard-coded), ssf_event (a Shared Signals event arrived; `filter.eventTypes` narrows it). Each event opens one micro-campaign over exactly the access concerned, routed by `reviewerStrategy` (default target_owner), then `fallbackReviewer`, then the rule's owner, due `durationDays` (default 7) later.",
      requestBody: jsonBody(triggerRuleSchema),
      responses: { "201": json("The rule"), ...commonErrors, ...bodyErrors },
    },
  },
  "/api/v1/campaigns/triggers/{id}": {
    get: {
      summary: "A trigger rule with its latest firings (the campaign each opened, or why none)",
      parameters: [id, ...queryParams(triggerRulesQuerySchema)],
      responses: { "200": json("The rule and `recentFirings`"), ...commonErrors, ...notFound("trigger rule") },
    },
    patch: {
      summary: "Change a trigger rule (its kind stays); enabling it again starts it from now",
      parameters: [id],
      requestBody: jsonBody(triggerRuleUpdateSchema),
      responses: { "200": json("The rule"), ...commonErrors, ...notFound("trigger rule"), ...bodyErrors },
    },
    delete: {
      summary: "Delete a trigger rule that never fired (one that did keeps its record: disable it)",
      parameters: [id],
      responses: { "200": json("{ id, deleted }"), ...commonErrors, ...notFound("trigger rule"), "409": errorResponse("The rule has fired.") },
    },
  },
  "/api/v1/ssf/transmitters": {
    get: {
      summary: "Shared Signals transmitters allowed to push SETs (admin)",
      parameters: queryParams(transmittersQuerySchema),
      responses: { "200": json("{ items: transmitters }"), ...commonErrors },
    },
    post: {
      summary: "Configure a transmitter: issuer, audience, and its public keys (jwks inline or jwksUrl); private key members are refused",
      requestBody: jsonBody(transmitterSchema),
      responses: { "201": json("The transmitter"), ...commonErrors, ...bodyErrors, "409": errorResponse("A transmitter with this issuer exists.") },
    },
  },
  "/api/v1/ssf/transmitters/{id}": {
    patch: {
      summary: "Change or disable (`enabled: false`) a transmitter; its issuer stays",
      parameters: [id],
      requestBody: jsonBody(transmitterUpdateSchema),
      responses: { "200": json("The transmitter"), ...commonErrors, ...notFound("transmitter"), ...bodyErrors },
    },
  },
  "/api/v1/ssf/events": {
    get: {
      summary: "The latest SETs received, with the person each matched and what the trigger rules did (admin)",
      parameters: queryParams(ssfEventsQuerySchema),
      responses: { "200": json("{ items: events }"), ...commonErrors },
    },
    post: {
      summary: "Push delivery of a Security Event Token (RFC 8935)",
      description:
        "Authenticated by the SET itself, not by a bearer token: a compact JWS (RFC 8417) typed secevent+jwt, signed with an asymmetric key of the transmitter its `iss` names, for that transmitter's audience, `iat` within the allowed skew and age, with a new `jti`. Accepted events: CAEP session-revoked and credential-change, RISC account-disabled and credential-compromise (others are recorded and ignored). The subject (`sub_id`: email, iss_sub, opaque, account, aliases, or complex `user`) is matched to a person in the graph. Body limit 64 KiB.",
      security: [],
      requestBody: { required: true, content: { "application/secevent+jwt": { schema: { type: "string", description: "The compact SET" } } } },
      responses: {
        "202": { description: "Accepted (no body)" },
        "400": { description: "Refused (RFC 8935 §2.4); audited", content: { "application/json": { schema: setError } } },
        "413": { description: "Body over 64 KiB", content: { "application/json": { schema: setError } } },
        "429": { description: "Too many refused SETs from this address in a minute", content: { "application/json": { schema: setError } } },
        "503": { description: "The transmitter's keys could not be fetched; retry later" },
      },
    },
  },
};
