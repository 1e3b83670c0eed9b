import Link from "next/link";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import type { HubAuditEvent } from "@/lib/hub/audit";
import { HubMore } from "./hub-more";
import styles from "./hub.module.css";

/** Audit events about the node and its findings, newest first, with names and the changed fields. */
export function HubAudit({ nodeId, items, nextCursor, paged }: { nodeId: string; items: HubAuditEvent[]; nextCursor: string | null; paged: boolean }) {
  return (
    <section className="panel" aria-labelledby="hub-audit-title" data-testid="hub-audit">
      <h2 id="hub-audit-title" className={styles.panelTitle}>
        Audit
      </h2>
      {items.length === 0 ? (
        <p className="subtitle">No audit event about this node yet.</p>
      ) : (
        <Table caption="Audit events about this node" testId="hub-audit-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>
                  <LocalTime value={e.occurredAt} />
                </td>
                <td className={styles.nameCell}>
                  {e.actor.name}
                  <div className={styles.sub}>{e.actor.type === "system" ? "Attest" : e.actor.type === "token" ? "API token" : e.actor.type}</div>
                </td>
                <td className={styles.nameCell}>
                  {e.summary}
                  {e.about.type === "finding" ? (
                    <>
                      {" "}
                      <Link href={`/findings/${e.about.id}`}>(finding)</Link>
                    </>
                  ) : null}
                  <div className={styles.sub}>
                    <span className={styles.mono}>{e.action}</span> · event {e.seq}
                  </div>
                  {e.changes.length ? (
                    <ul className={styles.changes} aria-label="Changed fields">
                      {e.changes.map((c) => (
                        <li key={c.field}>
                          {c.field}: {c.before ?? "—"} → {c.after ?? "—"}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <HubMore base={`/nodes/${nodeId}?tab=audit`} nextCursor={nextCursor} paged={paged} what="events" />
    </section>
  );
}
