"use client";

import Link from "next/link";
import { useState } from "react";
import { AssignForm } from "@/components/ownership/assign-form";
import { RemoveOwnerButton } from "@/components/ownership/node-owner-actions";
import { LocalTime } from "@/components/ui/local-time";
import type { EffectiveOwner } from "@/lib/ownership/owner-state";
import styles from "./hub.module.css";

/**
 * The node's owners in its header: who answers for it, whether they are still
 * here, and (for those allowed to assign owners) assign or remove in place.
 * Writes go through the ownership API (audited there); the page refreshes.
 */
export function HubOwners({
  nodeId,
  nodeName,
  owners,
  why,
  canAssign,
}: {
  nodeId: string;
  nodeName: string;
  owners: EffectiveOwner[];
  why: string[];
  canAssign: boolean;
}) {
  const [assigning, setAssigning] = useState(false);
  const direct = owners.filter((o) => !o.inheritedFrom && o.roles.length > 0);
  const pairs = direct.flatMap((o) => o.roles.map((role) => ({ owner: o.owner.id, role, edgeId: o.edgeId })));
  const orphan = why.length > 0;
  return (
    <section className={`panel ${styles.owners}`} aria-labelledby="hub-owners-title" data-testid="hub-owners">
      <h2 id="hub-owners-title">Owners {orphan ? <span className="badge danger">no active owner</span> : <span className="badge ok">owned</span>}</h2>
      {orphan && owners.length ? (
        <p className={styles.noOwner} data-testid="orphan-why">
          Orphaned: {why.join(", ")}.
        </p>
      ) : null}
      {owners.length === 0 ? (
        <p className={styles.noOwner} data-testid="no-owner">
          No owner: nobody answers for {nodeName}.
        </p>
      ) : (
        <ul className={styles.ownerList}>
          {owners.map((o) => (
            <li key={`${o.edgeId}${o.inheritedFrom?.id ?? ""}`} data-testid="hub-owner">
              <div className={styles.ownerName}>
                <Link href={`/nodes/${o.owner.id}`} className={o.active ? undefined : styles.gone}>
                  {o.owner.name}
                </Link>{" "}
                {o.roles.map((r) => (
                  <span key={r} className="badge info">
                    {r}
                  </span>
                ))}{" "}
                {o.active ? null : (
                  <span className="badge danger">
                    {o.owner.kind === "group" ? "no active members" : o.owner.ended ? "gone" : (o.owner.status ?? "departed")}
                  </span>
                )}
                <div className={styles.sub}>
                  {o.owner.kind === "group" ? `group · ${o.activeMembers ?? 0} active members · ` : ""}
                  {o.inheritedFrom ? (
                    <>inherited from the server {o.inheritedFrom.name}</>
                  ) : (
                    <>
                      since <LocalTime value={o.since} relative={false} />
                      {o.assignedBy ? ` · by ${o.assignedBy}` : ` · from ${o.source}`}
                    </>
                  )}
                </div>
              </div>
              {canAssign && !o.inheritedFrom && o.roles.length ? (
                <RemoveOwnerButton
                  nodeId={nodeId}
                  keep={pairs.filter((p) => p.edgeId !== o.edgeId).map(({ owner, role }) => ({ owner, role }))}
                  label={`Remove ${o.owner.name} as ${o.roles.join(" and ")} owner`}
                  reason="removed on the node page"
                />
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canAssign ? (
        <div className={styles.assign}>
          <button type="button" className="btn secondary" aria-expanded={assigning} aria-controls="hub-assign" onClick={() => setAssigning((v) => !v)}>
            {assigning ? "Close" : direct.length ? "Add or change owner" : "Assign owner"}
          </button>
          {assigning ? (
            <div id="hub-assign">
              <AssignForm variant="inline" nodeIds={[nodeId]} />
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
