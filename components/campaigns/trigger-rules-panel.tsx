"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import { REVIEWER_STRATEGIES, TRIGGER_KINDS, type TriggerKind } from "@/lib/campaigns/model";
import { TRIGGER_KIND_LABEL } from "@/lib/campaigns/triggers/labels";
import type { TriggerRuleView } from "@/lib/campaigns/triggers/rules";
import { SSF_EVENT_TYPES } from "@/lib/campaigns/triggers/ssf-event-types";
import { TOOL_RISKS } from "@/lib/graph/tool-risk";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import styles from "./campaigns.module.css";

export const TRIGGER_RULES_KEY = ["campaigns", "triggers"] as const;

/** Who usually answers for each kind: the owner of what is reached, or of who reaches it. */
const DEFAULT_STRATEGY: Record<TriggerKind, (typeof REVIEWER_STRATEGIES)[number]> = {
  tool_definition_changed: "target_owner",
  new_critical_path: "subject_owner",
  owner_departed: "subject_owner",
  hard_coded_secret: "subject_owner",
  ssf_event: "manager",
};
const STRATEGY_LABEL: Record<(typeof REVIEWER_STRATEGIES)[number], string> = {
  target_owner: "Owner of what is reached",
  subject_owner: "Owner of who reaches it",
  manager: "The person's manager",
};

interface Reviewer {
  id: string;
  name: string;
  email: string;
}

/**
 * Trigger rules: each turns one kind of event into a micro-certification over
 * exactly the access concerned, addressed at once to its owner. Create, turn
 * on and off, delete one that never fired.
 */
