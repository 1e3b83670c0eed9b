import { adminPaths } from "@/lib/admin/openapi";
import { connectorsPaths } from "./connectors";
import { auditPaths } from "@/lib/audit/openapi";
import { campaignsPaths } from "@/lib/campaigns/openapi";
import { triggersPaths } from "@/lib/campaigns/triggers/openapi";
import { templatesPaths } from "@/lib/campaigns/templates-openapi";
import { findingsPaths } from "@/lib/findings/openapi";
import { suppressionPaths } from "@/lib/findings/suppressions-openapi";
import { evidencePaths } from "@/lib/evidence/openapi";
import { graphPaths } from "@/lib/graph/openapi";
import { hubPaths } from "@/lib/hub/openapi";
import { NODE_KINDS } from "@/lib/graph/model";
import { RISK_REASON_CODES, TOOL_RISKS } from "@/lib/graph/tool-risk";
import { ingestPaths } from "@/lib/ingest/openapi";
import { inventoryPaths } from "@/lib/inventory/openapi";
import { jobsPaths } from "@/lib/jobs/openapi";
import { notificationsPaths } from "@/lib/notifications/openapi";
import { ownershipPaths } from "@/lib/ownership/openapi";
import { pdpPaths } from "@/lib/pdp/openapi";
import { reportsPaths } from "@/lib/reports/openapi";
import { requestsPaths } from "@/lib/requests/openapi";
import { usagePaths } from "@/lib/usage/openapi";
import type { JsonSchema } from "@/lib/api/openapi-kit";

const node = {
  type: "object",
  required: ["id", "kind", "source", "externalId", "name", "attributes", "firstSeenAt", "lastSeenAt", "validFrom", "validTo"],
  properties: {
    id: { type: "string", example: "hum_01jd3k9v8m2q7r5t4w6x8y0z1a" },
    kind: { type: "string", enum: NODE_KINDS },
    source: { type: "string" },
    externalId: { type: "string" },
    name: { type: "string" },
    status: { type: ["string", "null"], enum: ["active", "inactive", "leave", "terminated", null] },
    attributes: { type: "object", additionalProperties: true },
    firstSeenAt: { type: "string", format: "date-time" },
    lastSeenAt: { type: "string", format: "date-time" },
    validFrom: { type: "string", format: "date-time" },
    validTo: { type: ["string", "null"], format: "date-time" },
    toolRisk: {
      type: "object",
      description: 'Tools only: the risk and why (README, "Tool risk"). Codes are stable; a risk its source set above the annotations\' is declared_by_source.',
      properties: { risk: { enum: TOOL_RISKS }, reasonCode: { enum: [...RISK_REASON_CODES, "declared_by_source", "recorded"] }, reason: { type: "string" } },
    },
  },
};

/** The OpenAPI 3.1 document served at /api/v1/openapi.json. Every /api/v1 route must appear here (a test checks). */
export function openApiDocument(version: string): JsonSchema {
  return {
    openapi: "3.1.0",
    info: {
      title: "Attest API",
      version,
      description: "Identity-graph governance for humans, service accounts, AI agents and MCP servers. Authenticate with `Authorization: Bearer <token>`.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Node: node,
        Error: {
          type: "object",
          properties: {
            error: {
              type: "object",
              required: ["code", "message", "details"],
              properties: {
                code: { type: "string" },
                message: { type: "string" },
                details: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
                requestId: { type: "string" },
              },
            },
          },
        },
      },
    },
    paths: {
      ...graphPaths,
      ...ingestPaths,
      ...adminPaths,
      ...connectorsPaths,
      ...ownershipPaths,
      ...auditPaths,
      ...reportsPaths,
      ...evidencePaths,
      ...campaignsPaths,
      ...triggersPaths,
      ...templatesPaths,
      ...notificationsPaths,
      ...requestsPaths,
      ...findingsPaths,
      ...suppressionPaths,
      ...jobsPaths,
      ...hubPaths,
      ...inventoryPaths,
      ...usagePaths,
      ...pdpPaths,
      "/api/health": {
        get: {
          summary: "Liveness and which database is in use",
          security: [],
          responses: {
            "200": {
              description: "Healthy",
              content: {
                "application/json": { schema: { type: "object", properties: { status: { const: "ok" }, database: { enum: ["pglite", "postgres"] } } } },
              },
            },
            "503": { description: "Database unavailable" },
          },
        },
      },
      "/api/v1/openapi.json": { get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1" } } } },
    },
  };
}
