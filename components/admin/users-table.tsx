"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

const ROLES = ["admin", "analyst", "reviewer", "auditor"] as const;

export interface UserRow {
  id: string;
  email: string;
  name: string;
  status: "active" | "disabled";
  roles: string[];
  humanName: string | null;
  lastSignInAt: string | null;
  tokens: number;
  oidc: boolean;
}

/** Users and their roles; each change is sent at once and takes effect on the user's next request. */
export function UsersTable({ users, selfId }: { users: UserRow[]; selfId: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function patch(id: string, body: { status?: string; roles?: string[] }) {
    setBusy(id);
    setError(null);
    const r = await fetch(`/api/v1/users/${id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!r.ok) setError((await r.json().catch(() => null))?.error?.message ?? `The server answered ${r.status}.`);
    setBusy(null);
    router.refresh();
  }

  return (
    <>
      {error ? (
        <p className="alert" role="alert">
          {error}
        </p>
      ) : null}
      <table className="data" data-testid="users-table">
        <thead>
          <tr>
            <th>User</th>
            <th>Person in the graph</th>
            {ROLES.map((r) => (
              <th key={r}>{r}</th>
            ))}
            <th>Status</th>
            <th>Last sign-in</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} aria-busy={busy === u.id}>
              <td>
                {u.name}
                <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }}>
                  {u.email}
                  {u.tokens ? ` · ${u.tokens} token${u.tokens === 1 ? "" : "s"}` : ""}
                  {u.oidc ? " · OIDC" : ""}
                  {u.status === "active" && u.roles.length === 0 ? " · no role yet" : ""}
                </div>
              </td>
              <td>{u.humanName ?? "—"}</td>
              {ROLES.map((r) => (
                <td key={r}>
                  <input
                    type="checkbox"
                    aria-label={`${u.name}: ${r}`}
                    checked={u.roles.includes(r)}
                    disabled={busy !== null || (u.id === selfId && r === "admin")}
                    onChange={(e) => patch(u.id, { roles: e.target.checked ? [...u.roles, r] : u.roles.filter((x) => x !== r) })}
                  />
                </td>
              ))}
              <td>
                <button
                  type="button"
                  className={`btn ${u.status === "active" ? "secondary" : ""}`}
                  style={{ padding: "0.15rem 0.5rem" }}
                  disabled={busy !== null || u.id === selfId}
                  onClick={() => patch(u.id, { status: u.status === "active" ? "disabled" : "active" })}
                  aria-label={`${u.status === "active" ? "Disable" : "Enable"} ${u.name}`}
                >
                  {u.status === "active" ? "Active · disable" : "Disabled · enable"}
                </button>
              </td>
              <td className="subtitle">{u.lastSignInAt ? u.lastSignInAt.replace("T", " ").slice(0, 16) : "never"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
