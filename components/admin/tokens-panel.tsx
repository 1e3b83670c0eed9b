"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  userEmail: string;
  roles: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const day = (s: string | null) => (s ? s.slice(0, 10) : "—");

/** Create (shown once), list and revoke API tokens. */
export function TokensPanel({ tokens, myRoles }: { tokens: TokenRow[]; myRoles: string[] }) {
  const router = useRouter();
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const f = new FormData(e.currentTarget);
    const roles = f.getAll("roles").map(String);
    const days = Number(f.get("days"));
    const body = { name: String(f.get("name") ?? ""), roles, ...(days > 0 ? { expiresAt: new Date(Date.now() + days * 86_400_000).toISOString() } : {}) };
    const r = await fetch("/api/v1/tokens", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = await r.json().catch(() => null);
    if (!r.ok) {
      setError(json?.error?.message ?? `The server answered ${r.status}.`);
      return;
    }
    setCreated(json.token);
    (e.target as HTMLFormElement).reset();
    router.refresh();
  }

  async function revoke(id: string) {
    const r = await fetch(`/api/v1/tokens/${id}`, { method: "DELETE" });
    if (!r.ok) setError((await r.json().catch(() => null))?.error?.message ?? `The server answered ${r.status}.`);
    router.refresh();
  }

  return (
    <>
      <form className="panel" onSubmit={create} aria-labelledby="new-token">
        <h3 id="new-token" style={{ marginTop: 0 }}>
          New token for yourself
        </h3>
        <div className="toolbar">
          <input className="text" name="name" placeholder="What it is for, e.g. okta-sync" aria-label="Token name" required maxLength={100} />
          {myRoles.map((r) => (
            <label key={r}>
              <input type="checkbox" name="roles" value={r} defaultChecked={myRoles.length === 1 || r !== "admin"} /> {r}
            </label>
          ))}
          <label>
            expires in{" "}
            <select name="days" defaultValue="90" aria-label="Expiry">
              <option value="30">30 days</option>
              <option value="90">90 days</option>
              <option value="365">a year</option>
              <option value="0">never</option>
            </select>
          </label>
          <button className="btn" type="submit">
            Create token
          </button>
        </div>
        {created ? (
          <div className="badge ok" role="status" style={{ display: "block", padding: "0.6rem", borderRadius: 6 }}>
            Copy it now; it is not shown again: <code data-testid="new-token">{created}</code>
          </div>
        ) : null}
        {error ? (
          <p className="alert" role="alert">
            {error}
          </p>
        ) : null}
      </form>
      {tokens.length === 0 ? (
        <p className="subtitle">No API tokens yet.</p>
      ) : (
        <table className="data" data-testid="tokens-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>User</th>
              <th>Roles</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>
                  {t.name} <span className="mono subtitle">{t.prefix}…</span>
                </td>
                <td>{t.userEmail}</td>
                <td>{t.roles.join(", ")}</td>
                <td>{day(t.createdAt)}</td>
                <td>{day(t.expiresAt)}</td>
                <td>{t.lastUsedAt ? t.lastUsedAt.replace("T", " ").slice(0, 16) : "never"}</td>
                <td>
                  {t.revokedAt ? (
                    <span className="badge danger">revoked {day(t.revokedAt)}</span>
                  ) : (
                    <button type="button" className="btn secondary" style={{ padding: "0.15rem 0.5rem" }} onClick={() => revoke(t.id)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
