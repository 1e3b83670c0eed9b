/** The audit chain's verification, as an auditor reads it at the top of the evidence pages. */
export interface ChainStatusProps {
  ok: boolean;
  entries: number;
  head: string;
  brokenAt?: { seq: number; id: string; reason: string };
}

export function ChainStatus({ ok, entries, head, brokenAt }: ChainStatusProps) {
  return (
    <section className="panel" aria-labelledby="chain-status" data-testid="chain-status" style={{ borderColor: ok ? undefined : "var(--danger)" }}>
      <h2 id="chain-status" style={{ marginTop: 0, display: "flex", gap: "0.5rem", alignItems: "center" }}>
        Hash chain <span className={`badge ${ok ? "ok" : "danger"}`}>{ok ? "verified" : "broken"}</span>
      </h2>
      {ok ? (
        <p style={{ margin: "0 0 0.5rem" }}>
          {entries === 0
            ? "The log is empty: there is nothing to verify yet."
            : `${entries === 1 ? "The one event was" : `All ${entries.toLocaleString("en")} events were`} recomputed just now, each from the one before it: none was edited, removed or moved.`}
        </p>
      ) : (
        <p role="alert" className="alert" style={{ margin: "0 0 0.5rem" }}>
          Event {brokenAt?.seq} ({brokenAt?.id}) fails verification: {brokenAt?.reason}. The {entries.toLocaleString("en")} events before it verify.
        </p>
      )}
      <dl className="attrs">
        <dt>{ok ? "Head" : "Last good head"}</dt>
        <dd className="mono" data-testid="chain-head">
          {head}
        </dd>
        <dt>Check it yourself</dt>
        <dd>
          <code>npm run audit:verify</code> or <code>GET /api/v1/audit/verify</code>; pass a head recorded earlier as <code>--anchor</code> /{" "}
          <code>?anchor=</code> to prove nothing was cut off the end since.
        </dd>
      </dl>
    </section>
  );
}
