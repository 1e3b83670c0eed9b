"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { LocalTime } from "@/components/ui/local-time";
import { apiFetch, ApiError, errorMessage } from "@/lib/client/api-fetch";
import { Table } from "@/components/ui/table";
import { TOOL_RISKS } from "@/lib/graph/tool-risk";
import { DESTRUCTIVE_CHOICES, OWNER_GONE_CHOICES, UNKNOWN_CHOICES, type PdpPolicy, type PolicyKnobs } from "@/lib/pdp/policy";
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
  { name: "destructive", label: "Tools that declare themselves destructive", short: "Destructive", choices: DESTRUCTIVE_CHOICES },
  { name: "unknownAnnotations", label: "Tools whose annotations do not say whether they destroy", short: "Unknown annotations", choices: UNKNOWN_CHOICES },
  { name: "openWorld", label: "Tools that write to an open world", short: "Open world", choices: UNKNOWN_CHOICES },
  { name: "ownerGone", label: "Tools with no active accountable owner", short: "Owner gone", choices: OWNER_GONE_CHOICES },
] as const;

type Override = Partial<PolicyKnobs>;
const SOURCE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The knobs a row of selects names (an empty select keeps the default): `${prefix}.${knob}` fields of the form. */
function overrideOf(f: FormData, prefix: string): Override {
  const out: Record<string, string> = {};
  for (const k of KNOBS) {
    const v = String(f.get(`${prefix}.${k.name}`) ?? "");
    if (v) out[k.name] = v;
  }
  return out as Override;
}

/** One row of the overrides table: a select per knob, "default" first. */
function OverrideRow({ prefix, label, value, onRemove }: { prefix: string; label: string; value: Override | undefined; onRemove?: () => void }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      {KNOBS.map((k) => (
        <td key={k.name}>
          <select name={`${prefix}.${k.name}`} defaultValue={value?.[k.name] ?? ""} aria-label={`${label}: ${k.short}`}>
            <option value="">default</option>
            {k.choices.map((c) => (
              <option key={c} value={c}>
                {LABEL[c]}
              </option>
            ))}
          </select>
        </td>
      ))}
      <td>
        {onRemove ? (
          <button type="button" className="btn secondary" onClick={onRemove} aria-label={`Remove the override for ${label}`}>
            Remove
          </button>
        ) : null}
      </td>
    </tr>
  );
}

const problems = (err: unknown) =>
  err instanceof ApiError && err.details.length ? err.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join("; ") : errorMessage(err);

/**
 * The runtime decision point's policy (issue #20): the defaults per kind of tool, the just-in-time windows, and the
 * overrides per risk level and per source, a select per knob ("default" leaves it alone). Saved as a new version; a
 * stale version is refused (409).
 */
export function PdpPolicyPanel({ settings }: { settings: PdpPolicyProps }) {
  const router = useRouter();
  const [sources, setSources] = useState<string[]>(() => Object.keys(settings.policy.bySource).sort());
  const [newSource, setNewSource] = useState("");
  const [sourceError, setSourceError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: { version: number; policy: unknown; reason?: string }) => apiFetch("/api/v1/pdp/policy", { method: "PUT", body }),
    onSuccess: () => router.refresh(),
  });

  function addSource() {
    const name = newSource.trim();
    if (!SOURCE_RE.test(name)) return setSourceError("A source name: letters, digits, dots, dashes and underscores, starting with a letter or digit.");
    if (sources.includes(name)) return setSourceError("That source already has a row.");
    setSourceError(null);
    setSources([...sources, name]);
    setNewSource("");
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const nonEmpty = (entries: [string, Override][]) => Object.fromEntries(entries.filter(([, o]) => Object.keys(o).length > 0));
    const defaults = Object.fromEntries(KNOBS.map((k) => [k.name, String(f.get(k.name))]));
    save.mutate({
      version: settings.version,
      policy: {
        defaults,
        byRisk: nonEmpty(TOOL_RISKS.map((r) => [r, overrideOf(f, `risk.${r}`)])),
        bySource: nonEmpty(sources.map((src, i) => [src, overrideOf(f, `source.${i}`)])),
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
      <h3 className={styles.formTitle}>Overrides</h3>
      <p className="subtitle">
        Per tool risk level, and per source (the name of the source that reported the tool); a source&apos;s choice wins over a risk level&apos;s, which wins
        over the defaults. &ldquo;default&rdquo; changes nothing.
      </p>
      <Table caption="Overrides by tool risk and by source" testId="pdp-overrides">
        <thead>
          <tr>
            <th scope="col">Tools</th>
            {KNOBS.map((k) => (
              <th scope="col" key={k.name}>
                {k.short}
              </th>
            ))}
            <th scope="col">
              <span className="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {TOOL_RISKS.map((r) => (
            <OverrideRow key={r} prefix={`risk.${r}`} label={`${r} risk`} value={p.byRisk[r]} />
          ))}
          {sources.map((src, i) => (
            <OverrideRow
              key={src}
              prefix={`source.${i}`}
              label={`source ${src}`}
              value={p.bySource[src]}
              onRemove={() => setSources(sources.filter((x) => x !== src))}
            />
          ))}
        </tbody>
      </Table>
      <div className="toolbar">
        <input
          className="text"
          value={newSource}
          onChange={(e) => setNewSource(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              addSource();
            }
          }}
          placeholder="A source name, e.g. mcp-discovery"
          aria-label="Source to override"
          maxLength={100}
        />
        <button type="button" className="btn secondary" onClick={addSource}>
          Add a source
        </button>
      </div>
      {sourceError ? <Alert>{sourceError}</Alert> : null}
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
      {save.isError ? <Alert>{problems(save.error)}</Alert> : null}
    </form>
  );
}
