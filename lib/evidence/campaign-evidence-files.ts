import { toCsv } from "./csv";
import { ACCESS_REVIEW_FRAMEWORKS } from "./frameworks";
import {
  delegations,
  delegationText,
  ITEMS_CSV_HEADER,
  iso,
  pathText,
  person,
  population,
  reassignments,
  ref,
  remediation,
  stage,
} from "./campaign-evidence-facts";
import { reviewerIndependence, type CampaignSnapshot, type Totals } from "./campaign-snapshot";

/**
 * A campaign's evidence from an in-memory snapshot (campaigns of at most
 * FULL_DETAIL_MAX items): the whole JSON document (campaign.json, format=json)
 * and the items CSV it agrees with. Pure functions of the snapshot: no clock,
 * no exporter, so a closed campaign exports to the same bytes every time. The
 * package's CSV files are streamed (campaign-stream.ts) for every size.
 */

export function campaignItemsCsv(s: CampaignSnapshot): string {
  const dels = delegations(s);
  return toCsv(
    [...ITEMS_CSV_HEADER],
    s.items.map((i) => [
      i.id,
      stage(i),
      i.subjectName,
      i.subjectKind,
      ref(i.subjectSource, i.subjectKind, i.subjectExternalId),
      i.subjectId,
      i.subjectStatus,
      i.edgeKind,
      i.edgeSource,
      i.targetName,
      i.targetKind,
      ref(i.targetSource, i.targetKind, i.targetExternalId),
      i.targetId,
      pathText(i),
      i.toolRisk,
      i.highRisk,
      i.recommendation,
      person(s, i.assignedReviewerId),
      person(s, i.reviewerId),
      i.reviewerReason,
      delegationText(s, dels.get(i.id)),
      person(s, i.decidedById),
      i.decision,
      i.justification,
      i.decidedAt,
      i.outcome,
      i.outcomeReason,
    ]),
  );
}

/** The whole evidence as one JSON document (campaign.json in the package). */
export function campaignEvidenceDocument(s: CampaignSnapshot, totals: Totals) {
  const dels = delegations(s);
  const c = s.campaign;
  const doc = {
    format: "attest-campaign-evidence/1",
    campaign: c,
    frameworks: [...(c.control ? [{ framework: "campaign control", control: c.control, title: c.name }] : []), ...ACCESS_REVIEW_FRAMEWORKS],
    population: population(s),
    totals,
    signOff: { closedAt: c.closedAt, closedBy: c.closedBy, signedOffAt: c.signedOffAt, signedOffBy: c.signedOffBy, statement: c.signOffStatement },
    items: s.items.map((i) => ({
      id: i.id,
      stage: stage(i),
      level: i.level,
      firstLevelItemId: i.firstLevelItemId,
      subject: {
        id: i.subjectId,
        kind: i.subjectKind,
        name: i.subjectName,
        ref: ref(i.subjectSource, i.subjectKind, i.subjectExternalId),
        status: i.subjectStatus,
      },
      access: { kind: i.edgeKind, edgeId: i.edgeId, source: i.edgeSource, firstSeenAt: i.accessFirstSeenAt.toISOString() },
      target: { id: i.targetId, kind: i.targetKind, name: i.targetName, ref: ref(i.targetSource, i.targetKind, i.targetExternalId) },
      path: i.context.path,
      toolRisk: i.toolRisk,
      riskReason: i.riskReason,
      highRisk: i.highRisk,
      recommendation: i.recommendation,
      recommendationReason: i.recommendationReason,
      assignedReviewer: person(s, i.assignedReviewerId),
      reviewerOfRecord: person(s, i.reviewerId),
      reviewerReason: i.reviewerReason,
      delegations: (dels.get(i.id) ?? []).map((d) => ({
        from: person(s, d.fromReviewerId),
        to: person(s, d.toReviewerId),
        by: d.actorLabel,
        at: d.at.toISOString(),
        reason: d.justification,
      })),
      decidedBy: person(s, i.decidedById) || null,
      decision: i.decision,
      justification: i.justification,
      decidedAt: iso(i.decidedAt) || null,
      outcome: i.outcome,
      outcomeReason: i.outcomeReason,
    })),
    reviewerIndependence: reviewerIndependence(s),
    reassignments: reassignments(s),
    remediation: remediation(s),
    auditExtract: s.audit,
  };
  return doc;
}

export const campaignEvidenceJson = (s: CampaignSnapshot, totals: Totals) => `${JSON.stringify(campaignEvidenceDocument(s, totals), null, 2)}\n`;
