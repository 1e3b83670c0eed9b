import { EDGE_VERB } from "@/lib/campaigns/model";
import type { CampaignView } from "@/lib/campaigns/views";
import { ACCESS_REVIEW_FRAMEWORKS, frameworkLine } from "./frameworks";
import { renderPdf, type PdfReport, type PdfSection } from "./pdf";
import { delegations, iso, person, population, reassignments, remediation, utc } from "./campaign-evidence-facts";
import { reviewerIndependence, type CampaignSnapshot, type IndependenceFinding, type Totals } from "./campaign-snapshot";

/** The campaign's evidence as a report to hand an auditor: cover with totals, scope, items, independence, reassignments, remediation, audit extract, sign-off. */
const pct = (n: number) => `${n.toLocaleString("en")}%`;

type Population = Pick<ReturnType<typeof population>, "counts" | "reconciliation"> & { sources: CampaignSnapshot["sources"] };

function cover(c: CampaignView, t: Totals, exceptions: number): Pick<PdfReport, "landscape" | "title" | "subtitle" | "facts" | "totals" | "notes"> {
  const final = c.status === "closed" || c.status === "signed_off";
  return {
    landscape: true,
    title: c.name,
    subtitle: `Access review evidence · ${c.control ?? "no control named"} · ${final ? c.status.replace("_", " ") : "in progress (interim evidence)"}`,
    facts: [
      ["Campaign id", c.id],
      ["Owner", c.owner ? `${c.owner.name} <${c.owner.email}>` : "—"],
      ["Launched", `${utc(c.launchedAt)} by ${c.launchedBy ?? "—"}`],
      ["Due", utc(c.dueAt)],
      ["Closed", c.closedAt ? `${utc(c.closedAt)} by ${c.closedBy}` : "not yet"],
      ["Signed off", c.signedOffAt ? `${utc(c.signedOffAt)} by ${c.signedOffBy}` : "not yet"],
    ],
    totals: [
      { label: "items reviewed", value: String(t.items) },
      { label: "% complete", value: pct(t.percentComplete) },
      { label: "approved", value: String(t.approved) },
      { label: "revoked", value: String(t.revoked) },
      { label: "abstained", value: String(t.abstained) },
      { label: "undecided", value: String(t.undecided) },
      { label: "delegated", value: String(t.delegated) },
      { label: "overdue (not decided by the due date)", value: String(t.overdue) },
      { label: "reviewer independence exceptions", value: String(exceptions) },
    ],
    notes: [
      ...(c.description ? [c.description] : []),
      `Evidences: ${[c.control, ...ACCESS_REVIEW_FRAMEWORKS.map(frameworkLine)].filter(Boolean).join("; ")}.`,
      "Items were snapshotted at launch: names, paths and risks are as they were then. Times are UTC.",
    ],
  };
}

function scopeAndPopulation(c: CampaignView, pop: Population): PdfSection[] {
  return [
    {
      heading: "Scope and population",
      newPage: true,
      facts: [
        ["Control", c.control ?? "—"],
        ["Access reviewed", c.scope.edgeKinds.map((k) => EDGE_VERB[k] ?? k).join(", ")],
        ["Subjects", c.scope.subjectKinds?.join(", ") ?? "every kind"],
        ["Sources", c.scope.sources?.join(", ") ?? "every source"],
        ["Minimum tool risk", c.scope.minToolRisk ?? "any"],
        ["Targets", c.scope.targetNodes?.map((n) => n.name).join(", ") ?? "any"],
        ["Owned by", c.scope.ownedByNodes?.map((n) => n.name).join(", ") ?? "anyone"],
        ["Reviewers", typeof c.reviewerStrategy === "string" ? c.reviewerStrategy.replace("_", " ") : `named: ${c.reviewerStrategy.reviewer?.name ?? "?"}`],
        ["Fallback reviewer", c.fallbackReviewer?.name ?? "the campaign owner"],
        [
          "Second level",
          c.secondLevel ? `${c.secondLevel.reviewer?.name ?? "?"} for ${c.secondLevel.minRisk}+ risk (${c.secondLevel.rule.replaceAll("_", " ")})` : "none",
        ],
        ["No response", c.revokeOnNoResponse ? "revoked at close" : "recorded as no response"],
        [
          "Reconciliation",
          `${pop.reconciliation.items} items = ${pop.reconciliation.firstLevel} first-level + ${pop.reconciliation.secondLevel} second-level = ${pop.reconciliation.decided} decided + ${pop.reconciliation.undecided} undecided`,
        ],
      ],
      table: {
        columns: [
          { header: "Source", width: 30 },
          { header: "Last successful import before launch", width: 35 },
          { header: "Import id", width: 35 },
        ],
        rows: pop.sources.map((x) => [
          x.name,
          x.lastImportBeforeLaunch ? utc(x.lastImportBeforeLaunch) : "none recorded (seeded, or SCIM writes)",
          x.importId ?? "—",
        ]),
      },
    },
    {
      heading: "Population by access, subject kind and source",
      table: {
        columns: [
          { header: "Dimension", width: 25 },
          { header: "Value", width: 55 },
          { header: "Items", width: 20, align: "right" },
        ],
        rows: [
          ...pop.counts.byAccess.map(([k, n]) => ["access", EDGE_VERB[k] ?? k, String(n)]),
          ...pop.counts.bySubjectKind.map(([k, n]) => ["subject kind", k, String(n)]),
          ...pop.counts.byTargetKind.map(([k, n]) => ["target kind", k, String(n)]),
          ...pop.counts.bySource.map(([k, n]) => ["source of the access", k, String(n)]),
          ...pop.counts.byReviewer.map(([k, n]) => ["reviewer of record", k, String(n)]),
        ],
      },
    },
  ];
}

