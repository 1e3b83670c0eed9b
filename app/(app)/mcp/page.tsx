import Link from "next/link";
import { getDb } from "@/db/client";
import { EmptyState } from "@/components/ui/empty-state";
import { RiskBadge } from "@/components/ui/kind-badge";
import { requirePagePermission } from "@/lib/authz/session";
import { listMcpServers, type McpServerSummary } from "@/lib/graph/mcp-inventory";

export const metadata = { title: "MCP servers & tools" };

const RISK_COLOR = { critical: "#b42318", high: "#dc6803", medium: "#2457d6", low: "#1a7f37" } as const;

/** A server's tools grouped by why they have their risk, most worrying first (the inventory's order). */
function byReason(tools: McpServerSummary["tools"]) {
  const groups = new Map<string, { risk: McpServerSummary["tools"][number]["risk"]; code: string; reason: string; tools: McpServerSummary["tools"] }>();
  for (const t of tools) {
    // The words can carry details (which default applied); tools with the same words share a row.
    const key = `${t.reasonCode}\u0000${t.reason}`;
    const g = groups.get(key) ?? { risk: t.risk, code: t.reasonCode, reason: t.reason, tools: [] };
    g.tools.push(t);
    groups.set(key, g);
  }
  return [...groups.values()];
}

export default async function McpPage() {
  const actor = await requirePagePermission("graph.read");
  const servers = await listMcpServers(await getDb(), actor);
  const toolCount = servers.reduce((a, s) => a + s.tools.length, 0);
  return (
    <>
      <h1>MCP servers &amp; tools</h1>
      <p className="subtitle">
        {servers.length} servers exposing {toolCount} tools. Tool risk comes from the server&apos;s own annotations, read with the MCP defaults: a tool
        that declares itself destructive is critical; one that writes without saying whether it destroys, writes to an open world, or has no
        annotations is high; a non-destructive closed-world write is medium; read-only is low.
      </p>
      <div className="chips" aria-label="Risk legend">
        {Object.entries(RISK_COLOR).map(([r, c]) => (
          <span key={r} className="chip">
            <span className="dot" style={{ background: c }} aria-hidden /> {r}
          </span>
        ))}
      </div>
      {servers.length === 0 ? (
        <EmptyState title="No MCP servers yet">
          <p>Import an MCP client configuration or discover a live server to see its tools here.</p>
        </EmptyState>
      ) : (
        servers.map((s) => (
          <section key={s.id} className="panel" data-testid="mcp-server">
            <h2 style={{ marginTop: 0, display: "flex", gap: "0.5rem", alignItems: "center" }}>
              <Link href={`/nodes/${s.id}`}>{s.name}</Link>
              {s.transport ? <span className={`badge ${s.endpoint?.startsWith("http://") ? "danger" : ""}`}>{s.transport}</span> : null}
              {s.version ? <span className="badge">v{s.version}</span> : null}
            </h2>
            {s.endpoint ? <p className="mono subtitle">{s.endpoint}</p> : null}
            <div className="bar" style={{ height: 12, marginBottom: "0.6rem" }} role="img" aria-label={`Risk mix: ${Object.entries(s.riskCounts).filter(([, n]) => n).map(([r, n]) => `${n} ${r}`).join(", ")}`}>
              {Object.entries(s.riskCounts).map(([r, n]) =>
                n ? <span key={r} title={`${n} ${r}`} style={{ width: `${(100 * n) / Math.max(1, s.tools.length)}%`, background: RISK_COLOR[r as keyof typeof RISK_COLOR] }} /> : null,
              )}
            </div>
            {byReason(s.tools).map((g) => (
              <div key={`${g.code}:${g.reason}`} data-testid="mcp-risk-reason" data-reason-code={g.code} style={{ marginBottom: "0.5rem" }}>
                <p style={{ margin: "0 0 0.3rem" }}>
                  <RiskBadge risk={g.risk} /> <span className="subtitle">{g.reason}</span>
                </p>
                <div className="chips">
                  {g.tools.map((t) => (
                    <Link key={t.id} className="chip" href={`/nodes/${t.id}`} title={`${t.risk} risk: ${t.reason}`}>
                      <span className="dot" style={{ background: RISK_COLOR[t.risk] }} aria-hidden />
                      {t.name}
                    </Link>
                  ))}
                </div>
              </div>
            ))}
          </section>
        ))
      )}
    </>
  );
}
