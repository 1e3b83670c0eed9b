import { commonErrors, errorResponse, jsonBody, page, pathParam, type PathItems } from "@/lib/api/openapi-kit";
import { createTemplateSchema, updateTemplateSchema } from "./templates";

const id = pathParam("id", "A campaign template id (tpl_…).");
const json = (description: string) => ({ description, content: { "application/json": { schema: { type: "object" } } } });
const notFound = { "404": errorResponse("No such template.") };
const bodyErrors = { "413": errorResponse("Body too large."), "415": errorResponse("Body is not JSON.") };
const template = {
  type: "object",
  description:
    "A recurring campaign: its definition as entered (without a due date), `cron` (five fields, UTC) and `schedule` (the same in words; `scheduleWarning` when day of month and day of week are both set, which cron ORs), `durationDays`, `enabled`, `nextRunAt`, `lastRunAt`, `lastError`, `lastCampaign`, `instances`.",
};

export const templatesPaths: PathItems = {
  "/api/v1/campaign-templates": {
    get: {
      summary: "Recurring campaign templates, newest first (campaign.read)",
      responses: { "200": { description: "Templates", content: { "application/json": { schema: page(template) } } }, ...commonErrors },
    },
    post: {
      summary: "Create a recurring campaign template, owned by the caller (campaign.manage)",
      description:
        'The body of POST /api/v1/campaigns without `dueAt`, with `cron` (five fields, UTC, at most once a day; e.g. `0 9 * 1,4,7,10 1#1`: 09:00 on the first Monday of each quarter) and `durationDays` (1–365: each instance is due that long after it is created). References are resolved now (a 400 names the field) and again for each instance. At each slot the job engine creates an instance named after its period ("… — 2027 Q1") linked to the previous one and launches it; after downtime, one instance for the latest missed slot.',
      requestBody: jsonBody(createTemplateSchema),
      responses: { "201": { description: "The template", content: { "application/json": { schema: template } } }, ...commonErrors, ...bodyErrors },
    },
  },
  "/api/v1/campaign-templates/{id}": {
    get: {
      summary: "One template",
      parameters: [id],
      responses: { "200": { description: "The template", content: { "application/json": { schema: template } } }, ...commonErrors, ...notFound },
    },
    patch: {
      summary: "Change a template: any definition field (null removes an optional one), cron, durationDays, enabled",
      description: "A new cron, or enabling, sets the next slot from now (slots missed while disabled are not made up). Audited.",
      parameters: [id],
      requestBody: jsonBody(updateTemplateSchema),
      responses: { "200": { description: "The template", content: { "application/json": { schema: template } } }, ...commonErrors, ...notFound, ...bodyErrors },
    },
    delete: {
      summary: "Remove a template that made no instance; one that made instances is disabled and kept",
      parameters: [id],
      responses: { "200": json("{ deleted, template }: template is the disabled template when kept, null when removed"), ...commonErrors, ...notFound },
    },
  },
  "/api/v1/campaign-templates/{id}/run": {
    post: {
      summary: "Create an instance now, outside the schedule (the next slot is unchanged); its launch runs as a job",
      parameters: [id],
      responses: {
        "202": json("The new campaign, launching"),
        ...commonErrors,
        ...notFound,
        "409": errorResponse("The launch could not be requested."),
      },
    },
  },
};
