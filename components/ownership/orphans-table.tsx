"use client";

import Link from "next/link";
import { KindBadge, RiskBadge, StatusBadge } from "@/components/ui/kind-badge";
import type { NodeKind } from "@/lib/graph/model";
import { AssignForm } from "./assign-form";
import { HeaderCheckbox, useSelection } from "./selection";
import styles from "./ownership.module.css";

export interface OrphanRow {
  id: string;
  kind: NodeKind;
  name: string;
  source: string;
  status: string | null;
  rules: string[];
  owners: {
    owner: { id: string; name: string; kind: string; status: string | null; ended: boolean };
    roles: string[];
    activeMembers: number | null;
    inheritedFrom: { name: string } | null;
  }[];
  inheritsFrom: { id: string; name: string }[];
  inheritingTools: number;
  risk: { level: string; score: number; factors: string[] };
}

const RULE_LABEL: Record<string, string> = { no_owner: "no owner", inactive_owners: "owners left", empty_owner_group: "empty owner group" };

function ownerState(o: OrphanRow["owners"][number]): string {
  if (o.owner.kind === "group") return `${o.owner.name} (${o.activeMembers ?? 0} active members)`;
  return `${o.owner.name} (${o.owner.ended ? "gone" : (o.owner.status ?? "unknown")})`;
}

/** The orphans list: ranked by risk, with reasons; analysts select rows and assign an owner to all of them at once. */
export function OrphansTable({ items, canAssign }: { items: OrphanRow[]; canAssign: boolean }) {
  const ids = items.map((i) => i.id);
  const sel = useSelection(ids);
  return (
    <>
      <table className="data" data-testid="orphans-table">
        <thead>
          <tr>
            {canAssign ? <HeaderCheckbox all={sel.all} some={sel.some} onToggle={sel.toggleAll} label="Select every orphan on this page" /> : null}
            <th>Node</th>
            <th>Risk</th>
            <th>Why it is an orphan</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((o, i) => (
            <tr key={o.id} className={sel.selected.has(o.id) ? styles.selected : undefined} data-testid={`orphan-${o.id}`}>
              {canAssign ? (
                <td className={styles.check}>
                  <input
                    type="checkbox"
                    checked={sel.selected.has(o.id)}
                    onChange={() => undefined}
                    onClick={(e) => sel.toggle(i, e)}
                    aria-label={`Select ${o.name}`}
                  />
                </td>
              ) : null}
              <td>
                <Link href={`/ownership/nodes/${o.id}`}>{o.name}</Link> <StatusBadge status={o.status} />
                <div className={styles.sub}>
                  <KindBadge kind={o.kind} /> {o.source}
                  {o.inheritingTools ? ` · and ${o.inheritingTools} tool${o.inheritingTools === 1 ? "" : "s"} it exposes` : ""}
                </div>
              </td>
              <td style={{ maxWidth: 320 }}>
                <RiskBadge risk={o.risk.level} />
                <ul className={styles.factors}>
                  {o.risk.factors.slice(0, 4).map((f) => (
                    <li key={f}>{f}</li>
                  ))}
                </ul>
              </td>
              <td className={styles.owners}>
                <div className={styles.rules}>
                  {o.rules.map((r) => (
                    <span key={r} className={`badge ${r === "no_owner" ? "danger" : "warn"}`}>
                      {RULE_LABEL[r] ?? r}
                    </span>
                  ))}
                </div>
                {o.owners.length ? (
                  <div className={styles.sub} style={{ marginTop: "0.2rem" }}>
                    {o.owners.map((w) => (
                      <div key={`${w.owner.id}${w.inheritedFrom?.name ?? ""}`}>
                        <span className={styles.gone}>{ownerState(w)}</span> {w.roles.join(", ")}
                        {w.inheritedFrom ? ` via ${w.inheritedFrom.name}` : ""}
                      </div>
                    ))}
                  </div>
                ) : o.inheritsFrom.length ? (
                  <div className={styles.sub} style={{ marginTop: "0.2rem" }}>
                    its server {o.inheritsFrom.map((s) => s.name).join(", ")} has no owner either
                  </div>
                ) : null}
              </td>
              <td className={styles.nowrap}>
                <Link href={`/ownership/nodes/${o.id}`} aria-label={`Owners and suggestions for ${o.name}`}>
                  {canAssign ? "Suggestions →" : "Owners →"}
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canAssign ? <AssignForm variant="bar" nodeIds={[...sel.selected]} onDone={sel.clear} /> : null}
    </>
  );
}
