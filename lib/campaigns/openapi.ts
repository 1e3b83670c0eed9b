import { commonErrors, errorResponse, jsonBody, page, pathParam, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { closeSchema, signOffSchema } from "./close-campaign";
import { bulkDecisionSchema, decisionSchema, delegationSchema } from "./decide-item";
import { campaignDefinitionSchema } from "./definition";
import { itemsQuerySchema, listCampaignsQuerySchema } from "./queries";
import { completeTaskSchema, exportTasksQuerySchema, listTasksQuerySchema } from "./remediation";

const id = pathParam("id");
const schemaOf = (s: Parameters<typeof jsonBody>[0]) =>
  (jsonBody(s) as { content: { "application/json": { schema: unknown } } }).content["application/json"].schema;
const json = (description: string) => ({ description, content: { "application/json": { schema: { type: "object" } } } });
const notFound = { "404": errorResponse("No such campaign or item, or not one you may see.") };
const conflict = (what: string) => ({ "409": errorResponse(what) });
const bodyErrors = { "413": errorResponse("Body too large."), "415": errorResponse("Body is not JSON.") };

const item = {
  type: "object",
  description:
    "A review item, snapshotted at launch: subject, access (edge kind and source), target, the access path, tool risk, credentials, owners, flags, the recommendation and its reason, the reviewer and why, the decision and the item version.",
};

export const campaignsPaths: PathItems = {
  "/api/v1/campaigns": {
    get: {
      summary: "Campaigns, newest first (all with campaign.read; a reviewer's own campaigns otherwise)",
      parameters: queryParams(listCampaignsQuerySchema),
      responses: {
        "200": { description: "Campaigns with item counts", content: { "application/json": { schema: page({ type: "object" }) } } },
        ...commonErrors,
      },
    },
    post: {
      summary: "Create a campaign (draft) owned by the caller",
      description:
        "Scope: edge kinds to review (access edges and `owns`), subject kinds, sources, minimum tool risk, targets (node refs the access reaches) and subjects owned by someone. Reviewer strategy: target_owner, subject_owner, manager or { reviewer }; items whose reviewer is their subject, owns it, or is the person an agent subject acts for go to the fallback reviewer (then the campaign owner).",
      requestBody: jsonBody(campaignDefinitionSchema),
      responses: { "201": json("The campaign"), ...commonErrors, ...bodyErrors },
    },
  },
  "/api/v1/campaigns/preview": {
    post: {
      summary: "Preview a definition: items, reviewers, unassigned items, by kind, risk and recommendation; nothing is saved",
      requestBody: jsonBody(campaignDefinitionSchema),
      responses: { "200": json("The preview"), ...commonErrors, ...bodyErrors },
    },
  },
  "/api/v1/campaigns/reminders/run": {
    post: {
      summary: "Record the reminders (before the due date) and escalations (after it) due now, across active campaigns; idempotent",
      responses: { "200": json("{ reminders, escalations, notifications }"), ...commonErrors },
    },
  },
  "/api/v1/campaigns/{id}": {
    get: {
      summary: "A campaign with its progress: by reviewer, burndown, overdue, outcomes, remediation, notifications",
      parameters: [id],
      responses: { "200": json("The campaign; `progress` is null for a reviewer, who gets `mine`"), ...commonErrors, ...notFound },
    },
  },
  "/api/v1/campaigns/{id}/preview": {
    get: {
      summary: "What launching this campaign now would produce",
      parameters: [id],
      responses: { "200": json("The preview"), ...commonErrors, ...notFound },
    },
  },
  "/api/v1/campaigns/{id}/launch": {
    post: {
      summary:
        "Launch a draft: answers at once with the campaign `launching`; a background job snapshots one review item per (subject, access) in scope, routes each to its reviewer, and turns it `active` (GET the campaign: `launch` shows progress, or the error that returned it to draft: nothing in scope, items without a reviewer)",
      parameters: [id],
      responses: {
        "202": json("The campaign, launching"),
        ...commonErrors,
        ...notFound,
        ...conflict("Not a draft, or the due date has passed."),
      },
    },
  },
  "/api/v1/campaigns/{id}/items": {
    get: {
      summary:
        "Items of a campaign (a reviewer sees only their own), keyset-paged (`nextCursor`); then the items of other open campaigns it links to (the same access, reviewed there once: `campaignId` is that campaign). `total` is exact up to 10,000 (`totalExact`); nothing while the campaign is launching",
      parameters: [id, ...queryParams(itemsQuerySchema)],
      responses: { "200": { description: "A page of items", content: { "application/json": { schema: page(item) } } }, ...commonErrors, ...notFound },
    },
  },
  "/api/v1/campaigns/{id}/close": {
    post: {
      summary: "Close: final outcomes (undecided recorded as no_response, or revoked), one remediation task per revoke",
      parameters: [id],
      requestBody: { ...jsonBody(closeSchema), required: false },
      responses: {
        "200": json("{ campaign, outcomes, remediationTasks }"),
        ...commonErrors,
        ...notFound,
        ...conflict("Not active, or undecided items before the due date."),
      },
    },
  },
  "/api/v1/campaigns/{id}/sign-off": {
    post: {
      summary: "Sign a closed campaign off (its owner only)",
      parameters: [id],
      requestBody: { ...jsonBody(signOffSchema), required: false },
      responses: { "200": json("The signed-off campaign"), ...commonErrors, ...notFound, ...conflict("Not closed, or already signed off.") },
    },
  },
  "/api/v1/review-items": {
    get: {
      summary:
        "The caller's review inbox (items in active campaigns unless `campaign` is given), soonest due first, keyset-paged (`nextCursor`); each item's `alsoIn` names the other campaigns relying on its decision; `total` is exact up to 10,000 (`totalExact`)",
      parameters: queryParams(itemsQuerySchema),
      responses: { "200": { description: "A page of items", content: { "application/json": { schema: page(item) } } }, ...commonErrors },
    },
  },
  "/api/v1/review-items/reviewers": {
    get: {
      summary: "People who may review (delegation targets, named reviewers)",
      responses: { "200": json("{ items: [{ id, name, email }] }"), ...commonErrors },
    },
  },
  "/api/v1/review-items/decisions": {
    post: {
      summary: "One decision over a selection of the caller's items; items changed meanwhile are reported as conflicts",
      requestBody: jsonBody(bulkDecisionSchema),
      responses: {
        "200": json("{ items: [{ id, status: decided | conflict, version }], decided, conflicts }"),
        ...commonErrors,
        ...notFound,
        ...bodyErrors,
        ...conflict("The campaign is closed."),
      },
    },
  },
  "/api/v1/review-items/{id}": {
    get: {
      summary: "One item with every decision and delegation made on it",
      parameters: [id],
      responses: { "200": json("The item and its history"), ...commonErrors, ...notFound },
    },
  },
  "/api/v1/review-items/{id}/decision": {
    post: {
      summary: "Decide an item ({ decision, justification, version }) or delegate it ({ delegateTo, reason })",
      description:
        "A justification is required to revoke and to approve high-risk items. The decision names the item version it was made on; of concurrent decisions on one version exactly one wins, the others get 409 with the current version. After close: 409.",
      parameters: [id],
      requestBody: { required: true, content: { "application/json": { schema: { oneOf: [schemaOf(decisionSchema), schemaOf(delegationSchema)] } } } },
      responses: {
        "200": json("The item"),
        ...commonErrors,
        ...notFound,
        ...bodyErrors,
        ...conflict("The item changed since that version, or the campaign is closed."),
      },
    },
  },
  "/api/v1/remediation/tasks": {
    get: {
      summary: "Remediation tasks (open, done, verified; `status=not_effective` for flagged ones)",
      parameters: queryParams(listTasksQuerySchema),
      responses: { "200": json("A page of tasks with counts"), ...commonErrors },
    },
  },
  "/api/v1/remediation/tasks/export": {
    get: {
      summary: "Remediation tasks as CSV for ticketing systems",
      parameters: queryParams(exportTasksQuerySchema),
      responses: { "200": { description: "RFC 4180 CSV", content: { "text/csv": { schema: { type: "string" } } } }, ...commonErrors },
    },
  },
  "/api/v1/remediation/tasks/{id}/complete": {
    post: {
      summary: "Mark a revocation carried out; the next import of its source verifies it (or flags it not effective)",
      parameters: [id],
      requestBody: { ...jsonBody(completeTaskSchema), required: false },
      responses: { "200": json("The task"), ...commonErrors, "404": errorResponse("No such task."), ...conflict("Already done or verified.") },
    },
  },
};