export function TriggerRulesPanel({ rules, reviewers, canManage }: { rules: TriggerRuleView[]; reviewers: Reviewer[]; canManage: boolean }) {
  const qc = useQueryClient();
  const { data } = useQuery({
    queryKey: TRIGGER_RULES_KEY,
    queryFn: async () => (await apiFetch<{ items: TriggerRuleView[] }>("/api/v1/campaigns/triggers")).items,
    initialData: rules,
  });
  const [kind, setKind] = useState<TriggerKind>("tool_definition_changed");
  const [strategy, setStrategy] = useState<string>(DEFAULT_STRATEGY.tool_definition_changed);
  const refresh = () => void qc.invalidateQueries({ queryKey: TRIGGER_RULES_KEY });

  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch<TriggerRuleView>("/api/v1/campaigns/triggers", { method: "POST", body }),
    onSuccess: refresh,
  });
  const act = useMutation({
    mutationFn: (a: { id: string; op: "enable" | "disable" | "delete" }) =>
      a.op === "delete"
        ? apiFetch(`/api/v1/campaigns/triggers/${encodeURIComponent(a.id)}`, { method: "DELETE" })
        : apiFetch(`/api/v1/campaigns/triggers/${encodeURIComponent(a.id)}`, { method: "PATCH", body: { enabled: a.op === "enable" } }),
    onSuccess: refresh,
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const eventTypes = f.getAll("eventTypes").map(String);
    const minRisk = String(f.get("minRisk") ?? "");
    const fallback = String(f.get("fallbackReviewer") ?? "");
    const reviewerStrategy = strategy.startsWith("usr_") ? { reviewer: strategy } : strategy;
    create.mutate(
      {
        name: String(f.get("name") ?? "").trim(),
        kind,
        reviewerStrategy,
        durationDays: Number(f.get("durationDays") ?? 7),
        ...(fallback ? { fallbackReviewer: fallback } : {}),
        ...(kind === "ssf_event" && eventTypes.length ? { filter: { eventTypes } } : {}),
        ...((kind === "new_critical_path" || kind === "tool_definition_changed") && minRisk ? { filter: { minRisk } } : {}),
      },
      {
        onSuccess: () => {
          form.reset();
          setKind("tool_definition_changed");
          setStrategy(DEFAULT_STRATEGY.tool_definition_changed);
        },
      },
    );
  }

  return (
    <>
      {canManage ? (
        <form className={`panel ${styles.triggerForm}`} onSubmit={submit} aria-labelledby="new-trigger">
          <h2 id="new-trigger" style={{ marginTop: 0 }}>
            New trigger rule
          </h2>
          <div className={styles.triggerGrid}>
            <label>
              Name
              <input className="text" name="name" required maxLength={200} placeholder="e.g. Rug-pull check on MCP tools" />
            </label>
            <label>
              When
              <select
                name="kind"
                value={kind}
                onChange={(e) => {
                  const k = e.target.value as TriggerKind;
                  setKind(k);
                  setStrategy(DEFAULT_STRATEGY[k]);
                }}
              >
                {TRIGGER_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {TRIGGER_KIND_LABEL[k]}
                  </option>
                ))}
              </select>
            </label>
            {kind === "ssf_event" ? (
              <fieldset className={styles.triggerTypes}>
                <legend>Event types (none ticked: all four)</legend>
                {SSF_EVENT_TYPES.map((t) => (
                  <label key={t.short} className={styles.check}>
                    <input type="checkbox" name="eventTypes" value={t.short} /> {t.label}
                  </label>
                ))}
              </fieldset>
            ) : null}
            {kind === "new_critical_path" || kind === "tool_definition_changed" ? (
              <label>
                Least tool risk
                <select name="minRisk" defaultValue="">
                  <option value="">{kind === "new_critical_path" ? "critical (default)" : "any"}</option>
                  {TOOL_RISKS.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
            <label>
              Addressed to
              <select name="reviewerStrategy" value={strategy} onChange={(e) => setStrategy(e.target.value)}>
                {REVIEWER_STRATEGIES.map((s) => (
                  <option key={s} value={s}>
                    {STRATEGY_LABEL[s]}
                  </option>
                ))}
                {reviewers.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Fallback reviewer
              <select name="fallbackReviewer" defaultValue="">
                <option value="">you (the rule’s owner)</option>
                {reviewers.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Due after (days)
              <input className="text" name="durationDays" type="number" min={1} max={90} defaultValue={7} required />
            </label>
          </div>
          <button className="btn" type="submit" disabled={create.isPending}>
            Create rule
          </button>
          {create.isError ? <Alert>{errorMessage(create.error)}</Alert> : null}
        </form>
      ) : null}
      {act.isError ? <Alert>{errorMessage(act.error)}</Alert> : null}
      {data.length === 0 ? (
        <p className="subtitle">No trigger rules yet.</p>
      ) : (
        <Table testId="trigger-rules" caption="Trigger rules">
          <thead>
            <tr>
              <th>Rule</th>
              <th>When</th>
              <th>Addressed to</th>
              <th className="num">Opened</th>
              <th>Last fired</th>
              <th>Status</th>
              {canManage ? <th /> : null}
            </tr>
          </thead>
          <tbody>
            {data.map((r) => (
              <tr key={r.id} data-testid={`trigger-rule-${r.id}`}>
                <td>
                  <Link href={`/campaigns/triggers/${r.id}`}>{r.name}</Link>
                </td>
                <td>
                  {r.kindLabel}
                  {r.filter.eventTypes?.length ? <div className="subtitle">{r.filter.eventTypes.map((t) => t.split("/").pop()).join(", ")}</div> : null}
                  {r.filter.minRisk ? <div className="subtitle">risk {r.filter.minRisk} or more</div> : null}
                </td>
                <td>
                  {typeof r.reviewerStrategy === "string" ? STRATEGY_LABEL[r.reviewerStrategy] : (r.reviewer?.name ?? "named reviewer")}
                  <div className="subtitle">
                    then {r.fallbackReviewer?.name ?? r.owner?.name ?? "the owner"} · due in {r.durationDays} d
                  </div>
                </td>
                <td className="num">
                  {r.firings.opened}
                  {r.firings.failed ? <Badge tone="danger">{r.firings.failed} failed</Badge> : null}
                </td>
                <td>{r.lastFiredAt ? <LocalTime value={r.lastFiredAt} /> : "—"}</td>
                <td>{r.enabled ? <Badge tone="ok">on</Badge> : <Badge>off</Badge>}</td>
                {canManage ? (
                  <td>
                    <button className="btn secondary" type="button" onClick={() => act.mutate({ id: r.id, op: r.enabled ? "disable" : "enable" })}>
                      {r.enabled ? "Turn off" : "Turn on"}
                    </button>{" "}
                    {r.firings.opened + r.firings.noAccess + r.firings.failed === 0 ? (
                      <button className="btn secondary" type="button" onClick={() => act.mutate({ id: r.id, op: "delete" })}>
                        Delete
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
