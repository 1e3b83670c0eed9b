"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { KindBadge, RiskBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { NodeKind } from "@/lib/graph/model";
import type { RequestsPage } from "@/lib/requests/queries";
import type { AccessRequestView, NodeBrief } from "@/lib/requests/views";
import styles from "./requests.module.css";

export const ACCESS_REQUESTS_KEY = ["access-requests", "inbox"] as const;

/** 15 → "15 min", 60 → "1 h", 240 → "4 h". */
export function durationLabel(m: number): string {
  return m % 60 === 0 ? `${m / 60} h` : `${m} min`;
}

function expiresIn(iso: string, now: number): string {
  const mins = Math.round((Date.parse(iso) - now) / 60_000);
  if (mins <= 0) return "expired";
  if (mins < 60) return `${mins} min`;
  if (mins < 48 * 60) return `${Math.round(mins / 60)} h`;
  return `${Math.round(mins / 1440)} days`;
}

function Who({ node }: { node: NodeBrief }) {
  return (
    <>
      {node.kind ? <KindBadge kind={node.kind as NodeKind} /> : null} <strong>{node.name}</strong>
    </>
  );
}

type Decide = { request: AccessRequestView; decision: "approve" | "deny"; grantMinutes?: number; note?: string };

function Row({
  r,
  choices,
  limit,
  now,
  busy,
  error,
  onApprove,
  onDeny,
}: {
  r: AccessRequestView;
  choices: number[];
  limit: number;
  now: number;
  busy: boolean;
  error: string | null;
  onApprove(minutes: number): void;
  onDeny(): void;
}) {
  const id = useId();
  const [minutes, setMinutes] = useState(choices.includes(60) ? 60 : limit);
  const open = r.status === "pending";
  const late = open && Date.parse(r.requestExpiresAt) <= now;
  return (
    <li className={`panel ${styles.card}`} aria-labelledby={`${id}-title`} data-request={r.id}>
      <div className={styles.facts}>
        <div className={styles.line} id={`${id}-title`}>
          <Who node={r.subject} />
          {r.actingFor ? (
            <span>
              <span className={styles.label}>acting for</span> {r.actingFor.name}
            </span>
          ) : null}
          <span className={styles.label}>asks to call</span> <strong>{r.tool.name}</strong>
          {r.tool.server ? (
            <span>
              <span className={styles.label}>on</span> {r.tool.server.name}
            </span>
          ) : null}
          {r.tool.risk ? <RiskBadge risk={r.tool.risk} /> : null}
        </div>
        <div className={styles.why}>Why approval: {r.why}</div>
        {r.justification ? <div>“{r.justification}”</div> : null}
        <div className={styles.line}>
          <span className={styles.label}>Requested</span> <LocalTime value={r.createdAt} />
          {open ? (
            // Server and browser read the clock a moment apart: the minutes may differ by one.
            <span suppressHydrationWarning>
              · <span className={styles.label}>expires in</span> {expiresIn(r.requestExpiresAt, now)}
            </span>
          ) : null}
        </div>
      </div>
      {open && !late ? (
        <div className={styles.actions} role="group" aria-label={`Decide: ${r.subject.name} → ${r.tool.name}`}>
          <label className={styles.label} htmlFor={`${id}-minutes`}>
            Allow for
          </label>
          <select id={`${id}-minutes`} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} disabled={busy}>
            {choices.map((m) => (
              <option key={m} value={m}>
                {durationLabel(m)}
              </option>
            ))}
          </select>
          <button type="button" className="btn" disabled={busy} onClick={() => onApprove(minutes)}>
            {busy ? "Working…" : "Approve"}
          </button>
          <button type="button" className={`btn secondary ${styles.deny}`} disabled={busy} onClick={onDeny}>
            Deny
          </button>
        </div>
      ) : null}
      <div className={styles.result} role="status">
        {r.status === "approved" ? (
          <span>
            <span className="badge ok">approved</span> Allowed until <LocalTime value={r.grantExpiresAt} />
          </span>
        ) : r.status === "denied" ? (
          <span>
            <span className="badge danger">denied</span>
            {r.decisionNote ? ` “${r.decisionNote}”` : null}
          </span>
        ) : r.status !== "pending" || late ? (
          <span className="badge warn">{late ? "expired" : r.status}</span>
        ) : null}
      </div>
      {error ? (
        <div className={styles.result}>
          <Alert>{error}</Alert>
        </div>
      ) : null}
    </li>
  );
}

