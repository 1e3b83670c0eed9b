import type { CampaignSnapshot } from "./campaign-snapshot";

/**
 * Facts derived from a campaign snapshot, shared by its JSON, CSV and PDF:
 * people as "Name <email>", paths as text, delegations, population counts,
 * reassignments and the remediation proof of each revoke.
 */

export type Item = CampaignSnapshot["items"][number];
export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : "");
export const utc = (s: string | null | undefined) => (s ? s.replace("T", " ").replace(/\.\d+Z$/, "Z") : "—");
export const ref = (source: string, kind: string, externalId: string) => `${source}:${kind}:${externalId}`;

export function person(s: Pick<CampaignSnapshot, "people">, id: string | null | undefined): string {
  if (!id) return "";
  const p = s.people.get(id);
  return p ? `${p.name} <${p.email}>` : id;
}

export function pathText(i: Item): string {
  const p = i.context.path;
  if (!p?.nodes?.length) return `${i.subjectName} → ${i.edgeKind} → ${i.targetName}`;
  return p.nodes.map((n, k) => (k === 0 ? `${n.name} (${n.kind})` : `→ ${p.edges[k - 1]} → ${n.name} (${n.kind})`)).join(" ");
}

export const stage = (i: Item) => (i.level === 2 ? "second level" : "first level");

export function delegations(s: CampaignSnapshot): Map<string, CampaignSnapshot["decisions"]> {
  const out = new Map<string, CampaignSnapshot["decisions"]>();
  for (const d of s.decisions) if (d.kind === "delegation") out.set(d.itemId, [...(out.get(d.itemId) ?? []), d]);
  return out;
}

type DelegationLike = Pick<CampaignSnapshot["decisions"][number], "fromReviewerId" | "toReviewerId" | "at" | "justification">;

export function delegationText(s: Pick<CampaignSnapshot, "people">, ds: readonly DelegationLike[] | undefined): string {
  return (ds ?? []).map((d) => `${person(s, d.fromReviewerId)} → ${person(s, d.toReviewerId)} (${utc(iso(d.at))}: ${d.justification ?? ""})`).join("; ");
}

function count<T>(rows: T[], key: (r: T) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function population(s: CampaignSnapshot) {
  const level1 = s.items.filter((i) => i.level === 1);
  const decided = s.items.filter((i) => i.decision).length;
  return {
    sources: s.sources,
    counts: {
      byLevel: count(s.items, stage),
      bySubjectKind: count(level1, (i) => i.subjectKind),
      byAccess: count(level1, (i) => i.edgeKind),
      byTargetKind: count(level1, (i) => i.targetKind),
      bySource: count(level1, (i) => i.edgeSource),
      byReviewer: count(s.items, (i) => person(s, i.reviewerId)),
    },
    reconciliation: {
      items: s.items.length,
      firstLevel: level1.length,
      secondLevel: s.items.length - level1.length,
      decided,
      undecided: s.items.length - decided,
      reconciles: level1.length + (s.items.length - level1.length) === s.items.length && decided + (s.items.length - decided) === s.items.length,
    },
  };
}

export function reassignments(s: CampaignSnapshot) {
  const byId = new Map(s.items.map((i) => [i.id, i]));
  return s.decisions
    .filter((d) => d.kind === "delegation")
    .map((d) => {
      const i = byId.get(d.itemId);
      return {
        itemId: d.itemId,
        subject: i?.subjectName ?? "",
        access: i?.edgeKind ?? "",
        target: i?.targetName ?? "",
        from: person(s, d.fromReviewerId),
        to: person(s, d.toReviewerId),
        by: d.actorLabel,
        at: d.at.toISOString(),
        reason: d.justification ?? "",
      };
    });
}

type Task = Pick<
  CampaignSnapshot["tasks"][number],
  "id" | "status" | "doneBy" | "doneAt" | "doneNote" | "ticket" | "verifiedAt" | "verifiedImportId" | "verifiedVia" | "notEffectiveAt" | "notEffectiveImportId"
>;

/** The remediation proof of one revoked access: its task (if any) and the import that verified it. */
export function remediationRow(
  i: Pick<Item, "id" | "subjectName" | "edgeKind" | "targetName">,
  t: Task | undefined,
  proof: { finishedAt: string | null } | undefined,
) {
  const result = !t
    ? "no remediation task"
    : t.status === "verified"
      ? t.verifiedImportId
        ? `verified: import ${t.verifiedImportId} no longer showed the access`
        : `verified by a ${t.verifiedVia ?? "graph"} write that removed the access`
      : t.status === "done" && t.notEffectiveAt
        ? `not effective: import ${t.notEffectiveImportId} still showed the access after it was marked done`
        : t.status === "done"
          ? "done, awaiting verification by the next import"
          : "open: not yet carried out";
  return {
    itemId: i.id,
    subject: i.subjectName,
    access: i.edgeKind,
    target: i.targetName,
    taskId: t?.id ?? null,
    status: t?.status ?? null,
    doneBy: t?.doneBy ?? null,
    doneAt: iso(t?.doneAt) || null,
    ticket: t?.ticket ?? null,
    note: t?.doneNote ?? null,
    verifiedAt: iso(t?.verifiedAt) || null,
    verifiedImportId: t?.verifiedImportId ?? null,
    verifyingImportFinishedAt: proof?.finishedAt ?? null,
    notEffectiveImportId: t?.notEffectiveImportId ?? null,
    result,
  };
}

export function remediation(s: CampaignSnapshot) {
  const byItem = new Map(s.tasks.map((t) => [t.itemId, t]));
  return s.items
    .filter((i) => i.level === 1 && i.outcome === "revoke")
    .map((i) => {
      const t = byItem.get(i.id);
      return remediationRow(i, t, t?.verifiedImportId ? s.proofImports.get(t.verifiedImportId) : undefined);
    });
}

/** The columns of items.csv, written by the streamed export and the in-memory one alike. */
export const ITEMS_CSV_HEADER = [
  "item_id",
  "stage",
  "subject",
  "subject_kind",
  "subject_ref",
  "subject_id",
  "subject_status",
  "access",
  "access_source",
  "target",
  "target_kind",
  "target_ref",
  "target_id",
  "path",
  "tool_risk",
  "high_risk",
  "recommendation",
  "assigned_reviewer",
  "reviewer_of_record",
  "reviewer_reason",
  "delegations",
  "decided_by",
  "decision",
  "justification",
  "decided_at",
  "outcome",
  "outcome_reason",
] as const;
