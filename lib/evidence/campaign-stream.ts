import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows as rawRows } from "@/db/rows";
import { conflictOf } from "@/lib/campaigns/reviewers";
import { csvLine, Spool } from "./csv-stream";
import { delegationText, iso, ITEMS_CSV_HEADER, pathText, ref, remediationRow, stage, type Item } from "./campaign-evidence-facts";

export { ITEMS_CSV_HEADER };
import type { IndependenceFinding, Person, Totals } from "./campaign-snapshot";

/**
 * The parts of a campaign's evidence that grow with the campaign (items,
 * delegations, remediation, audit extract, scoped items, notification
 * deliveries), read in chunks from server-side cursors inside the caller's
 * repeatable-read transaction (one instant) and written as CSV rows as they
 * arrive, while the totals, population counts and reviewer-independence
 * findings are accumulated. Nothing holds more than a chunk of rows (and the
 * people met so far, and the independence exceptions, which spill to a
 * temporary file past 1 MiB).
 */

export interface StreamOptions {
  /** Rows per FETCH (default 1,000: two chunks are alive at a time, and short-lived rows are cheap to collect). */
  chunkSize?: number;
  /** Told of every chunk read (tests count them). */
  onChunk?: (cursor: string, rows: number) => void;
}

/** Where CSV text goes: a zip entry, the HTTP response, or nowhere (a PDF-only export still needs the counts). */
export interface TextOut {
  write(text: string): Promise<void> | void;
}
export const NOWHERE: TextOut = { write: () => undefined };

let cursorSeq = 0;

/**
 * The rows of `query` in chunks, from a server-side cursor (one sort, no
 * repeated scans): the next chunk is fetched while the caller writes the
 * current one. Must run inside a transaction.
 */
export async function* cursorChunks<T>(tx: Db, label: string, query: SQL, o: StreamOptions = {}): AsyncGenerator<T[]> {
  const size = o.chunkSize ?? 1000;
  const name = `evidence_${label}_${++cursorSeq}`;
  await tx.execute(sql`declare ${sql.raw(name)} no scroll cursor for ${query}`);
  const fetch = () => rawRows<T>(tx, sql.raw(`fetch forward ${size} from ${name}`));
  let pending: Promise<T[]> | null = fetch();
  try {
    while (pending) {
      const got: T[] = await pending;
      pending = got.length === size ? fetch() : null;
      if (got.length) {
        o.onChunk?.(label, got.length);
        yield got;
      }
    }
  } finally {
    if (pending) await pending.catch(() => []);
    await tx.execute(sql.raw(`close ${name}`));
  }
}

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const num = (v: unknown): number => Number(v);

type Delegation = { itemId: string; fromReviewerId: string | null; toReviewerId: string | null; at: Date; justification: string | null };

/** The people (app users) met so far, looked up a chunk at a time: bounded by the number of users. */
export class PeopleCache {
  readonly people = new Map<string, Person>();
  constructor(private readonly tx: Db) {}
  async load(ids: Iterable<string | null | undefined>) {
    const missing = [...new Set([...ids].filter((x): x is string => !!x && !this.people.has(x)))];
    for (let k = 0; k < missing.length; k += 1000) {
      const part = missing.slice(k, k + 1000);
      for (const p of await rawRows<{ id: string; name: string; email: string; human_node_id: string | null }>(
        this.tx,
        sql`select id, name, email, human_node_id from app_users where id = any(${sql.param(part)}::text[])`,
      ))
        this.people.set(p.id, { id: p.id, name: p.name, email: p.email, humanNodeId: p.human_node_id });
    }
  }
  private readonly labels = new Map<string, string>();
  /** "Name <email>", made once per person. */
  label(id: string | null | undefined): string {
    if (!id) return "";
    let l = this.labels.get(id);
    if (l === undefined) {
      const p = this.people.get(id);
      if (!p) return id;
      l = `${p.name} <${p.email}>`;
      this.labels.set(id, l);
    }
    return l;
  }
}

/**
 * A row of ITEM_COLUMNS as the item it is: the columns already carry the
 * item's field names, so the driver's row object is reused (one object per
 * row, not two: at a million rows the garbage collector is the largest cost).
 */