function closing(c: CampaignView, t: Totals): Pick<PdfReport, "signOff" | "footer" | "creationDate"> {
  return {
    signOff: {
      intro: c.signedOffAt
        ? `The campaign owner signed the campaign off with this statement: “${c.signOffStatement ?? ""}”`
        : "The campaign has not been signed off by its owner.",
      facts: [
        ["Closed", c.closedAt ? `${utc(c.closedAt)} by ${c.closedBy}` : "not yet"],
        ["Signed off", c.signedOffAt ? `${utc(c.signedOffAt)} by ${c.signedOffBy}` : "not yet"],
        [
          "Outcomes",
          t.outcomes
            ? `approve ${t.outcomes.approve} · revoke ${t.outcomes.revoke} · abstain ${t.outcomes.abstain} · no response ${t.outcomes.no_response}`
            : "decided at close",
        ],
      ],
      signatureLines: ["Reviewed by (auditor)", "Signature", "Date"],
    },
    footer: `Attest campaign evidence · ${c.id} · ${c.name}`,
    creationDate: new Date(c.signedOffAt ?? c.closedAt ?? c.launchedAt ?? c.createdAt),
  };
}

export async function campaignPdf(s: CampaignSnapshot, t: Totals): Promise<Uint8Array> {
  const c = s.campaign;
  const pop = population(s);
  const ind = reviewerIndependence(s);
  const dels = delegations(s);
  return renderPdf({
    ...cover(c, t, ind.exceptions.length),
    sections: [
      ...scopeAndPopulation(c, pop),
      {
        heading: "Items and decisions",
        newPage: true,
        table: {
          columns: [
            { header: "Subject", width: 13 },
            { header: "Access → target", width: 17 },
            { header: "Risk", width: 6 },
            { header: "Reviewer of record", width: 12 },
            { header: "Decided by", width: 12 },
            { header: "Decision", width: 8 },
            { header: "Justification", width: 17 },
            { header: "Decided at", width: 9 },
            { header: "Stage", width: 6 },
          ],
          rows: s.items.map((i) => [
            `${i.subjectName} (${i.subjectKind})`,
            `${EDGE_VERB[i.edgeKind] ?? i.edgeKind} → ${i.targetName} (${i.targetKind})`,
            i.toolRisk ?? "—",
            person(s, i.reviewerId) + (dels.has(i.id) ? ` (delegated from ${person(s, i.assignedReviewerId)})` : ""),
            person(s, i.decidedById) || "—",
            i.decision ?? (i.outcome === "no_response" ? "no response" : "undecided"),
            i.justification ?? "",
            utc(iso(i.decidedAt) || null),
            i.level === 2 ? "2nd" : "1st",
          ]),
        },
      },
      {
        heading: "Reviewer independence",
        newPage: true,
        intro: [
          ind.exceptions.length === 0
            ? `On all ${ind.checked} items, neither the reviewer of record nor whoever decided was the subject, an owner of the subject, or the person an agent subject acts for.`
            : `${ind.exceptions.length} exception${ind.exceptions.length === 1 ? "" : "s"} among ${ind.checked} items (listed below); on every other item the reviewer was independent of the subject.`,
          ...(ind.unlinked
            ? [
                `${ind.unlinked} item${ind.unlinked === 1 ? "'s reviewer is" : "s' reviewers are"} not linked to a person in the graph, so independence rests on the reviewer not being an identity in scope.`,
              ]
            : []),
        ],
        table: {
          columns: [
            { header: "Item", width: 25 },
            { header: "Who", width: 12 },
            { header: "Person", width: 28 },
            { header: "Finding", width: 35 },
          ],
          rows: ind.exceptions.map((e) => [e.itemId, e.who, e.person, e.finding]),
          empty: "No exceptions.",
        },
      },
      {
        heading: "Reassignments",
        table: {
          columns: [
            { header: "Access", width: 26 },
            { header: "From", width: 17 },
            { header: "To", width: 17 },
            { header: "By", width: 14 },
            { header: "When", width: 10 },
            { header: "Why", width: 16 },
          ],
          rows: reassignments(s).map((r) => [`${r.subject} ${EDGE_VERB[r.access] ?? r.access} ${r.target}`, r.from, r.to, r.by, utc(r.at), r.reason]),
          empty: "No item was reassigned.",
        },
      },
      {
        heading: "Remediation of revoked access",
        newPage: true,
        table: {
          columns: [
            { header: "Access revoked", width: 25 },
            { header: "Task", width: 14 },
            { header: "Completed by", width: 16 },
            { header: "Ticket / note", width: 14 },
            { header: "Proof", width: 31 },
          ],
          rows: remediation(s).map((r) => [
            `${r.subject} ${EDGE_VERB[r.access] ?? r.access} ${r.target}`,
            r.taskId ? `${r.taskId} (${r.status})` : "—",
            r.doneBy ? `${r.doneBy}, ${utc(r.doneAt)}` : "—",
            [r.ticket, r.note].filter(Boolean).join(" · ") || "—",
            r.result + (r.verifyingImportFinishedAt ? ` (finished ${utc(r.verifyingImportFinishedAt)})` : ""),
          ]),
          empty: t.outcomes ? "Nothing was revoked." : "The campaign is not closed: revocations are decided at close.",
        },
      },
      {
        heading: "Audit extract",
        newPage: true,
        intro: [
          "Every audit event about this campaign, its items and its remediation tasks, in chain order. The full events, with before/after and hashes, are in audit-extract.csv and campaign.json.",
        ],
        table: {
          columns: [
            { header: "Seq", width: 6, align: "right" },
            { header: "When", width: 14 },
            { header: "Actor", width: 20 },
            { header: "Action", width: 14 },
            { header: "Target", width: 26 },
            { header: "Hash", width: 20 },
          ],
          rows: s.audit.map((e) => [
            String(e.seq),
            utc(e.occurredAt),
            e.actorLabel ?? e.actorId,
            e.action,
            `${e.targetType ?? ""} ${e.targetId ?? ""}`,
            e.hash,
          ]),
          empty: "No events.",
        },
      },
    ],
    ...closing(c, t),
  });
}

