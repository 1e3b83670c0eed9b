import { commonErrors, errorResponse, pathParam, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { acceptanceEvidenceQuerySchema } from "./acceptance-evidence";
import { campaignEvidenceQuerySchema } from "./campaign-evidence";

export const evidencePaths: PathItems = {
  "/api/v1/campaigns/{id}/evidence": {
    get: {
      summary: "A campaign's evidence, from one consistent snapshot: zip (default), csv (the items), json or pdf",
      description:
        "`zip` is an evidence package: manifest.json (campaign id, generated at UTC, by whom, app version, SHA-256 of every file, the audit chain head and whether it verified), README.txt, campaign.json (definition, population, items, reviewer independence, reassignments, totals, sign-off, remediation proof, audit extract), campaign-report.pdf, items.csv, population.csv, reviewer-independence.csv, reassignments.csv, remediation.csv and audit-extract.csv. CSV cells are formula-safe. Re-exporting a closed campaign changes only manifest.json. Each export is audited (`evidence.export`, target `campaign_evidence`). Needs `evidence.export`; a draft answers 409.",
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
        "409": errorResponse("The campaign is a draft."),
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
