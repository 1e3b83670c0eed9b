"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { ConnectorKindView, ConnectorView } from "@/lib/connectors/manage";
import { ConnectorCard, CONNECTORS_KEY } from "./connector-card";
import { ConnectorForm } from "./connector-form";
import { isOpen } from "./connector-format";
import styles from "./connectors.module.css";

export interface ConnectorList {
  items: ConnectorView[];
  total: number;
  nextCursor: null;
  secretKeyProblem: string | null;
}

/**
 * Admin › Connectors: the list (polled every 2 s while a run is queued or
 * running), the no-key banner, the empty state and, for admins, the add form.
 */
export function ConnectorsPanel({ initial, kinds, canManage }: { initial: ConnectorList; kinds: ConnectorKindView[]; canManage: boolean }) {
  const qc = useQueryClient();
  const [added, setAdded] = useState<string | null>(null);
  const { data } = useQuery({
    queryKey: CONNECTORS_KEY,
    queryFn: () => apiFetch<ConnectorList>("/api/v1/connectors"),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.items.some((c) => isOpen(c.activeRun)) ? 2000 : false),
  });
  const [showForm, setShowForm] = useState(data.items.length === 0);
  const [resealed, setResealed] = useState<string | null>(null);
  const byKind = new Map(kinds.map((k) => [k.kind, k]));
  const stale = data.items.filter((c) => c.credentialNeedsReseal).length;
  const reseal = useMutation({
    mutationFn: () => apiFetch<{ resealed: number; failed: number }>("/api/v1/connectors/reseal", { method: "POST" }),
    onSuccess: (r) => {
      setResealed(
        `${r.resealed} credential${r.resealed === 1 ? "" : "s"} re-encrypted with the current key${r.failed ? `; ${r.failed} could not be opened (enter them again)` : ""}.`,
      );
      void qc.invalidateQueries({ queryKey: CONNECTORS_KEY });
    },
  });

  return (
    <>
      {data.secretKeyProblem ? (
        <div className={styles.banner} role="alert" data-testid="secret-key-banner">
          <strong>Credentials are refused on this server.</strong>
          {data.secretKeyProblem}. Set ATTEST_SECRET_KEY (32 characters or more, kept outside the database) and restart; until then connectors can be added and
          edited, but not given a credential, tested or run.
        </div>
      ) : null}

      {canManage && stale > 0 && !data.secretKeyProblem ? (
        <div className={styles.banner} role="status" data-testid="reseal-banner">
          <strong>
            {stale} credential{stale === 1 ? " was" : "s were"} sealed with an earlier ATTEST_SECRET_KEY.
          </strong>{" "}
          They still open with ATTEST_SECRET_KEY_PREVIOUS; move them to the current key before you drop it.{" "}
          <button className="btn" type="button" disabled={reseal.isPending} onClick={() => reseal.mutate()}>
            {reseal.isPending ? "Re-encrypting…" : "Re-encrypt credentials"}
          </button>
          {reseal.isError ? <Alert tone="danger">{errorMessage(reseal.error)}</Alert> : null}
        </div>
      ) : null}
      {resealed ? <Alert tone="ok">{resealed}</Alert> : null}

      {data.items.length === 0 ? (
        <div className="panel empty" role="status" data-testid="connectors-empty">
          <h2>No connectors yet</h2>
          <p>
            A connector pulls people, groups, service accounts, roles and grants from a system where they live — AWS IAM, Microsoft Entra ID, Okta or GitHub —
            on a schedule or when you run it, and writes them into the graph through the same import engine as a file upload.
          </p>
          <p>
            {canManage
              ? "To start: choose the system below, give it a read-only credential (see the permissions to grant in the README, “Connectors”), test the connection, then run it."
              : "An administrator adds connectors; you can follow their runs here."}
          </p>
        </div>
      ) : null}

      {canManage ? (
        showForm ? (
          <ConnectorForm
            kinds={kinds}
            canStoreCredential={!data.secretKeyProblem}
            onCreated={(c) => {
              setAdded(c.name);
              setShowForm(false);
              qc.setQueryData<ConnectorList>(CONNECTORS_KEY, (old) => (old ? { ...old, items: [...old.items, c], total: old.total + 1 } : old));
              void qc.invalidateQueries({ queryKey: CONNECTORS_KEY });
            }}
          />
        ) : (
          <div className="toolbar">
            <button className="btn" type="button" onClick={() => setShowForm(true)}>
              Add connector
            </button>
          </div>
        )
      ) : null}
      {added ? <Alert tone="ok">Connector {added} added. Test its connection, then run it.</Alert> : null}

      {data.items.length ? (
        <section aria-label="Connectors" className={styles.list}>
          {data.items.map((c) => (
            <ConnectorCard key={c.id} c={c} kind={byKind.get(c.kind)} canManage={canManage} canStoreCredential={!data.secretKeyProblem} />
          ))}
        </section>
      ) : null}
    </>
  );
}
