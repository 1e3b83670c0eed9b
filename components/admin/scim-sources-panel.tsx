"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import type { SourceView } from "@/lib/admin/sources";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { NewSecret } from "./new-secret";
import styles from "./admin.module.css";

export const SCIM_SOURCES_KEY = ["admin", "sources", "scim"] as const;

type Ask = { kind: "rotate" | "disable" | "enable"; source: SourceView };

/**
 * SCIM sources: one per identity provider that provisions people into Attest.
 * Create one (its token shown once), rotate its token, disable or enable it;
 * rotation and disabling ask first, since both cut a running sync off.
 */
export function ScimSourcesPanel({ sources, scimUrl }: { sources: SourceView[]; scimUrl: string }) {
  const qc = useQueryClient();
  const { data } = useQuery({
    queryKey: SCIM_SOURCES_KEY,
    queryFn: async () => (await apiFetch<{ items: SourceView[] }>("/api/v1/sources?type=scim")).items,
    initialData: sources,
  });
  const [secret, setSecret] = useState<{ source: string; token: string } | null>(null);
  const [ask, setAsk] = useState<Ask | null>(null);
  const done = () => void qc.invalidateQueries({ queryKey: ["admin", "sources"] });

  const create = useMutation({
    mutationFn: (body: { name: string; type: "scim"; description?: string }) =>
      apiFetch<{ source: SourceView; scimToken: string }>("/api/v1/sources", { method: "POST", body }),
    onSuccess: ({ source, scimToken }) => {
      setSecret({ source: source.name, token: scimToken });
      qc.setQueryData<SourceView[]>(SCIM_SOURCES_KEY, (old) => [...(old ?? []), source]);
      done();
    },
  });
  const act = useMutation({
    mutationFn: async (a: Ask): Promise<{ source: SourceView; scimToken?: string }> =>
      a.kind === "rotate"
        ? apiFetch<{ source: SourceView; scimToken: string }>(`/api/v1/sources/${encodeURIComponent(a.source.id)}/scim-token`, { method: "POST" })
        : {
            source: await apiFetch<SourceView>(`/api/v1/sources/${encodeURIComponent(a.source.id)}`, {
              method: "PATCH",
              body: { status: a.kind === "disable" ? "disabled" : "active" },
            }),
          },
    onSuccess: ({ source, scimToken }) => {
      qc.setQueryData<SourceView[]>(SCIM_SOURCES_KEY, (old) => old?.map((s) => (s.id === source.id ? source : s)));
      if (scimToken) setSecret({ source: source.name, token: scimToken });
      setAsk(null);
      done();
    },
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const description = String(f.get("description") ?? "").trim();
    create.mutate({ name: String(f.get("name") ?? "").trim(), type: "scim", ...(description ? { description } : {}) }, { onSuccess: () => form.reset() });
  }

  // Enabling gives back what was taken away and cuts nothing off: it needs no question.
  const open = (a: Ask) => {
    act.reset();
    if (a.kind === "enable") act.mutate(a);
    else setAsk(a);
  };
  const dialog = ask
    ? ask.kind === "rotate"
      ? {
          title: `Rotate the SCIM token of ${ask.source.name}?`,
          text: "A new token is issued and the current one stops working at once: the identity provider's provisioning fails until you paste the new token into it.",
          confirm: "Rotate token",
        }
      : ask.kind === "disable"
        ? {
            title: `Disable ${ask.source.name}?`,
            text: "Its SCIM token is refused from the next request, so the identity provider can no longer create, change or remove people through it. The people it provisioned stay as they are. You can enable it again.",
            confirm: "Disable source",
          }
        : null
    : null;

  return (
    <>
      <form className={`panel ${styles.form}`} onSubmit={submit} aria-labelledby="new-source">
        <h3 id="new-source" className={styles.formTitle}>
          New SCIM source
        </h3>
        <p className={styles.sub}>
          For an identity provider (Okta, Entra ID, …) that provisions people and groups into Attest. Point it at <code>{scimUrl}</code> with the token shown
          after creating.
        </p>
        <div className={styles.row}>
          <input
            className="text"
            name="name"
            placeholder="e.g. okta-prod"
            aria-label="Source name"
            required
            maxLength={100}
            pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,99}"
            title="Letters, digits, dot, dash or underscore"
          />
          <input className="text" name="description" placeholder="Description (optional)" aria-label="Source description" maxLength={500} />
          <button className="btn" type="submit" disabled={create.isPending}>
            Create SCIM source
          </button>
        </div>
        {create.isError ? <Alert>{errorMessage(create.error)}</Alert> : null}
      </form>
      {act.isError && ask === null ? <Alert>{errorMessage(act.error)}</Alert> : null}
      {secret ? (
        <NewSecret
          value={secret.token}
          testId="new-scim-token"
          hint={`The SCIM token of ${secret.source}: send it as Authorization: Bearer <token> to ${scimUrl}.`}
        />
      ) : null}
      {data.length === 0 ? (
        <p className="subtitle">No SCIM sources yet.</p>
      ) : (
        <Table testId="scim-sources" caption="SCIM sources">
          <thead>
            <tr>
              <th>Source</th>
              <th>Status</th>
              <th>Created</th>
              <th>Token last used</th>
              <th>Last write</th>
              <th className="num">People and groups</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.map((s) => (
              <tr key={s.id} data-testid={`scim-source-${s.name}`}>
                <td>
                  {s.name}
                  {s.description ? <p className={styles.sub}>{s.description}</p> : null}
                </td>
                <td>
                  {s.status === "disabled" ? (
                    <Badge tone="danger">disabled</Badge>
                  ) : s.scimEnabled ? (
                    <Badge tone="ok">active</Badge>
                  ) : (
                    <Badge tone="warn">no token</Badge>
                  )}
                </td>
                <td>
                  <LocalTime value={s.createdAt} />
                </td>
                <td>{s.scimTokenLastUsedAt ? <LocalTime value={s.scimTokenLastUsedAt} /> : <span className={styles.muted}>never</span>}</td>
                <td>{s.lastImportAt ? <LocalTime value={s.lastImportAt} /> : <span className={styles.muted}>never</span>}</td>
                <td className="num">{s.nodeCount.toLocaleString("en")}</td>
                <td>
                  <div className={styles.actions}>
                    <button
                      type="button"
                      className={`btn secondary ${styles.small}`}
                      onClick={() => open({ kind: "rotate", source: s })}
                      aria-label={`Rotate token of ${s.name}`}
                    >
                      Rotate token
                    </button>
                    {s.status === "disabled" ? (
                      <button
                        type="button"
                        className={`btn ${styles.small}`}
                        onClick={() => open({ kind: "enable", source: s })}
                        aria-label={`Enable ${s.name}`}
                      >
                        Enable
                      </button>
                    ) : (
                      <button
                        type="button"
                        className={`btn secondary ${styles.small}`}
                        onClick={() => open({ kind: "disable", source: s })}
                        aria-label={`Disable ${s.name}`}
                      >
                        Disable
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <ConfirmDialog
        open={ask !== null}
        title={dialog?.title ?? ""}
        confirmLabel={dialog?.confirm ?? "Confirm"}
        tone="danger"
        busy={act.isPending}
        error={act.isError ? errorMessage(act.error) : null}
        onConfirm={() => ask && act.mutate(ask)}
        onCancel={() => setAsk(null)}
      >
        <p>{dialog?.text}</p>
      </ConfirmDialog>
    </>
  );
}
