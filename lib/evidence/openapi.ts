import { commonErrors, errorResponse, pathParam, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { acceptanceEvidenceQuerySchema } from "./acceptance-evidence";
import { campaignEvidenceQuerySchema } from "./campaign-evidence";

export const evidencePaths: PathItems = {
  "/api/v1/campaigns/{id}/evidence": {
    get: {
      summary: "A campaign's evidence, from one consistent snapshot, streamed: zip (default), csv (the items), json or pdf",
      description:
        "Read in one repeatable-read transaction and streamed as it is read (chunked transfer; memory stays bounded for a campaign of a million items). `zip` is an evidence package, written in this order: README.txt, items.csv, scoped-items.csv (accesses this campaign scoped that were decided in an earlier campaign: 'reviewed in campaign X' with that decision), population.csv, reviewer-independence.csv, reassignments.csv, remediation.csv, audit-extract.csv, notifications.csv (who was told what, when, on which channel, delivery status), campaign.json (definition, population, totals, sign-off and — up to 10,000 items — every item, reassignment, remediation proof and audit event; above that a summary pointing to the CSV files), campaign-report.pdf (likewise full or summary), and manifest.json LAST (campaign id, generated at UTC, by whom, app version, SHA-256 and size of every file, the audit chain head and whether it verified). CSV cells are formula-safe. Re-exporting a closed campaign changes only manifest.json. Each export is audited (`evidence.export`, target `campaign_evidence`) before the first byte. Needs `evidence.export`; a campaign not launched yet answers 409; `json` for a campaign of more than 10,000 items answers 413 (use zip or csv).",
      parameters: [pathParam("id", "A campaign id (cmp_…)."), ...queryParams(campaignEvidenceQuerySchema)],
      responses: {
        "200": {
          description: "The evidence",
          content: {
            "application/zip": { schema: { type: "string", format: "binary" } },
            "text/csv": { schema: { type: "string" } },
            "application/json": { schema: { type: "object" } },
            "application/pdf": { schema: { type: "string", format: "binary" } },
          },
        },
        ...commonErrors,
        "404": errorResponse("No such campaign."),
        "409": errorResponse("The campaign is a draft (or still launching)."),
        "413": errorResponse("format=json for a campaign of more than 10,000 items: download zip or csv."),
      },
    },
  },
  "/api/v1/findings/acceptances/evidence": {
    get: {
      summary: "Evidence of accepted risk: suppressions and the findings accepted now; zip (default), csv (the suppressions) or json",
      description:
        "Every suppression (acceptance by rule and scope) with its rule, scope and node, reason, expiry, creator, matched count and revocation; every finding accepted now, by a person or by a suppression (named); and the suppressions' audit trail. `zip` is an evidence package (manifest.json with SHA-256 of every file and the audit chain head, README.txt, acceptances.json, suppressions.csv, accepted-findings.csv, audit-extract.csv). Each export is audited (`evidence.export`, target `acceptance_evidence`). Needs `evidence.export` and `findings.read`.",
      parameters: queryParams(acceptanceEvidenceQuerySchema),
      responses: {
        "200": {
          description: "The evidence",
          content: {
            "application/zip": { schema: { type: "string", format: "binary" } },
            "text/csv": { schema: { type: "string" } },
            "application/json": { schema: { type: "object" } },
          },
        },
        ...commonErrors,
      },
    },
  },
};
