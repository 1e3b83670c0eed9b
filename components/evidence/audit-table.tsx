import Link from "next/link";
import { Fragment } from "react";
import { Table } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/local-time";
import type { AuditChange } from "@/lib/audit/audit-diff";
import type { NamedAuditEvent } from "@/lib/audit/audit-export";
import type { AuditName } from "@/lib/audit/audit-names";
import styles from "./audit.module.css";

/** One page of audit events, names resolved. Before/after are untrusted data: shown as text only. */
export type AuditRow = Omit<NamedAuditEvent, "prevHash">;

const ACTOR_TYPE: Record<string, string> = { user: "person", token: "API token", bootstrap: "bootstrap token", system: "Attest (automatic)" };

/** Changes shown before "more": most events change a handful of fields. */
const SHOWN_CHANGES = 4;
const ID_IN_TEXT = /((?:[a-z]{2,5})_[0-9a-z]{26})/;

/** An action name that breaks only after its dots ("campaign.<wbr>sign_off"), never mid-word. */
function ActionName({ action }: { action: string }) {
  const parts = action.split(".");
  return (
    <code className={styles.action}>
      {parts.map((p, i) => (
        <Fragment key={i}>
          {i > 0 ? (
            <>
              .<wbr />
            </>
          ) : null}
          {p}
        </Fragment>
      ))}
    </code>
  );
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

/** Text with every id it contains shown as its name (the id in the tooltip); an instant in the reader's time. */
function WithNames({ text, names }: { text: string; names: Record<string, AuditName> }) {
  if (ISO_INSTANT.test(text)) return <LocalTime value={text} relative={false} />;
  const parts = text.split(ID_IN_TEXT);
  return (
    <>
      {parts.map((p, i) => {
        const n = i % 2 === 1 ? names[p] : undefined;
        return n ? (
          <span key={i} title={p}>
            {n.name}
          </span>
        ) : (
          <Fragment key={i}>{p}</Fragment>
        );
      })}
    </>
  );
}

function Change({ c, names }: { c: AuditChange; names: Record<string, AuditName> }) {
  const v = (t: string, cls: string) => (
    <span className={cls}>
      <WithNames text={t} names={names} />
    </span>
  );
  return (
    <li>
      <span className={styles.field}>{c.field}</span>
      {c.kind === "added" ? (
        <>
          <span className={styles.tag}>added</span>
          {v(c.after, styles.after!)}
        </>
      ) : c.kind === "removed" ? (
        <>
          <span className={styles.tag}>removed</span>
          {v(c.before, styles.before!)}
        </>
      ) : c.kind === "changed" ? (
        <>
          {v(c.before, styles.before!)}
          <span className={styles.arrow} aria-label="changed to">
            →
          </span>
          {v(c.after, styles.after!)}
        </>
      ) : (
        <>
          {c.added.map((x) => (
            <Fragment key={`+${x}`}>
              <span className={styles.tag}>added</span>
              {v(x, styles.after!)}{" "}
            </Fragment>
          ))}
          {c.removed.map((x) => (
            <Fragment key={`-${x}`}>
              <span className={styles.tag}>removed</span>
              {v(x, styles.before!)}{" "}
            </Fragment>
          ))}
        </>
      )}
    </li>
  );
}

function Changes({ changes, names }: { changes: AuditChange[]; names: Record<string, AuditName> }) {
  if (changes.length === 0) return <span className={styles.secondary}>—</span>;
  const list = (cs: AuditChange[], offset: number) => cs.map((c, i) => <Change key={offset + i} c={c} names={names} />);
  return (
    <>
      <ul className={styles.changes}>{list(changes.slice(0, SHOWN_CHANGES), 0)}</ul>
      {changes.length > SHOWN_CHANGES ? (
        <details className={styles.more}>
          <summary>{changes.length - SHOWN_CHANGES} more</summary>
          <ul className={styles.changes}>{list(changes.slice(SHOWN_CHANGES), SHOWN_CHANGES)}</ul>
        </details>
      ) : null}
    </>
  );
}

/** An id shortened for the eye (`usr_01m91m…8gwh`); the whole id is in its tooltip and in the filter link it opens. */
const shortId = (id: string) => (id.length > 20 ? `${id.slice(0, 10)}…${id.slice(-4)}` : id);

/** A name, linked when it has a page, with what it is and its id (short, whole in the tooltip) as secondary text. */
function Named({ id, name, info, filterHref, secondary }: { id: string; name: string | null; info?: AuditName; filterHref: string; secondary?: string }) {
  const label = name ?? id;
  return (
    <div>
      <span title={id} className={info?.gone ? styles.gone : name ? undefined : "mono"}>
        {info?.href ? <Link href={info.href}>{label}</Link> : label}
      </span>
      <div className={styles.secondary}>
        {secondary && secondary !== label ? `${secondary} · ` : null}
        <Link href={filterHref} className="mono" title={`${id}: show only its events`} data-id={id}>
          {shortId(id)}
        </Link>
      </div>
    </div>
  );
}

export function AuditTable({
  rows,
  names,
  filterHref,
}: {
  rows: AuditRow[];
  names: Record<string, AuditName>;
  filterHref(change: Record<string, string>): string;
}) {
  return (
    <div className={styles.table}>
      <Table testId="audit-table" caption="Audit events, newest first">
        <thead>
          <tr>
            <th>When</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Subject</th>
            <th>Changes</th>
            <th className="num">Seq · hash</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id}>
              <td className={styles.whenCell} data-label="When">
                <LocalTime value={e.occurredAt} />
              </td>
              <td className={styles.nameCell} data-testid="audit-actor" data-label="Actor">
                <Named
                  id={e.actorId}
                  name={e.actorName ?? (e.actorType === "system" || e.actorType === "bootstrap" ? e.actorLabel : null)}
                  info={names[e.actorId]}
                  filterHref={filterHref({ actor: e.actorId })}
                  secondary={ACTOR_TYPE[e.actorType] ?? e.actorType}
                />
              </td>
              <td className={styles.actionCell} data-label="Action">
                <ActionName action={e.action} />
              </td>
              <td className={styles.nameCell} data-testid="audit-subject" data-label="Subject">
                {e.targetType && e.targetId ? (
                  <Named
                    id={e.targetId}
                    name={e.targetName}
                    info={names[e.targetId]}
                    filterHref={filterHref({ targetType: e.targetType, target: e.targetId })}
                    secondary={names[e.targetId]?.kind ?? e.targetType}
                  />
                ) : (
                  <span className={styles.secondary}>—</span>
                )}
              </td>
              <td className={styles.changesCell} data-label="Changes">
                <div>
                  <Changes changes={e.changes} names={names} />
                  {e.requestId ? <div className={`${styles.secondary} mono`}>request {e.requestId}</div> : null}
                </div>
              </td>
              <td className={`num mono ${styles.hash}`} title={e.hash} data-label="Seq">
                <div>
                  {e.seq}
                  <div className={styles.secondary}>{e.hash.slice(0, 10)}…</div>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
