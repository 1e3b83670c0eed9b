"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import type { AppUserView } from "@/lib/admin/app-users";
import { ROLES, type Role } from "@/lib/authz/roles";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import styles from "./admin.module.css";

export type UserRow = AppUserView;
export const USERS_KEY = ["admin", "users"] as const;

/** What each role opens, said in the confirmation. */
const ROLE_MEANS: Record<Role, string> = {
  admin: "manage users, roles, tokens, sources and settings",
  analyst: "read the graph, run imports, assign owners and run campaigns",
  reviewer: "decide the review items assigned to them",
  auditor: "read the graph, the audit log and export evidence",
  pdp: "ask for runtime decisions (AuthZEN) as a gateway or enforcement point, and nothing else",
};

interface Pending {
  user: UserRow;
  body: { status?: "active" | "disabled"; roles?: Role[] };
  title: string;
  text: string;
  confirm: string;
  danger: boolean;
}

/** Users and their roles. Every change is confirmed first, then takes effect on the user's next request. */
export function UsersTable({ users, selfId }: { users: UserRow[]; selfId: string }) {
  const qc = useQueryClient();
  const { data } = useQuery({ queryKey: USERS_KEY, queryFn: async () => (await apiFetch<{ items: UserRow[] }>("/api/v1/users")).items, initialData: users });
  const [pending, setPending] = useState<Pending | null>(null);
  const change = useMutation({
    mutationFn: (p: Pending) => apiFetch<UserRow>(`/api/v1/users/${encodeURIComponent(p.user.id)}`, { method: "PATCH", body: p.body }),
    onSuccess: (updated) => {
      qc.setQueryData<UserRow[]>(USERS_KEY, (old) => old?.map((u) => (u.id === updated.id ? { ...u, ...updated } : u)));
      setPending(null);
      void qc.invalidateQueries({ queryKey: USERS_KEY });
      // Tokens carry their user's roles: their list may change too.
      void qc.invalidateQueries({ queryKey: ["admin", "tokens"] });
    },
  });

  function askRole(u: UserRow, r: Role, grant: boolean) {
    change.reset();
    setPending({
      user: u,
      body: { roles: grant ? [...u.roles, r] : u.roles.filter((x) => x !== r) },
      title: grant ? `Give ${u.name} the ${r} role?` : `Take the ${r} role from ${u.name}?`,
      text: grant
        ? `${u.name} will be able to ${ROLE_MEANS[r]}, from their next request.`
        : `${u.name} will no longer be able to ${ROLE_MEANS[r]}, from their next request; tokens that carry this role lose it too.`,
      confirm: grant ? `Give ${r}` : `Take ${r} away`,
      danger: !grant,
    });
  }

  function askStatus(u: UserRow) {
    change.reset();
    const disable = u.status === "active";
    setPending({
      user: u,
      body: { status: disable ? "disabled" : "active" },
      title: disable ? `Disable ${u.name}?` : `Enable ${u.name}?`,
      text: disable
        ? `${u.name} is signed out at once and cannot sign in or use their API tokens until enabled again.`
        : `${u.name} can sign in again with the roles they hold.`,
      confirm: disable ? "Disable" : "Enable",
      danger: disable,
    });
  }

  return (
    <>
      <Table testId="users-table" caption="Users and roles">
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
          {data.map((u) => (
            <tr key={u.id} aria-busy={change.isPending && pending?.user.id === u.id}>
              <td>
                {u.name}
                <p className={styles.sub}>
                  {u.email}
                  {u.tokens ? ` · ${u.tokens} token${u.tokens === 1 ? "" : "s"}` : ""}
                  {u.oidc ? " · OIDC" : ""}
                  {u.status === "active" && u.roles.length === 0 ? " · no role yet" : ""}
                </p>
              </td>
              <td>{u.humanName ?? "—"}</td>
              {ROLES.map((r) => (
                <td key={r}>
                  <input
                    type="checkbox"
                    aria-label={`${u.name}: ${r}`}
                    checked={u.roles.includes(r)}
                    disabled={change.isPending || (u.id === selfId && r === "admin")}
                    onChange={(e) => askRole(u, r, e.target.checked)}
                  />
                </td>
              ))}
              <td>
                <button
                  type="button"
                  className={`btn ${u.status === "active" ? "secondary" : ""} ${styles.small}`}
                  disabled={change.isPending || u.id === selfId}
                  onClick={() => askStatus(u)}
                  aria-label={`${u.status === "active" ? "Disable" : "Enable"} ${u.name}`}
                >
                  {u.status === "active" ? "Active · disable" : "Disabled · enable"}
                </button>
              </td>
              <td className={styles.muted}>{u.lastSignInAt ? <LocalTime value={u.lastSignInAt} /> : "never"}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      <ConfirmDialog
        open={pending !== null}
        title={pending?.title ?? ""}
        confirmLabel={pending?.confirm ?? "Confirm"}
        tone={pending?.danger ? "danger" : "default"}
        busy={change.isPending}
        error={change.isError ? errorMessage(change.error) : null}
        onConfirm={() => pending && change.mutate(pending)}
        onCancel={() => setPending(null)}
      >
        <p>{pending?.text}</p>
        <p className={styles.sub}>The change is recorded in the audit log.</p>
      </ConfirmDialog>
      {change.isError && pending === null ? <Alert>{errorMessage(change.error)}</Alert> : null}
    </>
  );
}