function mapItem(r: Record<string, unknown>): Item {
  r.level = num(r.level);
  r.highRisk = r.highRisk === true || r.highRisk === "t";
  // Only the parts of the context the evidence uses (a launch stores much more: reach, credentials, flags, evidence).
  r.context = { path: r.ctxPath, subjectOwners: r.ctxOwners ?? [], subjectActsFor: r.ctxActsFor ?? [] };
  r.decidedAt = date(r.decidedAt);
  return r as unknown as Item;
}

export const ITEM_COLUMNS = sql.raw(
  `i.id, i.level, i.subject_id as "subjectId", i.subject_kind as "subjectKind", i.subject_name as "subjectName",
   i.subject_source as "subjectSource", i.subject_external_id as "subjectExternalId", i.subject_status as "subjectStatus",
   i.edge_kind as "edgeKind", i.edge_source as "edgeSource", i.target_id as "targetId", i.target_kind as "targetKind",
   i.target_name as "targetName", i.target_source as "targetSource", i.target_external_id as "targetExternalId",
   i.tool_risk as "toolRisk", i.high_risk as "highRisk", i.context->'path' as "ctxPath", i.context->'subjectOwners' as "ctxOwners",
   i.context->'subjectActsFor' as "ctxActsFor", i.recommendation, i.reviewer_id as "reviewerId", i.reviewer_reason as "reviewerReason",
   i.assigned_reviewer_id as "assignedReviewerId", i.decision, i.justification, i.decided_by_id as "decidedById",
   i.decided_at as "decidedAt", i.outcome, i.outcome_reason as "outcomeReason"`,
);
/** The order items are listed in everywhere (as the in-memory snapshot sorts them). */
export const ITEM_ORDER = sql.raw(`i.subject_name, i.edge_kind, i.target_name, i.level, i.id`);

export function itemCsvCells(i: Item, people: PeopleCache, dels: Delegation[] | undefined) {
  const s = { people: people.people };
  return [
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
    people.label(i.assignedReviewerId),
    people.label(i.reviewerId),
    i.reviewerReason,
    delegationText(s, dels),
    people.label(i.decidedById),
    i.decision,
    i.justification,
    i.decidedAt,
    i.outcome,
    i.outcomeReason,
  ];
}

/** What the items pass accumulates: enough for totals, population.csv, the summary JSON and PDF. */
export interface ItemsPass {
  totals: Totals;
  counts: Record<"byLevel" | "bySubjectKind" | "byAccess" | "byTargetKind" | "bySource" | "byReviewer", [string, number][]>;
  reconciliation: { items: number; firstLevel: number; secondLevel: number; decided: number; undecided: number; reconciles: boolean };
  independence: { checked: number; exceptions: number; unlinked: number; firstExceptions: IndependenceFinding[] };
  sourceNames: string[];
}

