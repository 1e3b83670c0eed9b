"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { LocalTime } from "@/components/ui/local-time";
import { apiFetch, ApiError, errorMessage } from "@/lib/client/api-fetch";
import { DESTRUCTIVE_CHOICES, OWNER_GONE_CHOICES, UNKNOWN_CHOICES, type PdpPolicy } from "@/lib/pdp/policy";
import styles from "@/components/admin/admin.module.css";

export interface PdpPolicyProps {
  version: number;
  policy: PdpPolicy;
  changedBy: string | null;
  changedAt: string | null;
}

const LABEL: Record<string, string> = {
  approval_required: "ask for approval (step-up)",
  deny: "deny",
  allow: "allow",
  allow_with_log: "allow and log",
};

const KNOBS = [
  { name: "destructive", label: "Tools that declare themselves destructive", choices: DESTRUCTIVE_CHOICES },
  { name: "unknownAnnotations", label: "Tools whose annotations do not say whether they destroy", choices: UNKNOWN_CHOICES },
  { name: "openWorld", label: "Tools that write to an open world", choices: UNKNOWN_CHOICES },
  { name: "ownerGone", label: "Tools with no active accountable owner", choices: OWNER_GONE_CHOICES },
] as const;

const problems = (err: unknown) =>
  err instanceof ApiError && err.details.length ? err.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join("; ") : errorMessage(err);

/**
 * The runtime decision point's policy (issue #20): the defaults per kind of tool, the just-in-time windows, and the
 * overrides per risk level and per source as JSON. Saved as a new version; a stale version is refused (409).
 */
export function PdpPolicyPanel({ settings }: { settings: PdpPolicyProps }) {
  const router = useRouter();
  const [jsonError, setJsonError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: { version: number; policy: unknown; reason?: string }) => apiFetch("/api/v1/pdp/policy", { method: "PUT", body }),
    onSuccess: () => router.refresh(),
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    let overrides: { byRisk?: unknown; bySource?: unknown };
    try {
      overrides = JSON.parse(String(f.get("overrides") || "{}")) as typeof overrides;
    } catch {
      setJsonError('Overrides must be JSON, like { "byRisk": { "critical": { "destructive": "deny" } }, "bySource": {} }');
      return;
    }
    setJsonError(null);
    const defaults = Object.fromEntries(KNOBS.map((k) => [k.name, String(f.get(k.name))]));
    save.mutate({
      version: settings.version,
      policy: {
        defaults,
        byRisk: overrides.byRisk ?? {},
        bySource: overrides.bySource ?? {},
        jit: { grantMinutes: Number(f.get("grantMinutes")), requestMinutes: Number(f.get("requestMinutes")) },
      },
      reason: String(f.get("reason") || "") || undefined,
    });
  }

  const p = settings.policy;
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="pdp-policy-title">
      <p className={`subtitle ${styles.formTitle}`}>
        How the decision point answers gateways (AuthZEN, <code>/access/v1/evaluation</code>) once an access path exists and nothing revoked it. Version{" "}
        {settings.version || "0 (defaults)"}.
      </p>
      {KNOBS.map((k) => (
        <p key={k.name}>
          <label htmlFor={`pdp-${k.name}`}>{k.label}</label>{" "}
          <select id={`pdp-${k.name}`} name={k.name} defaultValue={p.defaults[k.name]}>
            {k.choices.map((c) => (
              <option key={c} value={c}>
                {LABEL[c]}
              </option>
            ))}
          </select>
        </p>
      ))}
      <p>
        <label htmlFor="pdp-grant">An approved request allows the call for (minutes, at most 1440)</label>{" "}
        <input id="pdp-grant" name="grantMinutes" type="number" min={1} max={1440} defaultValue={p.jit.grantMinutes} />
      </p>
      <p>
        <label htmlFor="pdp-request">A request waits for a decision for (minutes)</label>{" "}
        <input id="pdp-request" name="requestMinutes" type="number" min={5} max={10080} defaultValue={p.jit.requestMinutes} />
      </p>
      <label htmlFor="pdp-overrides">
        <strong>Overrides</strong> per tool risk level (<code>low</code>, <code>medium</code>, <code>high</code>, <code>critical</code>) and per source name, as
        JSON; a source&apos;s override wins over a risk level&apos;s
      </label>
      <br />
      <textarea
        id="pdp-overrides"
        name="overrides"
        rows={5}
        className={`mono ${styles.area}`}
        defaultValue={JSON.stringify({ byRisk: p.byRisk, bySource: p.bySource }, null, 2)}
        aria-label="Overrides"
      />
      <p>
        <label htmlFor="pdp-reason">Why (kept with the version)</label> <input id="pdp-reason" name="reason" maxLength={500} />
      </p>
      <div className="toolbar">
        <button className="btn" type="submit">
          Save decision policy
        </button>
        {settings.changedAt ? (
          <span className="subtitle">
            Last changed <LocalTime value={settings.changedAt} /> by {settings.changedBy}
          </span>
        ) : null}
      </div>
      {save.isSuccess ? <Alert tone="ok">Saved as a new version; every instance applies it within a second.</Alert> : null}
      {jsonError ? <Alert>{jsonError}</Alert> : null}
      {save.isError ? <Alert>{problems(save.error)}</Alert> : null}
    </form>
  );
}