export interface CampaignSummary {
  totals: Totals;
  population: Population;
  independence: { checked: number; exceptions: number; unlinked: number; firstExceptions: IndependenceFinding[] };
  files: { reassignments: number; remediation: number; auditExtract: number; scopedItems: number; notificationDeliveries: number };
}

/**
 * The report of a campaign too large to list item by item (more than
 * FULL_DETAIL_MAX items): cover, scope, population, counts of every part with
 * the file that holds it, the first independence exceptions, sign-off. A few
 * pages whatever the size; the items are in items.csv.
 */
export async function campaignSummaryPdf(c: CampaignView, x: CampaignSummary): Promise<Uint8Array> {
  const t = x.totals;
  const ind = x.independence;
  const head = cover(c, t, ind.exceptions);
  return renderPdf({
    ...head,
    notes: [
      ...(head.notes ?? []),
      `This campaign has ${t.items.toLocaleString("en")} items, too many to list here: this report is its summary. Every item, delegation, remediation task and audit event is in the CSV files of the evidence package (items.csv, reassignments.csv, remediation.csv, audit-extract.csv), each with its SHA-256 in manifest.json.`,
    ],
    sections: [
      ...scopeAndPopulation(c, x.population),
      {
        heading: "Where the detail is",
        newPage: true,
        facts: [
          ["Items and decisions", `${t.items.toLocaleString("en")} rows in items.csv`],
          ["Reassignments", `${x.files.reassignments.toLocaleString("en")} rows in reassignments.csv`],
          ["Remediation of revoked access", `${x.files.remediation.toLocaleString("en")} rows in remediation.csv`],
          ["Audit extract", `${x.files.auditExtract.toLocaleString("en")} events in audit-extract.csv`],
          ["Reviewed in another campaign", `${x.files.scopedItems.toLocaleString("en")} rows in scoped-items.csv`],
          ["Notifications to reviewers", `${x.files.notificationDeliveries.toLocaleString("en")} deliveries in notifications.csv`],
        ],
      },
      {
        heading: "Reviewer independence",
        intro: [
          ind.exceptions === 0
            ? `On all ${ind.checked} items, neither the reviewer of record nor whoever decided was the subject, an owner of the subject, or the person an agent subject acts for.`
            : `${ind.exceptions} exception${ind.exceptions === 1 ? "" : "s"} among ${ind.checked} items${ind.exceptions > ind.firstExceptions.length ? ` (the first ${ind.firstExceptions.length} below; all in reviewer-independence.csv)` : " (listed below)"}.`,
          ...(ind.unlinked
            ? [
                `${ind.unlinked} items' reviewers are not linked to a person in the graph, so independence rests on the reviewer not being an identity in scope.`,
              ]
            : []),
        ],
        table: {
          columns: [
            { header: "Item", width: 25 },
            { header: "Who", width: 12 },
            { header: "Person", width: 28 },
            { header: "Finding", width: 35 },
          ],
          rows: ind.firstExceptions.map((e) => [e.itemId, e.who, e.person, e.finding]),
          empty: "No exceptions.",
        },
      },
    ],
    ...closing(c, t),
  });
}
