"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

export interface OutboundSettingsProps {
  allowHosts: string[];
  allowPrivateRanges: string[];
  env: { allowHosts: string[]; allowPrivateRanges: string[]; ignored: string[] };
  updatedBy: string | null;
  updatedAt: string | null;
}

const lines = (v: FormDataEntryValue | null) =>
  String(v ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

const area = { width: "100%", maxWidth: 520, padding: "0.45rem 0.6rem", border: "1px solid var(--border)", borderRadius: 6, fontSize: "0.85rem" } as const;

/** Where the server may send requests (MCP discovery today): host patterns and opened private ranges. */
export function OutboundPanel({ settings }: { settings: OutboundSettingsProps }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const f = new FormData(e.currentTarget);
    const body = { allowHosts: lines(f.get("allowHosts")), allowPrivateRanges: lines(f.get("allowPrivateRanges")) };
    const r = await fetch("/api/v1/settings/outbound", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = await r.json().catch(() => null);
    if (!r.ok) {
      const details = (json?.error?.details ?? []) as { path: string; message: string }[];
      setError(details.length ? details.map((d) => `${d.path}: ${d.message}`).join("; ") : (json?.error?.message ?? `The server answered ${r.status}.`));
      return;
    }
    setSaved(true);
    router.refresh();
  }

  const env = settings.env;
  return (
    <form className="panel" onSubmit={save} aria-labelledby="outbound-title">
      <p className="subtitle" style={{ marginTop: 0 }}>
        Live MCP discovery makes this server send requests. It reaches only the hosts below, and never a loopback, private, link-local or cloud metadata address unless
        that range is opened too. Nothing is allowed until you add it.
      </p>
      <label htmlFor="outbound-hosts">
        <strong>Allowed hosts</strong>, one per line: <code>mcp.example.com</code>, <code>*.example.com</code> (subdomains), <code>host:port</code>, or <code>*</code> (any public host)
      </label>
      <br />
      <textarea className="mono" id="outbound-hosts" name="allowHosts" rows={4} style={area} defaultValue={settings.allowHosts.join("\n")} aria-label="Allowed hosts" />
      <br />
      <label htmlFor="outbound-ranges">
        <strong>Opened private ranges</strong>, one per line: addresses or CIDR ranges such as <code>10.20.0.0/16</code> for a discovery target inside your network
      </label>
      <br />
      <textarea className="mono" id="outbound-ranges" name="allowPrivateRanges" rows={3} style={area} defaultValue={settings.allowPrivateRanges.join("\n")} aria-label="Opened private ranges" />
      {env.allowHosts.length + env.allowPrivateRanges.length + env.ignored.length > 0 ? (
        <p className="subtitle" data-testid="outbound-env">
          Also allowed by the environment: {[...env.allowHosts, ...env.allowPrivateRanges].join(", ") || "nothing"}
          {env.ignored.length ? ` (ignored, not a host pattern or range: ${env.ignored.join(", ")})` : ""}
        </p>
      ) : null}
      <div className="toolbar">
        <button className="btn" type="submit">
          Save outbound settings
        </button>
        {settings.updatedAt ? <span className="subtitle">Last changed {settings.updatedAt.replace("T", " ").slice(0, 16)} by {settings.updatedBy}</span> : null}
      </div>
      {saved ? (
        <p className="badge ok" role="status">
          Saved; applies to the next request.
        </p>
      ) : null}
      {error ? (
        <p className="alert" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
