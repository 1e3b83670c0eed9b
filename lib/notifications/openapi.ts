import { commonErrors, errorResponse, jsonBody, pathParam, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { createChannelSchema, updateChannelSchema } from "./channels";
import { preferencesSchema } from "./preferences";
import { deliveriesQuerySchema } from "./queries";

const id = pathParam("id");
const json = (description: string) => ({ description, content: { "application/json": { schema: { type: "object" } } } });
const bodyErrors = { "413": errorResponse("Body too large."), "415": errorResponse("Body is not JSON.") };
const noChannel = { "404": errorResponse("No such channel.") };
const testAnswer = json("`{ ok, to, reason }`: whether it was delivered, where (the channel's host or your address), and why not");

export const notificationsPaths: PathItems = {
  "/api/v1/notifications/channels": {
    get: {
      summary: "Chat channels that receive notifications (admin); each shown by its webhook's host, never the URL",
      responses: { "200": json("Channels: `{ id, kind, name, host, events, enabled }`"), ...commonErrors },
    },
    post: {
      summary: "Add a chat channel (admin): a Slack-compatible incoming webhook or a Teams workflow",
      description:
        "`url` is sealed with ATTEST_SECRET_KEY at once and never shown again (only its host). `events`: which messages go there (digest, reminder, escalation, overdue). Requests go through the outbound client: a private address must be opened on the Admin page. Audited without the URL.",
      requestBody: jsonBody(createChannelSchema),
      responses: {
        "201": json("The channel"),
        ...commonErrors,
        "409": errorResponse("A channel with this name exists, or no ATTEST_SECRET_KEY."),
        ...bodyErrors,
      },
    },
  },
  "/api/v1/notifications/channels/{id}": {
    get: { summary: "One chat channel (admin)", parameters: [id], responses: { "200": json("The channel"), ...commonErrors, ...noChannel } },
    patch: {
      summary: "Change a chat channel (admin): name, URL (replaces the sealed one), events, enabled; audited",
      parameters: [id],
      requestBody: jsonBody(updateChannelSchema),
      responses: { "200": json("The channel"), ...commonErrors, ...noChannel, "409": errorResponse("Name taken."), ...bodyErrors },
    },
    delete: {
      summary: "Remove a chat channel (admin); its past deliveries stay; audited",
      parameters: [id],
      responses: { "200": json("The removed channel"), ...commonErrors, ...noChannel },
    },
  },
  "/api/v1/notifications/channels/{id}/test": {
    post: {
      summary: "Post a test message to a chat channel now (admin; audited)",
      parameters: [id],
      responses: { "200": testAnswer, ...commonErrors, ...noChannel },
    },
  },
  "/api/v1/notifications/test-email": {
    post: {
      summary: "Send a test e-mail to your own address now (admin; audited)",
      responses: { "200": testAnswer, ...commonErrors, "409": errorResponse("E-mail is not configured (ATTEST_SMTP_URL).") },
    },
  },
  "/api/v1/me/notification-preferences": {
    get: { summary: "Your own notification choices (any role)", responses: { "200": json("`{ digestOptOut, alwaysSent, updatedAt }`"), ...commonErrors } },
    put: {
      summary: "Turn the new-items digest off or on for yourself; reminders, overdue notices and escalations are always sent. Audited.",
      requestBody: jsonBody(preferencesSchema),
      responses: { "200": json("Your choices"), ...commonErrors, ...bodyErrors },
    },
  },
  "/api/v1/campaigns/{id}/deliveries": {
    get: {
      summary: "Who was told about a campaign, when, on which channel, and how it went (campaign.read), newest first",
      description:
        "One row per message and channel: kind (digest, reminder, escalation, overdue), recipient, reviewer, channel (email, slack, teams), address (the e-mail address or the channel's name), status (pending, sent, failed, skipped), reason (why skipped, or the last failure), attempts, sentAt.",
      parameters: [id, ...queryParams(deliveriesQuerySchema)],
      responses: { "200": json("Deliveries"), ...commonErrors, "404": errorResponse("No such campaign.") },
    },
  },
};
