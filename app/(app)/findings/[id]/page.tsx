import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { FindingStatusBadge, OwaspTags, SeverityBadge } from "@/components/findings/badges";
import { DefinitionDiff } from "@/components/findings/definition-diff";
import { EvidenceDetails } from "@/components/findings/evidence-details";
import { EvidenceGraph } from "@/components/findings/evidence-graph";
import { AcceptByRule } from "@/components/findings/accept-by-rule";
import { FindingActions } from "@/components/findings/finding-actions";
import { PriorityPanel } from "@/components/findings/priority-panel";
import detailStyles from "@/components/findings/detail.module.css";
import styles from "@/components/findings/findings.module.css";
import { KindBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { MAX_SUPPRESSION_DAYS } from "@/lib/findings/manage-suppressions";
import { getFinding } from "@/lib/findings/queries";
import { RULES } from "@/lib/findings/rules";
import { loadSettings } from "@/lib/findings/settings";
import { toolDefinitionChange } from "@/lib/findings/tool-definition-change";
import type { FindingDetail } from "@/lib/findings/views";
import { pathsToElements } from "@/lib/graph/elements";
import { OWNABLE_KINDS, type EdgeKind, type NodeKind } from "@/lib/graph/model";

export const metadata = { title: "Finding" };

/** The evidence as drawable elements: each edge as a one-step path, lone nodes on their own; the subject in focus. */
function evidenceElements(f: FindingDetail) {
  const paths = [
    ...f.evidence.edges.map((e) => ({ nodes: [e.from, e.to], edges: [e.kind as EdgeKind] })),
    ...f.evidence.nodes.filter((id) => !f.evidence.edges.some((e) => e.from === id || e.to === id)).map((id) => ({ nodes: [id], edges: [] as EdgeKind[] })),
  ];
  return pathsToElements(paths, (id) => (f.nodes[id] ? { name: f.nodes[id].name, kind: f.nodes[id].kind } : undefined), [f.subject.id]);
}

/** Explorer links a rule suggests beyond "open the subject". */
function explorerLinks(f: FindingDetail): { href: string; label: string }[] {
  const sample = Array.isArray(f.evidence.facts.sample) ? (f.evidence.facts.sample as Record<string, unknown>[]) : [];
  const first = sample[0];
  if (f.rule === "dual_access_path" && typeof first?.resource === "string") {
    return [
      {
        href: `/graph?node=${encodeURIComponent(f.subject.id)}&mode=paths&to=${encodeURIComponent(first.resource)}`,
        label: `Both paths to ${f.nodes[first.resource]?.name ?? "the resource"}`,
      },
    ];
  }
  if (f.rule === "uncertified_risky_tool" && typeof first?.tool === "string") {
    return [
      {
        href: `/graph?node=${encodeURIComponent(f.subject.id)}&mode=paths&to=${encodeURIComponent(first.tool)}`,
        label: `Paths to ${f.nodes[first.tool]?.name ?? "the tool"}`,
      },
    ];
  }
  if (f.rule === "tool_definition_changed" || f.rule === "insecure_mcp_server") {
    return [{ href: `/graph?node=${encodeURIComponent(f.subject.id)}&mode=who`, label: "Who can reach it" }];
  }
  if (f.rule === "over_broad_reach" || f.rule === "agent_inactive_principal") {
    return [{ href: `/graph?node=${encodeURIComponent(f.subject.id)}&mode=reach`, label: "What it reaches" }];
  }
  return [];
}

export default async function FindingPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePagePermission("findings.read");
  const db = await getDb();
  const { id } = await params;
  let f: FindingDetail;
  try {
    f = await getFinding(db, actor, id);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  }
  const { settings } = await loadSettings(db);
  const definition = await toolDefinitionChange(db, actor, f);
  const rule = RULES[f.rule];
  const subjectNode = f.nodes[f.subject.id];
  return (
    <>
      <p className={styles.note}>
        <Link href="/findings">← Findings</Link>
      </p>
      <h1 data-testid="finding-title" style={{ overflowWrap: "anywhere" }}>
        {f.title}
      </h1>
      <p className="subtitle" style={{ display: "flex", gap: "0.5rem", alignItems: "center", flexWrap: "wrap" }}>
        <SeverityBadge severity={f.severity} />
        <FindingStatusBadge status={f.status} />
        <span>{rule.label}</span>
        <OwaspTags items={f.owasp} />
        <span>·</span>
        <KindBadge kind={f.subject.kind} />
        <Link href={`/nodes/${f.subject.id}`}>{subjectNode?.name ?? f.subject.name}</Link>
        {subjectNode && !subjectNode.current ? <span className="badge">no longer reported</span> : null}
      </p>

      <div className={styles.detail}>
        <div>
          <section className="panel" aria-labelledby="evidence">
            <h2 id="evidence" style={{ marginTop: 0 }}>
              Evidence
            </h2>
            <EvidenceGraph elements={evidenceElements(f)} subjectId={f.subject.id} />
          </section>
          {definition ? <DefinitionDiff change={definition} /> : null}
          <EvidenceDetails finding={f} />
        </div>
        <div>
          <PriorityPanel finding={f} />
          <FindingActions
            id={f.id}
            status={f.status}
            subject={{ id: f.subject.id, ownable: (OWNABLE_KINDS as readonly NodeKind[]).includes(f.subject.kind) }}
            links={explorerLinks(f)}
            canManage={can(actor, "findings.manage")}
            canCreateCampaign={can(actor, "campaign.manage")}
            canAssignOwner={can(actor, "owner.assign")}
            maxAcceptanceDays={settings.maxAcceptanceDays}
          />
          {/* Kept while accepted too: the background job may accept this very finding before the page's refresh after
              "Accept by rule" renders, and the panel's confirmation (with its link to the suppressions) must survive it. */}
          {can(actor, "findings.manage") && f.status !== "resolved" ? (
            <section className="panel" aria-labelledby="by-rule" data-testid="accept-by-rule-panel">
              <h2 id="by-rule" style={{ marginTop: 0 }}>
                Accept by rule
              </h2>
              <p className={styles.note}>
                Accept this and every other finding of a rule about {f.subject.name}, through a node, or from the same cause, until a date.
              </p>
              <AcceptByRule
                finding={{ rule: f.rule, subject: { id: f.subject.id, name: f.subject.name }, cause: f.cause ? { id: f.cause.id, name: f.cause.name } : null }}
                maxDays={MAX_SUPPRESSION_DAYS}
              />
            </section>
          ) : null}
          <section className="panel" aria-labelledby="about">
            <h2 id="about" style={{ marginTop: 0 }}>
              About this finding
            </h2>
            <p style={{ marginTop: 0 }}>{rule.description}</p>
            <p className={styles.note}>
              {f.owasp.map((o) => `OWASP ${o.id} ${o.name}`).join("; ")}: {rule.owaspWhy}
            </p>
            <dl className={`attrs ${detailStyles.dates}`} data-testid="finding-dates">
              <dt>First seen</dt>
              <dd>
                <LocalTime value={f.firstSeenAt} />
              </dd>
              <dt>Last seen</dt>
              <dd>
                <LocalTime value={f.lastSeenAt} />
              </dd>
              {f.resolvedAt ? (
                <>
                  <dt>Resolved</dt>
                  <dd>
                    <LocalTime value={f.resolvedAt} />
                  </dd>
                </>
              ) : null}
              {f.reopenCount ? (
                <>
                  <dt>Reopened</dt>
                  <dd>
                    {f.reopenCount}× (last <LocalTime value={f.reopenedAt} />)
                  </dd>
                </>
              ) : null}
              {f.acceptance ? (
                <>
                  <dt>Accepted</dt>
                  <dd data-testid="acceptance">
                    until <LocalTime value={f.acceptance.expiresAt} />
                    {f.acceptance.expired ? " (expired)" : ""} by {f.acceptance.by ?? "—"}: {f.acceptance.reason}
                    {f.acceptance.suppressionId ? (
                      <>
                        {" "}
                        (<Link href="/findings/suppressions">a suppression</Link>)
                      </>
                    ) : null}
                  </dd>
                </>
              ) : null}
            </dl>
          </section>
        </div>
      </div>
    </>
  );
}
