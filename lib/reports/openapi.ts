import { commonErrors, errorResponse, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { accessReportQuerySchema } from "./access-report";

export const reportsPaths: PathItems = {
  "/api/v1/reports/access": {
    get: {
      summary: "Point-in-time access report: who could reach a target, or what a principal could reach, at an instant, with the paths",
      description:
        "Give exactly one of `target` or `principal` (a node id or source:kind:externalId) and optionally `asOf` (a date means 00:00 UTC; default now). `format=json` answers the report; `csv` (formula-safe, RFC 4180), `pdf` (cover, tables, sign-off page) and `zip` (an evidence package: manifest.json with the SHA-256 of every file and the audit chain head, README.txt, CSV, JSON, PDF) download as attachments. Each export is audited as `evidence.export`. Needs `evidence.export` and `graph.read`.",
      parameters: queryParams(accessReportQuerySchema),
      responses: {
        "200": {
          description: "The report",
          content: {
            "application/json": {
              schema: {
                type: "object",
                description:
                  "{ id, direction, subject, asOf, maxDepth, total, truncated, countsByKind, rows: [{ id, name, kind, source, externalId, depth, path: { nodes: [{ id, name, kind, source, externalId }], edges } }] }",
              },
            },
            "text/csv": { schema: { type: "string" } },
            "application/pdf": { schema: { type: "string", format: "binary" } },
            "application/zip": { schema: { type: "string", format: "binary" } },
          },
        },
        ...commonErrors,
        "404": errorResponse("No such node (at that time)."),
      },
    },
  },
};