/**
 * Micro-approvals in the reviewer inbox: the access requests waiting for the reader (a tool that needs a person's
 * approval before an agent may call it). Approve for a bounded time (the policy's limit caps the choices) or deny
 * with a note. Renders nothing when there is nothing to decide. A decided request stays in place showing the result
 * until the page is left; the list itself is re-read from the API after each decision.
 */
export function AccessRequests({ initial }: { initial: RequestsPage }) {
  const qc = useQueryClient();
  const { data } = useQuery({
    queryKey: ACCESS_REQUESTS_KEY,
    queryFn: () => apiFetch<RequestsPage>("/api/v1/access-requests?status=pending&limit=50"),
    initialData: initial,
  });
  // Time is read once per visit (and per decision): "expires in" need not tick.
  const [now, setNow] = useState(() => Date.now());
  const [decided, setDecided] = useState<Map<string, AccessRequestView>>(new Map());
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [denying, setDenying] = useState<AccessRequestView | null>(null);
  const [note, setNote] = useState("");
  const noteId = useId();

  const decide = useMutation({
    mutationFn: (d: Decide) =>
      apiFetch<AccessRequestView>(`/api/v1/access-requests/${encodeURIComponent(d.request.id)}/decision`, {
        method: "POST",
        body: {
          decision: d.decision,
          version: d.request.version,
          ...(d.grantMinutes ? { grantMinutes: d.grantMinutes } : {}),
          ...(d.note ? { note: d.note } : {}),
        },
      }),
    onSuccess: (view) => {
      setDecided((m) => new Map(m).set(view.id, view));
      setErrors((m) => {
        const n = new Map(m);
        n.delete(view.id);
        return n;
      });
      setDenying(null);
      setNote("");
      setNow(Date.now());
      void qc.invalidateQueries({ queryKey: ["access-requests"] });
    },
    onError: (err, d) => {
      if (d.decision === "approve" || !denying) setErrors((m) => new Map(m).set(d.request.id, errorMessage(err)));
      void qc.invalidateQueries({ queryKey: ["access-requests"] });
    },
  });

  const fresh = new Set(data.items.map((i) => i.id));
  const list = [...data.items.map((i) => decided.get(i.id) ?? i), ...[...decided.values()].filter((v) => !fresh.has(v.id))].sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
  );
  if (list.length === 0) return null;
  const waiting = list.filter((r) => r.status === "pending").length;
  const busyId = decide.isPending ? decide.variables?.request.id : undefined;

  return (
    <section className={styles.section} aria-labelledby="access-requests-title">
      <div className={styles.head}>
        <h2 id="access-requests-title">Access requests</h2>
        <span className="subtitle">
          {waiting
            ? `${waiting} waiting for you${data.total > data.items.length ? ` (${data.total} in all)` : ""}: an agent or person asks to use a tool that needs approval. An approval allows that one tool for a limited time (at most ${durationLabel(data.grant.limitMinutes)}).`
            : "Nothing else waiting."}
        </span>
      </div>
      <ul className={styles.list}>
        {list.map((r) => (
          <Row
            key={r.id}
            r={r}
            choices={data.grant.choices}
            limit={data.grant.limitMinutes}
            now={now}
            busy={busyId === r.id}
            error={errors.get(r.id) ?? null}
            onApprove={(grantMinutes) => decide.mutate({ request: r, decision: "approve", grantMinutes })}
            onDeny={() => {
              decide.reset();
              setNote("");
              setDenying(r);
            }}
          />
        ))}
      </ul>
      <ConfirmDialog
        open={!!denying}
        title="Deny this access request?"
        confirmLabel="Deny request"
        tone="danger"
        busy={decide.isPending}
        error={denying && decide.isError ? errorMessage(decide.error) : null}
        onCancel={() => setDenying(null)}
        onConfirm={() => denying && decide.mutate({ request: denying, decision: "deny", note: note.trim() || undefined })}
      >
        {denying ? (
          <>
            <p>
              {denying.subject.name} will not be allowed to call {denying.tool.name}; it may ask again later.
            </p>
            <label htmlFor={noteId}>Note for the requester (optional)</label>
            <textarea id={noteId} className={styles.note} value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
          </>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}
