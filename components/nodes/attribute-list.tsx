/** Renders imported attributes as text only: they come from untrusted sources. */
export function AttributeList({ attributes }: { attributes: Record<string, unknown> }) {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return <p className="subtitle">No attributes.</p>;
  return (
    <dl className="attrs">
      {entries.map(([k, v]) => (
        <div key={k} style={{ display: "contents" }}>
          <dt>{k}</dt>
          <dd>{v !== null && typeof v === "object" ? <pre className="json">{JSON.stringify(v, null, 2)}</pre> : String(v ?? "—")}</dd>
        </div>
      ))}
    </dl>
  );
}
