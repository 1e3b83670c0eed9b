"use client";

import Link from "next/link";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { NodeCombobox, type PickedNode } from "@/components/ui/node-picker";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { FINDING_RULES, RULES, type FindingRule, type SuppressionScope } from "@/lib/findings/rules";
import type { SuppressionView } from "@/lib/findings/suppression-views";
import styles from "./suppressions.module.css";

/** The node a scope starts with: a finding's subject or cause; absent, the picker asks. */
type Fixed = { id: string; name: string };

interface Props {
  /** From a finding's page: its rule, subject and cause are the defaults. */
  finding?: { rule: FindingRule; subject: Fixed; cause: Fixed | null };
  /** From the findings page: the rule filtered on, if any. */
  defaultRule?: FindingRule;
  /** Longest a suppression may last, in days (the server checks too). */
  maxDays: number;
}

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/**
 * "Accept by rule…": a dialog that accepts, until a date, every open finding of
 * a rule (or of every rule) about a node, passing through a node, or caused by
 * a node — now (a background job applies it) and as new ones are found. A native
 * modal <dialog>: focus moves in, Escape closes, the page behind is inert.
 */
export function AcceptByRule({ finding, defaultRule, maxDays }: Props) {
  const router = useRouter();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const [scope, setScope] = useState<SuppressionScope>(finding ? "subject" : "via");
  const [picked, setPicked] = useState<PickedNode | null>(null);
  const [created, setCreated] = useState<SuppressionView | null>(null);
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch<SuppressionView>("/api/v1/findings/suppressions", { method: "POST", body }),
    onSuccess: (s) => {
      setCreated(s);
      setOpen(false);
      router.refresh();
    },
  });

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal?.();
    if (!open && d.open) d.close();
  }, [open]);

  // A cause that is the subject itself (a finding with no path behind it) is not offered twice.
  const cause = finding?.cause && finding.cause.id !== finding.subject.id ? finding.cause : null;
  const fixed: Partial<Record<SuppressionScope, Fixed>> = finding ? { subject: finding.subject, ...(cause ? { cause } : {}) } : {};
  const node = fixed[scope] ?? picked;

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const rule = String(form.get("rule") ?? "");
    create.mutate({
      rule: rule === "" ? null : rule,
      scope,
      nodeId: node?.id ?? "",
      reason: String(form.get("reason") ?? ""),
      expiresAt: String(form.get("expiresAt") ?? ""),
    });
  }

  const choice = (value: SuppressionScope, label: string) => (
    <label className={styles.choice}>
      <input type="radio" name="scope" value={value} checked={scope === value} onChange={() => setScope(value)} />
      <span>{label}</span>
    </label>
  );

  return (
    <>
      <button
        type="button"
        className="btn secondary"
        onClick={() => {
          create.reset();
          setCreated(null);
          setOpen(true);
        }}
        data-testid="accept-by-rule"
      >
        Accept by rule…
      </button>
      {created ? (
        <p className={styles.done} role="status" data-testid="suppression-created">
          Accepted by rule until {created.expiresAt.slice(0, 10)}: applying to the open findings it matches.{" "}
          <Link href="/findings/suppressions">See suppressions</Link>
        </p>
      ) : null}
      <dialog
        ref={ref}
        className={styles.dialog}
        aria-labelledby={titleId}
        onCancel={(e) => {
          e.preventDefault();
          if (!create.isPending) setOpen(false);
        }}
      >
        {open ? (
          <form className={styles.form} onSubmit={submit} data-testid="accept-by-rule-form">
            <h2 id={titleId}>Accept by rule</h2>
            <p className={styles.hint}>
              Every open finding the rule and scope match is accepted until the date, and so is each new one found meanwhile. It is audited, listed under
              Suppressions and in the accepted-risk evidence, and can be revoked.
            </p>
            <label className={styles.field}>
              Rule
              <select name="rule" defaultValue={finding?.rule ?? defaultRule ?? ""}>
                <option value="">Every rule</option>
                {FINDING_RULES.map((r) => (
                  <option key={r} value={r}>
                    {RULES[r].label}
                  </option>
                ))}
              </select>
            </label>
            <fieldset className={styles.scope}>
              <legend>Scope</legend>
              {choice("subject", finding ? `This subject: ${finding.subject.name}` : "Findings about a node")}
              {choice("via", "Anything through a node")}
              {cause ? choice("cause", `This cause: ${cause.name}`) : finding ? null : choice("cause", "Findings caused by a node")}
              {fixed[scope] ? null : (
                <NodeCombobox
                  label={scope === "via" ? "Node the findings pass through" : scope === "cause" ? "Cause" : "Subject"}
                  placeholder="Type a name…"
                  defaultText={picked?.name ?? ""}
                  onPick={setPicked}
                  testId="suppression-node"
                />
              )}
              {scope === "via" ? <p className={styles.hint}>Findings whose evidence passes through this node: a group, a credential, an MCP server…</p> : null}
            </fieldset>
            <label className={styles.field}>
              Reason
              <textarea name="reason" required maxLength={500} rows={3} placeholder="Why this risk is acceptable, and what mitigates it" />
            </label>
            <label className={styles.field}>
              Until
              <input type="date" name="expiresAt" required defaultValue={inDays(90)} min={inDays(1)} max={inDays(maxDays)} />
            </label>
            {create.isError ? (
              <p className="alert" role="alert">
                {errorMessage(create.error)}
              </p>
            ) : null}
            <div className={styles.actions}>
              <button type="button" className="btn secondary" onClick={() => setOpen(false)} disabled={create.isPending}>
                Cancel
              </button>
              <button type="submit" className="btn" disabled={create.isPending || !node}>
                {create.isPending ? "Saving…" : "Accept by rule"}
              </button>
            </div>
          </form>
        ) : null}
      </dialog>
    </>
  );
}
