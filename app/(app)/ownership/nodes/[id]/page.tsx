import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { AssignForm } from "@/components/ownership/assign-form";
import { RemoveOwnerButton, SuggestionList, type SuggestionRow } from "@/components/ownership/node-owner-actions";
import styles from "@/components/ownership/ownership.module.css";
import { KindBadge, StatusBadge } from "@/components/ui/kind-badge";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { getOwnersFor, type OwnersView } from "@/lib/ownership/owners";
import { ORPHAN_RULE_LABEL } from "@/lib/ownership/owner-state";
import { suggestOwners } from "@/lib/ownership/suggestions";

export const metadata = { title: "Owners · Ownership" };

const day = (iso: string) => iso.slice(0, 10);

export default async function NodeOwnersPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePagePermission("owner.read", "review.decide");
  const db = await getDb();
  const { id } = await params;
  let view: OwnersView;
  try {
    view = await getOwnersFor(db, actor, decodeURIComponent(id));
  } catch (e) {
    if (isAppError(e) && (e.code === "not_found" || e.code === "validation")) notFound();
    throw e;
  }
  const node = view.node;
  const canAssign = can(actor, "owner.assign") && node.kind !== "human";
  const suggestions = can(actor, "owner.read") ? (await suggestOwners(db, actor, { node: node.id })).items : [];
  const direct = view.items.filter((o) => !o.inheritedFrom && o.roles.length > 0);
  const pairs = direct.flatMap((o) => o.roles.map((role) => ({ owner: o.owner.id, role, edgeId: o.edgeId })));
  const s = view.summary;
  const missing = [!s.business && "business", !s.technical && "technical"].filter(Boolean) as string[];

  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
        <Link href={can(actor, "owner.read") ? "/ownership/orphans" : "/ownership/mine"}>← {can(actor, "owner.read") ? "orphans" : "what I own"}</Link>
      </p>
      <h1 style={{ display: "flex", gap: "0.6rem", alignItems: "center", flexWrap: "wrap" }}>
        {node.name} <KindBadge kind={node.kind} /> <StatusBadge status={node.status} />
      </h1>
      <p className="subtitle">
        from {node.source}
        {can(actor, "graph.read") ? (
          <>
            {" · "}
            <Link href={`/nodes/${node.id}`}>attributes and relationships →</Link>
          </>
        ) : null}
      </p>

      <div className={styles.cards}>
        <div className={`${styles.stat} ${s.orphan ? styles.bad : styles.good}`} data-testid="owner-status">
          <div className={styles.value}>{s.activeOwners}</div>
          <div className={styles.label}>
            {s.orphan ? `orphan: ${s.rules.map((r) => ORPHAN_RULE_LABEL[r]).join(", ")}` : `active owner${s.activeOwners === 1 ? "" : "s"}`}
          </div>
        </div>
        <div className={`${styles.stat} ${missing.length ? styles.bad : styles.good}`}>
          <div className={styles.value}>{missing.length ? "missing" : "complete"}</div>
          <div className={styles.label}>{missing.length ? `no active ${missing.join(" or ")} owner` : "business and technical owners are active"}</div>
        </div>
      </div>

      <section className="panel" aria-labelledby="owners">
        <h2 id="owners" style={{ marginTop: 0 }}>
          Owners
        </h2>
        {view.items.length === 0 ? (
          <p className="subtitle" style={{ margin: 0 }}>
            Nobody owns this yet.
          </p>
        ) : (
          <table className="data" data-testid="owners-table" tabIndex={0}>
            <thead>
              <tr>
                <th>Owner</th>
                <th>Role</th>
                <th>State</th>
                <th>Recorded by</th>
                {canAssign ? <th /> : null}
              </tr>
            </thead>
            <tbody>
              {view.items.map((o) => (
                <tr key={`${o.edgeId}${o.inheritedFrom?.id ?? ""}`}>
                  <td>
                    {o.owner.name} {o.owner.kind === "group" ? <span className="badge">group</span> : null}
                    {o.owner.email ? <div className={styles.sub}>{o.owner.email}</div> : null}
                  </td>
                  <td>{o.roles.join(", ") || "—"}</td>
                  <td>
                    {o.active ? (
                      <span className="badge ok">active</span>
                    ) : (
                      <span className="badge danger">{o.owner.kind === "group" ? "no active members" : o.owner.ended ? "gone" : o.owner.status}</span>
                    )}
                    {o.owner.kind === "group" && o.active ? <div className={styles.sub}>{o.activeMembers} active members</div> : null}
                  </td>
                  <td className={styles.sub}>
                    {o.inheritedFrom ? (
                      <>inherited from the server {o.inheritedFrom.name}</>
                    ) : (
                      <>
                        {o.source} since {day(o.since)}
                        {o.assignedBy ? ` · ${o.assignedBy}` : ""}
                        {o.assignedReason ? ` · “${o.assignedReason}”` : ""}
                      </>
                    )}
                  </td>
                  {canAssign ? (
                    <td>
                      {!o.inheritedFrom && o.roles.length ? (
                        <RemoveOwnerButton
                          nodeId={node.id}
                          keep={pairs.filter((p) => p.edgeId !== o.edgeId).map(({ owner, role }) => ({ owner, role }))}
                          label={`Remove ${o.owner.name} as ${o.roles.join(" and ")} owner`}
                        />
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {can(actor, "owner.read") ? (
        <section className="panel" aria-labelledby="suggested">
          <h2 id="suggested" style={{ marginTop: 0 }}>
            Suggested owners
          </h2>
          {suggestions.length === 0 ? (
            <p className="subtitle" style={{ margin: 0 }}>
              No suggestion: no agent principal, departed owner&apos;s manager, using team or owner named in the attributes points to anyone.
            </p>
          ) : (
            <SuggestionList nodeId={node.id} items={JSON.parse(JSON.stringify(suggestions)) as SuggestionRow[]} canAssign={canAssign} />
          )}
        </section>
      ) : null}

      {canAssign ? (
        <section className="panel" aria-labelledby="assign">
          <h2 id="assign" style={{ marginTop: 0 }}>
            Assign an owner
          </h2>
          <AssignForm variant="inline" nodeIds={[node.id]} />
        </section>
      ) : null}
    </>
  );
}
