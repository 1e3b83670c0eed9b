import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import styles from "@/components/inventory/inventory.module.css";
import { Badge } from "@/components/ui/badge";
import { KindBadge, RiskBadge, StatusBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { DETAIL_LIMITS, getMcpServerDetail, type McpServerDetail } from "@/lib/inventory/mcp-server-detail";
import { ORPHAN_RULE_LABEL, orphanRules } from "@/lib/ownership/owner-state";

export const metadata = { title: "MCP server" };

const STORAGE_WORDS: Record<string, string> = { hard_coded: "hard-coded", config_file: "config file", env: "environment variable", vault: "secret manager" };

function More({ shown, total, what, href }: { shown: number; total: number; what: string; href?: string }) {
  return total > shown ? (
    <p className={styles.more}>
      The first {shown.toLocaleString("en")} of {total.toLocaleString("en")} {what}.{" "}
      {href ? <Link href={href}>All of them, with their paths, in the explorer →</Link> : null}
    </p>
  ) : null;
}

export default async function McpServerPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePagePermission("graph.read");
  const { id } = await params;
  let d: McpServerDetail;
  try {
    d = await getMcpServerDetail(await getDb(), actor, decodeURIComponent(id));
  } catch (e) {
    if (isAppError(e) && (e.code === "not_found" || e.code === "validation")) notFound();
    throw e;
  }
  const s = d.server;
  const activeOwners = d.owners.filter((o) => o.active);
  const rules = orphanRules(d.owners);

  return (
    <>
      <p className={styles.sub}>
        <Link href="/mcp">MCP servers</Link> /
      </p>
      <div className={styles.header}>
        <h1>{s.name}</h1>
        {s.transport ? <Badge tone={s.endpoint?.startsWith("http://") ? "danger" : "neutral"}>{s.transport}</Badge> : null}
        {s.version ? <Badge>v{s.version}</Badge> : null}
        {!s.current ? <Badge tone="warn">no longer reported</Badge> : null}
        {rules.length ? <Badge tone="danger">{rules.map((r) => ORPHAN_RULE_LABEL[r]).join(", ")}</Badge> : null}
      </div>
      <div className={styles.links}>
        <Link className="btn secondary" href={`/nodes/${s.id}`}>
          Node page (access, history, owners)
        </Link>
        <Link className="btn secondary" href={`/graph?mode=who&node=${encodeURIComponent(s.id)}`}>
          Who can reach it (explorer)
        </Link>
        <Link className="btn secondary" href={`/graph?mode=neighbors&node=${encodeURIComponent(s.id)}`}>
          Neighbourhood
        </Link>
      </div>

      <section className="panel" aria-labelledby="what">
        <h2 id="what">What it is</h2>
        <dl className={styles.facts}>
          <dt>Source</dt>
          <dd>{s.source}</dd>
          {d.facts.map((f) => (
            <div key={f.label} className={styles.contents}>
              <dt>{f.label}</dt>
              <dd className={f.label === "URL" || f.label === "Command" ? "mono" : undefined}>{f.value}</dd>
            </div>
          ))}
          <dt>First seen</dt>
          <dd>
            <LocalTime value={s.firstSeenAt} />
          </dd>
          <dt>Last seen</dt>
          <dd>
            <LocalTime value={s.lastSeenAt} />
          </dd>
        </dl>
      </section>

      <section className="panel" aria-labelledby="tools">
        <h2 id="tools">Tools ({d.toolTotal.toLocaleString("en")})</h2>
        {d.tools.length === 0 ? (
          <p className={styles.hint}>No tools known: discovery has not listed this server&apos;s tools yet.</p>
        ) : (
          <>
            <p className={styles.hint}>Most worrying first. Risk comes from the tool&apos;s own annotations, read with the MCP defaults.</p>
            <Table caption="Tools" testId="mcp-tools">
              <thead>
                <tr>
                  <th>Tool</th>
                  <th>Risk</th>
                  <th>Why</th>
                </tr>
              </thead>
              <tbody>
                {d.tools.map((t) => (
                  <tr key={t.id} data-testid="mcp-tool-row" data-risk={t.risk.risk}>
                    <td>
                      <Link href={`/nodes/${t.id}`}>{t.name}</Link>
                      {t.definitionChanged ? (
                        <span className={styles.changed}>
                          {t.changeFindingId ? (
                            <Link href={`/findings/${t.changeFindingId}`} className="badge danger" data-testid="definition-changed">
                              definition changed
                            </Link>
                          ) : (
                            <span className="badge warn" data-testid="definition-changed">
                              definition changed
                            </span>
                          )}
                        </span>
                      ) : null}
                      {t.description ? <p className={styles.toolDesc}>{t.description}</p> : null}
                    </td>
                    <td>
                      <RiskBadge risk={t.risk.risk} />
                    </td>
                    <td className={styles.sub}>{t.risk.reason}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <More shown={d.tools.length} total={d.toolTotal} what="tools" />
          </>
        )}
      </section>

      <div className={styles.sections}>
        <section className="panel" aria-labelledby="agents">
          <h2 id="agents">Connecting ({d.agentTotal.toLocaleString("en")})</h2>
          {d.agents.length === 0 ? (
            <p className={styles.hint}>No agent, account or person is known to connect to it.</p>
          ) : (
            <>
              <ul className={styles.list} data-testid="mcp-agents">
                {d.agents.map((a) => (
                  <li key={a.id}>
                    <KindBadge kind={a.kind} /> <Link href={`/nodes/${a.id}`}>{a.name}</Link> <StatusBadge status={a.status} />
                  </li>
                ))}
              </ul>
              <More shown={d.agents.length} total={d.agentTotal} what="principals, by name" href={`/graph?mode=who&node=${encodeURIComponent(d.server.id)}`} />
            </>
          )}
        </section>

        <section className="panel" aria-labelledby="owners">
          <h2 id="owners">Owners</h2>
          {d.owners.length === 0 ? (
            <p className={styles.hint}>Nobody owns it.</p>
          ) : (
            <ul className={styles.list}>
              {d.owners.map((o) => (
                <li key={o.edgeId}>
                  <Link href={`/nodes/${o.owner.id}`}>{o.owner.name}</Link>
                  {o.roles.length ? <span className={styles.sub}>{o.roles.join(", ")}</span> : null}
                  {!o.active ? <Badge tone="warn">{o.owner.kind === "group" ? "no active members" : "left"}</Badge> : null}
                </li>
              ))}
            </ul>
          )}
          {activeOwners.length === 0 ? (
            <p className={styles.more}>
              <Link href={`/ownership/nodes/${s.id}`}>Assign an owner</Link>
            </p>
          ) : null}
        </section>

        <section className="panel" aria-labelledby="credentials">
          <h2 id="credentials">Credentials ({d.credentialTotal.toLocaleString("en")})</h2>
          {d.credentials.length === 0 ? (
            <p className={styles.hint}>No credential is recorded for it.</p>
          ) : (
            <>
              <ul className={styles.list} data-testid="mcp-credentials">
                {d.credentials.map((c) => (
                  <li key={`${c.relation}:${c.id}`}>
                    <Link href={`/nodes/${c.id}`}>{c.name}</Link>
                    <span className={styles.sub}>{c.relation === "uses" ? "used by the server" : "grants access to it"}</span>
                    {c.storage ? (
                      <Badge tone={c.storage === "hard_coded" ? "danger" : c.storage === "config_file" ? "warn" : "neutral"}>
                        {STORAGE_WORDS[c.storage] ?? c.storage}
                      </Badge>
                    ) : null}
                    {c.fingerprint ? <span className={`mono ${styles.fingerprint}`}>{c.fingerprint}</span> : null}
                  </li>
                ))}
              </ul>
              <More shown={d.credentials.length} total={d.credentialTotal} what="credentials" />
            </>
          )}
        </section>

        <section className="panel" aria-labelledby="findings">
          <h2 id="findings">Open findings ({d.findingTotal.toLocaleString("en")})</h2>
          {d.findings.length === 0 ? (
            <p className={styles.hint}>No open findings about the server or its tools.</p>
          ) : (
            <>
              <ul className={styles.list}>
                {d.findings.map((f) => (
                  <li key={f.id}>
                    <RiskBadge risk={f.severity} /> <Link href={`/findings/${f.id}`}>{f.title}</Link>
                  </li>
                ))}
              </ul>
              <More shown={d.findings.length} total={d.findingTotal} what="findings, most severe first" />
            </>
          )}
        </section>
      </div>
      {d.tools.length === 0 && d.agents.length === 0 ? null : (
        <p className={styles.more}>
          Lists show up to {DETAIL_LIMITS.tools} tools and {DETAIL_LIMITS.agents} principals.
        </p>
      )}
    </>
  );
}
