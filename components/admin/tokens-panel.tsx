"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import type { TokenView } from "@/lib/admin/api-tokens";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { NewSecret } from "./new-secret";
import styles from "./admin.module.css";

export type TokenRow = TokenView;
export const TOKENS_KEY = ["admin", "tokens"] as const;

const live = (t: TokenRow, now: number) => !t.revokedAt && (!t.expiresAt || Date.parse(t.expiresAt) > now);

/** Create (shown once, with a copy button), list and revoke API tokens; revoking asks first and the token leaves the list. */
export function TokensPanel({ tokens, myRoles, canMakeGateways = false }: { tokens: TokenRow[]; myRoles: string[]; canMakeGateways?: boolean }) {
  const qc = useQueryClient();
  const { data } = useQuery({
    queryKey: TOKENS_KEY,
    queryFn: async () => (await apiFetch<{ items: TokenRow[] }>("/api/v1/tokens")).items,
    initialData: tokens,
  });
  const [created, setCreated] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<TokenRow | null>(null);
  // Expiry is judged once per visit; a token that expires while the page is open is refused by the server anyway.
  const [now] = useState(() => Date.now());

  const [createdFor, setCreatedFor] = useState<"self" | "gateway">("self");
  const create = useMutation({
    mutationFn: (body: { name: string; roles: string[]; expiresAt?: string } | { gateway: true; name: string; expiresAt?: string }) =>
      apiFetch<TokenRow & { token: string }>("/api/v1/tokens", { method: "POST", body }),
    onMutate: (body) => setCreatedFor("gateway" in body ? "gateway" : "self"),
    onSuccess: (t) => {
      setCreated(t.token);
      const { token: _secret, ...row } = t;
      qc.setQueryData<TokenRow[]>(TOKENS_KEY, (old) => [row, ...(old ?? [])]);
      void qc.invalidateQueries({ queryKey: TOKENS_KEY });
      void qc.invalidateQueries({ queryKey: ["admin", "users"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (t: TokenRow) => apiFetch<TokenRow>(`/api/v1/tokens/${encodeURIComponent(t.id)}`, { method: "DELETE" }),
    onSuccess: (row) => {
      qc.setQueryData<TokenRow[]>(TOKENS_KEY, (old) => old?.map((t) => (t.id === row.id ? { ...t, revokedAt: row.revokedAt ?? new Date().toISOString() } : t)));
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: TOKENS_KEY });
      void qc.invalidateQueries({ queryKey: ["admin", "users"] });
    },
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const days = Number(f.get("days"));
    const expiry = days > 0 ? { expiresAt: new Date(Date.now() + days * 86_400_000).toISOString() } : {};
    const name = String(f.get("name") ?? "");
    create.mutate(f.get("kind") === "gateway" ? { gateway: true, name, ...expiry } : { name, roles: f.getAll("roles").map(String), ...expiry }, {
      onSuccess: () => form.reset(),
    });
  }

  const expirySelect = (
    <label>
      expires in{" "}
      <select name="days" defaultValue="90" aria-label="Expiry">
        <option value="30">30 days</option>
        <option value="90">90 days</option>
        <option value="365">a year</option>
        <option value="0">never</option>
      </select>
    </label>
  );
  const outcome = (kind: "self" | "gateway") =>
    createdFor === kind ? (
      <>
        {created ? (
          <NewSecret
            value={created}
            testId={kind === "gateway" ? "new-gateway-token" : "new-token"}
            hint={
              kind === "gateway"
                ? "Give it to the gateway as its PDP token (Authorization: Bearer <token>); see docs/ENFORCEMENT.md."
                : "Send it as Authorization: Bearer <token>."
            }
          />
        ) : null}
        {create.isError ? <Alert>{errorMessage(create.error)}</Alert> : null}
      </>
    ) : null;

  const active = data.filter((t) => live(t, now));
  const ended = data.filter((t) => !live(t, now));
  return (
    <>
      <form className={`panel ${styles.form}`} onSubmit={submit} aria-labelledby="new-token">
        <h3 id="new-token" className={styles.formTitle}>
          New token for yourself
        </h3>
        <div className={styles.row}>
          <input className="text" name="name" placeholder="What it is for, e.g. okta-sync" aria-label="Token name" required maxLength={100} />
          {myRoles.map((r) => (
            <label key={r}>
              <input type="checkbox" name="roles" value={r} defaultChecked={myRoles.length === 1 || r !== "admin"} /> {r}
            </label>
          ))}
          {expirySelect}
          <button className="btn" type="submit" disabled={create.isPending}>
            Create token
          </button>
        </div>
        {outcome("self")}
      </form>
      {canMakeGateways ? (
        <form className={`panel ${styles.form}`} onSubmit={submit} aria-labelledby="new-gateway-token" data-testid="gateway-token-form">
          <h3 id="new-gateway-token" className={styles.formTitle}>
            New gateway token
          </h3>
          <p className={styles.muted}>
            For a gateway or MCP proxy that asks Attest for runtime decisions: a service user with the pdp role alone is made with it (it cannot sign in;
            disabling it stops the token).
          </p>
          <div className={styles.row}>
            <input type="hidden" name="kind" value="gateway" />
            <input className="text" name="name" placeholder="The gateway, e.g. agentgateway-prod" aria-label="Gateway name" required maxLength={100} />
            {expirySelect}
            <button className="btn" type="submit" disabled={create.isPending}>
              Create gateway token
            </button>
          </div>
          {outcome("gateway")}
        </form>
      ) : null}
      {active.length === 0 ? (
        <p className="subtitle">No active API tokens.</p>
      ) : (
        <Table testId="tokens-table" caption="Active API tokens">
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
            {active.map((t) => (
              <tr key={t.id}>
                <td>
                  {t.name} <span className={`mono ${styles.muted}`}>{t.prefix}…</span>
                </td>
                <td>{t.userEmail}</td>
                <td>{t.roles.join(", ")}</td>
                <td>
                  <LocalTime value={t.createdAt} relative={false} />
                </td>
                <td>{t.expiresAt ? <LocalTime value={t.expiresAt} /> : "never"}</td>
                <td>{t.lastUsedAt ? <LocalTime value={t.lastUsedAt} /> : "never"}</td>
                <td>
                  <button
                    type="button"
                    className={`btn secondary ${styles.small}`}
                    onClick={() => {
                      revoke.reset();
                      setRevoking(t);
                    }}
                    aria-label={`Revoke ${t.name}`}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {ended.length ? (
        <details className={styles.revoked} data-testid="ended-tokens">
          <summary>
            {ended.length} revoked or expired token{ended.length === 1 ? "" : "s"}
          </summary>
          <ul>
            {ended.map((t) => (
              <li key={t.id}>
                {t.name} <span className={`mono ${styles.muted}`}>{t.prefix}…</span> · {t.userEmail} ·{" "}
                {t.revokedAt ? (
                  <>
                    revoked <LocalTime value={t.revokedAt} />
                  </>
                ) : (
                  <>
                    expired <LocalTime value={t.expiresAt} />
                  </>
                )}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke the token “${revoking?.name ?? ""}”?`}
        confirmLabel="Revoke"
        tone="danger"
        busy={revoke.isPending}
        error={revoke.isError ? errorMessage(revoke.error) : null}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onCancel={() => setRevoking(null)}
      >
        <p>
          Anything that uses it ({revoking?.userEmail}, {revoking?.roles.join(", ")}) is refused from its next request. This cannot be undone: a new token would
          have to be created and configured.
        </p>
      </ConfirmDialog>
    </>
  );
}
