"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { LinkOverrideView } from "@/lib/connectors/link-overrides";
import type { NodeLinkView } from "@/lib/hub/node-links";
import styles from "./hub.module.css";

const RULE_WORDS: Record<string, string> = {
  email: "same e-mail address",
  upn: "same user principal name",
  login: "same login (an e-mail address)",
  "github login": "same GitHub login",
  admin: "linked by an administrator",
};

/**
 * "Same person in other systems": the accounts identity linking joined to
 * this person (lib/connectors/linking.ts), each with its rule; admins can
 * keep an account apart or link one by node id. A decision applies when the
 * linking job runs next (queued by the change), so it is shown as pending.
 */
export function SamePersonPanel({
  nodeId,
  nodeRef,
  links,
  overrides,
  canManage,
}: {
  nodeId: string;
  nodeRef: string;
  links: NodeLinkView[];
  overrides: LinkOverrideView[];
  canManage: boolean;
}) {
  const uid = useId();
  const router = useRouter();
  const [saved, setSaved] = useState<string | null>(null);
  const decide = useMutation({
    mutationFn: (body: { accountNodeId: string; decision: "link" | "never" }) =>
      apiFetch<LinkOverrideView & { linkingQueued: boolean }>("/api/v1/identity-links/overrides", { method: "POST", body: { personNodeId: nodeId, ...body } }),
    onSuccess: (o) => {
      setSaved(
        `${o.decision === "never" ? "Kept apart" : "Linked"}: applies when the linking job runs${o.linkingQueued ? " (queued now)" : " (it runs every hour)"}.`,
      );
      router.refresh();
    },
  });
  const withdraw = useMutation({
    mutationFn: (id: string) => apiFetch<{ linkingQueued: boolean }>(`/api/v1/identity-links/overrides/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: (r) => {
      setSaved(`Decision withdrawn: the rules decide again when the linking job runs${r.linkingQueued ? " (queued now)" : ""}.`);
      router.refresh();
    },
  });

  function link(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const id = String(new FormData(form).get("accountNodeId") ?? "").trim();
    decide.mutate({ accountNodeId: id, decision: "link" }, { onSuccess: () => form.reset() });
  }
  const other = (o: LinkOverrideView) => (o.personRef === nodeRef ? o.accountRef : o.personRef);

  return (
    <section className="panel" aria-labelledby={`${uid}-title`} data-testid="same-person">
      <h2 id={`${uid}-title`} className={styles.panelTitle}>
        Same person in other systems <span className="badge">{links.length}</span>
      </h2>
      <p className={styles.muted} style={{ margin: "0 0 0.5rem", fontSize: "0.88rem" }}>
        Accounts are joined by the same e-mail address, user principal name, login or GitHub login; an administrator can link or keep apart. Changes apply when
        the linking job runs (after each connector run, and hourly).
      </p>
      {links.length === 0 ? (
        <p className="subtitle">No account in another system is linked to this person (by e-mail, UPN, login or GitHub login).</p>
      ) : (
        <ul className={styles.samePerson}>
          {links.map((l) => (
            <li key={l.edgeId} data-testid="linked-account">
              <Link href={`/nodes/${encodeURIComponent(l.otherId)}`}>{l.otherName}</Link> <span className={styles.muted}>in {l.otherSource}</span>{" "}
              <Badge tone="info">{RULE_WORDS[l.rule ?? ""] ?? l.rule ?? "linked"}</Badge>
              {l.direction === "in" ? <span className={styles.muted}> (the person’s main account)</span> : null}
              {canManage ? (
                <>
                  {" "}
                  <button
                    type="button"
                    className="btn secondary"
                    style={{ padding: "0.15rem 0.5rem", fontSize: "0.82rem" }}
                    disabled={decide.isPending}
                    onClick={() => decide.mutate({ accountNodeId: l.otherId, decision: "never" })}
                    aria-label={`Not the same person: ${l.otherName} in ${l.otherSource}`}
                  >
                    Not the same person
                  </button>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {overrides.length ? (
        <>
          <h3 style={{ fontSize: "0.95rem", marginBottom: "0.3rem" }}>Administrators’ decisions</h3>
          <ul className={styles.samePerson}>
            {overrides.map((o) => (
              <li key={o.id}>
                {o.decision === "never" ? "Not the same person as" : "Linked to"} <code>{other(o)}</code>{" "}
                <span className={styles.muted}>
                  by {o.actorLabel}, <LocalTime value={o.createdAt} />
                  {o.reason ? `: ${o.reason}` : ""}
                </span>
                {canManage ? (
                  <>
                    {" "}
                    <button
                      type="button"
                      className="btn secondary"
                      style={{ padding: "0.15rem 0.5rem", fontSize: "0.82rem" }}
                      disabled={withdraw.isPending}
                      onClick={() => withdraw.mutate(o.id)}
                    >
                      Withdraw
                    </button>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {canManage ? (
        <form onSubmit={link} className="toolbar" aria-label="Link an account of this person" style={{ marginTop: "0.6rem" }}>
          <label htmlFor={`${uid}-acct`}>Link an account by its node id</label>
          <input id={`${uid}-acct`} className="text" name="accountNodeId" required maxLength={100} placeholder="hum_…" style={{ minWidth: 0 }} />
          <button className="btn" type="submit" disabled={decide.isPending}>
            Link account
          </button>
        </form>
      ) : null}
      <div aria-live="polite">
        {saved ? (
          <Alert tone="info">
            <span data-testid="link-pending">Pending: {saved}</span>
          </Alert>
        ) : null}
        {decide.isError ? <Alert>{errorMessage(decide.error)}</Alert> : null}
        {withdraw.isError ? <Alert>{errorMessage(withdraw.error)}</Alert> : null}
      </div>
    </section>
  );
}
