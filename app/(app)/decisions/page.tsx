import Link from "next/link";
import { getDb } from "@/db/client";
import { TestDecision } from "@/components/pdp/test-decision";
import styles from "@/components/pdp/pdp.module.css";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { LocalTime } from "@/components/ui/local-time";
import { Pager } from "@/components/ui/pager";
import { Table } from "@/components/ui/table";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { hrefWith } from "@/lib/nav/url-state";
import { getNode } from "@/lib/graph/nodes";
import { listDecisions, listDecisionsQuerySchema } from "@/lib/usage/decisions-api";

export const metadata = { title: "Runtime decisions" };

type Params = Record<string, string | string[] | undefined>;
const PAGE = 50;
const FILTERS = [
  { value: undefined, label: "All" },
  { value: "allow", label: "Allowed" },
  { value: "deny", label: "Denied" },
] as const;

/**
 * Runtime decisions: test what the decision point answers now (analysts and admins), and read what it answered
 * gateways (the decision log, newest first, by cursor; allowed or denied). Auditors read the log; the export and
 * its verification are linked.
 */
export default async function DecisionsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const actor = await requirePagePermission("pdp.evaluate", "usage.read");
  const p = await searchParams;
  const one = (k: string) => (typeof p[k] === "string" && p[k] ? (p[k] as string) : undefined);
  const decision = one("decision") === "allow" || one("decision") === "deny" ? one("decision") : undefined;
  const cursor = one("cursor");
  const from = /^\d{1,7}$/.test(one("from") ?? "") ? Number(one("from")) : 0;
  // About one node (from its page's "Runtime decisions" link): its id as subject or as tool.
  const about = { ...(one("subject") ? { subject: one("subject")! } : {}), ...(one("tool") ? { tool: one("tool")! } : {}) };
  const parsed = listDecisionsQuerySchema.safeParse({ limit: String(PAGE), ...about, ...(decision ? { decision } : {}), ...(cursor ? { cursor } : {}) });
  const db = await getDb();
  const page = can(actor, "usage.read")
    ? await listDecisions(db, actor, parsed.success ? parsed.data : listDecisionsQuerySchema.parse({ limit: String(PAGE) }))
    : null;
  // The filters in words: a node's name where the reader may see the graph, else the id as given.
  const named = async (id: string) => (can(actor, "graph.read") ? ((await getNode(db, id))?.name ?? id) : id);
  const aboutChips = parsed.success
    ? [
        ...(about.subject ? [{ label: "Who", name: await named(about.subject) }] : []),
        ...(about.tool ? [{ label: "Resource", name: await named(about.tool) }] : []),
      ]
    : [];
  const base = { ...(parsed.success ? about : {}), ...(decision ? { decision } : {}) };
  return (
    <>
      <h1>Runtime decisions</h1>
      <p className="subtitle">
        Gateways and MCP proxies ask Attest at call time whether an identity may still call a tool (AuthZEN). An answer allows only along an access path that
        exists now, avoiding access revoked in a review, with active owners and principals, under the runtime policy
        {can(actor, "admin.settings") ? (
          <>
            {" "}
            (<Link href="/admin#pdp-policy-title">edit the policy</Link>)
          </>
        ) : null}
        .
      </p>
      {can(actor, "pdp.evaluate") ? <TestDecision /> : null}
      {page ? (
        <section aria-labelledby="recent-title">
          <h2 id="recent-title">Recent decisions</h2>
          <div className={styles.filters}>
            <nav aria-label="Filter decisions" className={styles.filters}>
              {FILTERS.map((f) => (
                <Link
                  key={f.label}
                  className={`btn ${decision === f.value ? "" : "secondary"}`}
                  aria-current={decision === f.value ? "page" : undefined}
                  href={hrefWith("/decisions", { ...(parsed.success ? about : {}) }, { decision: f.value })}
                >
                  {f.label}
                </Link>
              ))}
            </nav>
            {aboutChips.length ? (
              <span className="badge" data-testid="decisions-about">
                {aboutChips.map((c) => `${c.label}: ${c.name}`).join(" · ")}{" "}
                <Link href={hrefWith("/decisions", decision ? { decision } : {})} aria-label="Show decisions about everything">
                  ✕
                </Link>
              </span>
            ) : null}
            {can(actor, "audit.read") ? (
              <a className="btn secondary" href={hrefWith("/api/v1/pdp/decisions/export", { format: "ocsf", ...base })} download>
                Export (OCSF, JSON Lines)
              </a>
            ) : null}
          </div>
          {!parsed.success ? (
            <p className="alert" role="alert">
              The page in the address was not understood; showing the first.
            </p>
          ) : null}
          {page.items.length === 0 && !cursor ? (
            <EmptyState title={decision ? "No decisions of this kind yet" : "No decisions yet"}>
              <p>
                Decisions appear here once a gateway asks (see docs/ENFORCEMENT.md) or someone tests one above. Allows may be sampled; each row says how many it
                stands for.
              </p>
            </EmptyState>
          ) : (
            <>
              <Table caption="Recent runtime decisions" testId="decisions-table">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Action</th>
                    <th scope="col">Resource</th>
                    <th scope="col">Decision</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((d) => (
                    <tr key={d.id} data-decision={d.decision}>
                      <td>
                        <LocalTime value={d.decidedAt} />
                      </td>
                      <td>
                        {d.subject.id ? <Link href={`/nodes/${encodeURIComponent(d.subject.id)}`}>{d.subject.name ?? d.subject.id}</Link> : d.subject.ref}
                      </td>
                      <td>
                        <code>{d.action}</code>
                      </td>
                      <td>{d.tool.id ? <Link href={`/nodes/${encodeURIComponent(d.tool.id)}`}>{d.tool.name ?? d.tool.id}</Link> : d.tool.ref}</td>
                      <td>
                        <Badge tone={d.decision === "allow" ? "ok" : "danger"}>{d.decision === "allow" ? "Allowed" : "Denied"}</Badge>
                        {d.weight > 1 ? <span title="A sampled allow stands for this many decisions"> ×{d.weight}</span> : null}
                      </td>
                      <td>
                        <code>{d.reasonCode}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <Pager
                from={from}
                shown={page.items.length}
                prevHref={cursor ? hrefWith("/decisions", base) : null}
                nextHref={page.nextCursor ? hrefWith("/decisions", { ...base, cursor: page.nextCursor, from: String(from + PAGE) }) : null}
              />
            </>
          )}
        </section>
      ) : null}
    </>
  );
}