function sorted(m: Map<string, number>): [string, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * One pass over the campaign's items in list order: items.csv rows to `csv`,
 * independence exceptions to `exceptions` (CSV rows), and the counts.
 */
export async function itemsPass(
  tx: Db,
  campaign: { id: string; dueAt: string; closedAt: string | null; scopeSources: string[] },
  now: Date,
  csv: TextOut,
  exceptions: TextOut,
  o: StreamOptions = {},
): Promise<ItemsPass> {
  const people = new PeopleCache(tx);
  const [{ n: delegationCount } = { n: 0 }] = await rawRows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from review_decisions where campaign_id = ${campaign.id} and kind = 'delegation'`,
  );
  await csv.write(csvLine(ITEMS_CSV_HEADER));
  await exceptions.write(csvLine(["item_id", "who", "person", "finding"]));
  const due = new Date(campaign.dueAt).getTime();
  const judgedAt = campaign.closedAt ? new Date(campaign.closedAt).getTime() : now.getTime();
  const t: Totals = {
    items: 0,
    accesses: 0,
    approved: 0,
    revoked: 0,
    abstained: 0,
    undecided: 0,
    delegated: 0,
    overdue: 0,
    percentComplete: 0,
    outcomes: null,
  };
  const outcomes = { approve: 0, revoke: 0, abstain: 0, no_response: 0 };
  const c = {
    byLevel: new Map<string, number>(),
    bySubjectKind: new Map<string, number>(),
    byAccess: new Map<string, number>(),
    byTargetKind: new Map<string, number>(),
    bySource: new Map<string, number>(),
    byReviewer: new Map<string, number>(),
  };
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const sources = new Set<string>(campaign.scopeSources);
  const ind = { checked: 0, exceptions: 0, unlinked: 0, firstExceptions: [] as IndependenceFinding[] };
  let decided = 0;
  const delegatedItems = new Set<string>();

  // Delegations come from a second cursor in the same order as the items (then by time), merged as the items pass:
  // no lookup per item or per chunk.
  type DelegationRow = { item_id: string; from_reviewer_id: string | null; to_reviewer_id: string | null; at: string; justification: string | null };
  const delegationRows =
    delegationCount > 0
      ? cursorChunks<DelegationRow>(
          tx,
          "delegations",
          sql`select d.item_id, d.from_reviewer_id, d.to_reviewer_id, d.at, d.justification
              from review_decisions d join review_items i on i.id = d.item_id
              where d.campaign_id = ${campaign.id} and i.campaign_id = ${campaign.id} and d.kind = 'delegation'
              order by ${ITEM_ORDER}, d.at, d.version`,
          o,
        )
      : null;
  let dBuf: DelegationRow[] = [];
  let dPos = 0;
  let dDone = delegationRows === null;
  const nextDelegation = async (): Promise<DelegationRow | undefined> => {
    while (dPos >= dBuf.length && !dDone) {
      const n = await delegationRows!.next();
      if (n.done) dDone = true;
      else {
        dBuf = n.value;
        dPos = 0;
        await people.load(dBuf.flatMap((d) => [d.from_reviewer_id, d.to_reviewer_id]));
      }
    }
    return dBuf[dPos];
  };

  try {
    for await (const chunk of cursorChunks<Record<string, unknown>>(
      tx,
      "items",
      sql`select ${ITEM_COLUMNS} from review_items i where i.campaign_id = ${campaign.id} order by ${ITEM_ORDER}`,
      o,
    )) {
      const items = chunk.map(mapItem);
      await people.load(items.flatMap((i) => [i.reviewerId, i.assignedReviewerId, i.decidedById]));
      const dels = new Map<string, Delegation[]>();
      for (const i of items) {
        for (let d = await nextDelegation(); d && d.item_id === i.id; d = await nextDelegation()) {
          dels.set(i.id, [
            ...(dels.get(i.id) ?? []),
            { itemId: d.item_id, fromReviewerId: d.from_reviewer_id, toReviewerId: d.to_reviewer_id, at: date(d.at)!, justification: d.justification },
          ]);
          delegatedItems.add(i.id);
          dPos++;
        }
      }
      let text = "";
      let found = "";
      for (const i of items) {
        text += csvLine(itemCsvCells(i, people, dels.get(i.id)));
        // Totals (as campaignTotals), population (as population()), independence (as reviewerIndependence()).
        t.items++;
        if (i.level === 1) t.accesses++;
        if (i.decision === "approve") t.approved++;
        else if (i.decision === "revoke") t.revoked++;
        else if (i.decision === "abstain") t.abstained++;
        else t.undecided++;
        if (i.decision) decided++;
        if (judgedAt > due && (!i.decidedAt || i.decidedAt.getTime() > due)) t.overdue++;
        if (i.level === 1 && i.outcome) outcomes[i.outcome]++;
        bump(c.byLevel, stage(i));
        bump(c.byReviewer, people.label(i.reviewerId));
        if (i.level === 1) {
          bump(c.bySubjectKind, i.subjectKind);
          bump(c.byAccess, i.edgeKind);
          bump(c.byTargetKind, i.targetKind);
          bump(c.bySource, i.edgeSource);
        }
        sources.add(i.subjectSource).add(i.edgeSource).add(i.targetSource);
        ind.checked++;
        // As reviewerIndependence(): the reviewer of record, then whoever decided if someone else.
        for (let k = 0; k < 2; k++) {
          const who: IndependenceFinding["who"] = k === 0 ? "reviewer" : "decided by";
          const uid = k === 0 ? i.reviewerId : i.decidedById;
          if (k === 1 && uid === i.reviewerId) continue;
          const p = uid ? people.people.get(uid) : undefined;
          if (!p) continue;
          if (!p.humanNodeId) {
            if (k === 0) ind.unlinked++;
            continue;
          }
          const conflict = conflictOf(p, {
            subject: { id: i.subjectId, kind: i.subjectKind, name: i.subjectName },
            subjectOwners: i.context.subjectOwners ?? [],
            subjectActsFor: i.context.subjectActsFor ?? [],
          });
          if (conflict) {
            const e = { itemId: i.id, who, person: `${p.name} <${p.email}>`, finding: conflict };
            ind.exceptions++;
            if (ind.firstExceptions.length < 100) ind.firstExceptions.push(e);
            found += csvLine([e.itemId, e.who, e.person, e.finding]);
          }
        }
      }
      await csv.write(text);
      if (found) await exceptions.write(found);
    }
  } finally {
    await delegationRows?.return(undefined);
  }
  if (dPos < dBuf.length || !dDone) throw new Error("evidence export: a delegation did not match the items in order");
  t.delegated = delegatedItems.size;
  t.percentComplete = t.items ? Math.round(((t.items - t.undecided) / t.items) * 1000) / 10 : 100;
  if (campaign.closedAt) t.outcomes = outcomes;
  const firstLevel = t.accesses;
  return {
    totals: t,
    counts: {
      byLevel: sorted(c.byLevel),
      bySubjectKind: sorted(c.bySubjectKind),
      byAccess: sorted(c.byAccess),
      byTargetKind: sorted(c.byTargetKind),
      bySource: sorted(c.bySource),
      byReviewer: sorted(c.byReviewer),
    },
    reconciliation: {
      items: t.items,
      firstLevel,
      secondLevel: t.items - firstLevel,
      decided,
      undecided: t.items - decided,
      reconciles: true,
    },
    independence: ind,
    sourceNames: [...sources].sort(),
  };
}

/** reassignments.csv: every delegation, in the order made. Returns the row count. */
export async function reassignmentsCsv(tx: Db, campaignId: string, out: TextOut, o: StreamOptions = {}): Promise<number> {
  const people = new PeopleCache(tx);
  await out.write(csvLine(["item_id", "subject", "access", "target", "from", "to", "by", "at", "reason"]));
  let n = 0;
  for await (const chunk of cursorChunks<Record<string, string | null>>(
    tx,
    "reassignments",
    sql`select d.item_id, i.subject_name, i.edge_kind, i.target_name, d.from_reviewer_id, d.to_reviewer_id, d.actor_label, d.at, d.justification
        from review_decisions d left join review_items i on i.id = d.item_id
        where d.campaign_id = ${campaignId} and d.kind = 'delegation' order by d.at, d.item_id, d.version`,
    o,
  )) {
    await people.load(chunk.flatMap((d) => [d.from_reviewer_id, d.to_reviewer_id]));
    let text = "";
    for (const d of chunk) {
      n++;
      text += csvLine([
        d.item_id,
        d.subject_name ?? "",
        d.edge_kind ?? "",
        d.target_name ?? "",
        people.label(d.from_reviewer_id),
        people.label(d.to_reviewer_id),
        d.actor_label,
        date(d.at)!.toISOString(),
        d.justification ?? "",
      ]);
    }
    await out.write(text);
  }
  return n;
}

export const REMEDIATION_CSV_HEADER = [
  "item_id",
  "subject",
  "access",
  "target",
  "task_id",
  "status",
  "done_by",
  "done_at",
  "ticket",
  "note",
  "verified_at",
  "verified_by_import",
  "import_finished_at",
  "not_effective_import",
  "result",
];

/** remediation.csv: each first-level access the campaign revoked, with its task and proof. Returns the row count. */
export async function remediationCsv(tx: Db, campaignId: string, out: TextOut, o: StreamOptions = {}): Promise<number> {
  await out.write(csvLine(REMEDIATION_CSV_HEADER));
  let n = 0;
  for await (const chunk of cursorChunks<Record<string, unknown>>(
    tx,
    "remediation",
    sql`select i.id, i.subject_name, i.edge_kind, i.target_name,
               t.id as task_id, t.status, t.done_by, t.done_at, t.done_note, t.ticket, t.verified_at, t.verified_import_id,
               t.verified_via, t.not_effective_at, t.not_effective_import_id, imp.finished_at as proof_finished_at
        from review_items i
        left join remediation_tasks t on t.item_id = i.id
        left join imports imp on imp.id = t.verified_import_id
        where i.campaign_id = ${campaignId} and i.level = 1 and i.outcome = 'revoke'
        order by ${ITEM_ORDER}`,
    o,
  )) {
    let text = "";
    for (const r of chunk) {
      n++;
      const task = r.task_id
        ? {
            id: r.task_id as string,
            status: r.status as "open" | "done" | "verified",
            doneBy: r.done_by as string | null,
            doneAt: date(r.done_at),
            doneNote: r.done_note as string | null,
            ticket: r.ticket as string | null,
            verifiedAt: date(r.verified_at),
            verifiedImportId: r.verified_import_id as string | null,
            verifiedVia: r.verified_via as string | null,
            notEffectiveAt: date(r.not_effective_at),
            notEffectiveImportId: r.not_effective_import_id as string | null,
          }
        : undefined;
      const proofFinished = date(r.proof_finished_at);
      const x = remediationRow(
        { id: r.id as string, subjectName: r.subject_name as string, edgeKind: r.edge_kind as string, targetName: r.target_name as string },
        task,
        task?.verifiedImportId ? { finishedAt: proofFinished ? proofFinished.toISOString() : null } : undefined,
      );
      text += csvLine([
        x.itemId,
        x.subject,
        x.access,
        x.target,
        x.taskId,
        x.status,
        x.doneBy,
        x.doneAt,
        x.ticket,
        x.note,
        x.verifiedAt,
        x.verifiedImportId,
        x.verifyingImportFinishedAt,
        x.notEffectiveImportId,
        x.result,
      ]);
    }
    await out.write(text);
  }
  return n;
}

export const AUDIT_CSV_HEADER = [
  "seq",
  "id",
  "occurred_at",
  "actor_type",
  "actor_id",
  "actor_label",
  "action",
  "target_type",
  "target_id",
  "before",
  "after",
  "request_id",
  "prev_hash",
  "hash",
];

const json = (v: unknown) => JSON.stringify(typeof v === "string" ? JSON.parse(v) : (v ?? null));

/**
 * audit-extract.csv: the campaign's own events, its items' and its remediation
 * tasks', in chain order (exports of its evidence are audited under
 * campaign_evidence, so they never change it). Returns the row count.
 */
export async function auditExtractCsv(tx: Db, campaignId: string, out: TextOut, o: StreamOptions = {}): Promise<number> {
  await out.write(csvLine(AUDIT_CSV_HEADER));
  let n = 0;
  for await (const chunk of cursorChunks<Record<string, unknown>>(
    tx,
    "audit",
    sql`select e.seq, e.id, e.occurred_at, e.actor_type, e.actor_id, e.actor_label, e.action, e.target_type, e.target_id,
               e.before::text as before, e.after::text as after, e.request_id, e.prev_hash, e.hash
        from audit_events e
        where (e.target_type = 'campaign' and e.target_id = ${campaignId})
           or (e.target_type = 'review_item' and e.target_id in (select id from review_items where campaign_id = ${campaignId}))
           or (e.target_type = 'remediation_task' and e.target_id in (select id from remediation_tasks where campaign_id = ${campaignId}))
        order by e.seq`,
    o,
  )) {
    let text = "";
    for (const e of chunk) {
      n++;
      text += csvLine([
        num(e.seq),
        e.id as string,
        date(e.occurred_at)!.toISOString(),
        e.actor_type as string,
        e.actor_id as string,
        e.actor_label as string | null,
        e.action as string,
        e.target_type as string | null,
        e.target_id as string | null,
        e.before === null ? "null" : json(e.before),
        e.after === null ? "null" : json(e.after),
        e.request_id as string | null,
        e.prev_hash as string,
        e.hash as string,
      ]);
    }
    await out.write(text);
  }
  return n;
}

export const SCOPED_CSV_HEADER = [
  "item_id",
  "shown_as",
  "reviewed_in_campaign_id",
  "reviewed_in_campaign",
  "scoped_at",
  "stage",
  "subject",
  "subject_kind",
  "access",
  "target",
  "target_kind",
  "reviewer_of_record",
  "decided_by",
  "decision",
  "justification",
  "decided_at",
  "outcome",
];

/**
 * scoped-items.csv: accesses this campaign scoped that were already under
 * review in a campaign launched before it (review_item_scopes). They are
 * decided once, there; here they show as "reviewed in campaign X" with that
 * decision. Returns the row count.
 */
export async function scopedItemsCsv(tx: Db, campaignId: string, out: TextOut, o: StreamOptions = {}): Promise<number> {
  const people = new PeopleCache(tx);
  await out.write(csvLine(SCOPED_CSV_HEADER));
  let n = 0;
  for await (const chunk of cursorChunks<Record<string, unknown>>(
    tx,
    "scoped",
    sql`select ${ITEM_COLUMNS}, i.campaign_id as owner_campaign_id, c.name as owner_campaign_name, s.added_at
        from review_item_scopes s join review_items i on i.id = s.item_id join campaigns c on c.id = i.campaign_id
        where s.campaign_id = ${campaignId} and i.campaign_id <> ${campaignId}
        order by ${ITEM_ORDER}`,
    o,
  )) {
    const items = chunk.map((r) => ({
      i: mapItem(r),
      campaignId: r.owner_campaign_id as string,
      campaign: r.owner_campaign_name as string,
      at: date(r.added_at),
    }));
    await people.load(items.flatMap(({ i }) => [i.reviewerId, i.decidedById]));
    let text = "";
    for (const { i, campaignId: cid, campaign, at } of items) {
      n++;
      text += csvLine([
        i.id,
        `reviewed in campaign ${campaign} (${cid})`,
        cid,
        campaign,
        at,
        stage(i),
        i.subjectName,
        i.subjectKind,
        i.edgeKind,
        i.targetName,
        i.targetKind,
        people.label(i.reviewerId),
        people.label(i.decidedById),
        i.decision,
        i.justification,
        i.decidedAt,
        i.outcome,
      ]);
    }
    await out.write(text);
  }
  return n;
}

export const NOTIFICATIONS_CSV_HEADER = [
  "delivery_id",
  "notification_id",
  "kind",
  "recipient",
  "about_reviewer",
  "pending_items",
  "message",
  "channel",
  "address",
  "status",
  "reason",
  "attempts",
  "sent_at",
  "recorded_at",
  "message_id",
];

/**
 * notifications.csv: who was told what, when, on which channel, and whether it
 * was delivered (notification_deliveries with the message it delivered), in
 * the order recorded. Returns the row count.
 */
export async function notificationsCsv(tx: Db, campaignId: string, out: TextOut, o: StreamOptions = {}): Promise<number> {
  const people = new PeopleCache(tx);
  await out.write(csvLine(NOTIFICATIONS_CSV_HEADER));
  let n = 0;
  for await (const chunk of cursorChunks<Record<string, unknown>>(
    tx,
    "notifications",
    sql`select d.id, d.notification_id, n.kind, d.recipient_id, n.reviewer_id, n.pending_items, n.message, d.channel, d.address,
               d.status, d.reason, d.attempts, d.sent_at, d.created_at, d.message_id
        from notification_deliveries d join campaign_notifications n on n.id = d.notification_id
        where d.campaign_id = ${campaignId}
        order by d.created_at, d.id`,
    o,
  )) {
    await people.load(chunk.flatMap((d) => [d.recipient_id as string | null, d.reviewer_id as string | null]));
    let text = "";
    for (const d of chunk) {
      n++;
      text += csvLine([
        d.id as string,
        d.notification_id as string,
        d.kind as string,
        people.label(d.recipient_id as string | null),
        people.label(d.reviewer_id as string | null),
        num(d.pending_items),
        d.message as string,
        d.channel as string,
        d.address as string,
        d.status as string,
        d.reason as string | null,
        num(d.attempts),
        date(d.sent_at),
        date(d.created_at),
        d.message_id as string | null,
      ]);
    }
    await out.write(text);
  }
  return n;
}

export { iso, Spool };
