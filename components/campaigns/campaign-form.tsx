"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { CONTROL_SUGGESTIONS, EDGE_VERB, type ReviewableEdgeKind } from "@/lib/campaigns/model";
import type { PreviewSummary } from "@/lib/campaigns/snapshot";
import type { UserRef } from "@/lib/campaigns/views";
import { NODE_KIND_LABEL, type NodeKind } from "@/lib/graph/model";
import { TOOL_RISKS } from "@/lib/graph/tool-risk";
import { NodePicker, type PickedNode } from "@/components/ui/node-picker";
import { PreviewPanel, type Problem } from "./preview-panel";
import styles from "./campaigns.module.css";
import { ApiError, apiFetch, errorMessage } from "@/lib/client/api-fetch";

/** The problems to show beside the form: the server's located details, else its message. */
function located(err: unknown): { path: string; message: string }[] {
  if (err instanceof ApiError && err.details.length) return err.details.map((d) => ({ path: d.path ?? "(definition)", message: d.message }));
  return [{ path: "(definition)", message: errorMessage(err) }];
}

const EDGE_CHOICES: { kind: ReviewableEdgeKind; label: string }[] = [
  { kind: "has_entitlement", label: "Entitlement grants" },
  { kind: "member_of", label: "Group memberships" },
  { kind: "connects_to", label: "Connections to MCP servers" },
  { kind: "uses_credential", label: "Credential use" },
  { kind: "acts_for", label: "Agents acting for someone" },
  { kind: "assumes", label: "Roles that can be assumed" },
  { kind: "owns", label: "Ownership itself" },
  { kind: "grants", label: "What entitlements grant" },
  { kind: "credential_for", label: "What credentials open" },
];
const SUBJECT_KINDS: NodeKind[] = ["human", "group", "service_account", "agent", "mcp_server", "entitlement", "credential"];
const OWNER_KINDS: NodeKind[] = ["human", "group"];
const TARGET_KINDS: NodeKind[] = ["mcp_server", "tool", "resource", "entitlement", "credential", "group"];

type Strategy = "target_owner" | "subject_owner" | "manager" | "named";

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** The form as a recurring template: schedule fields in place of the due date, and one "Save template" action. */
export interface TemplateMode {
  fields: ReactNode;
  durationDays: number;
  /** Saves the definition (without a due date) with the schedule; throws the API's error. */
  save(definition: Record<string, unknown>): Promise<void>;
}

/** The campaign definition with a live preview of the items and reviewers it produces (or, with `template`, a recurring template's). */
export function CampaignForm({ sources, reviewers, template }: { sources: string[]; reviewers: UserRef[]; template?: TemplateMode }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [control, setControl] = useState("");
  const [edgeKinds, setEdgeKinds] = useState<ReviewableEdgeKind[]>(["has_entitlement", "connects_to"]);
  const [subjectKinds, setSubjectKinds] = useState<NodeKind[]>([]);
  const [chosenSources, setSources] = useState<string[]>([]);
  const [minRisk, setMinRisk] = useState("");
  const [targets, setTargets] = useState<PickedNode[]>([]);
  const [ownedBy, setOwnedBy] = useState<PickedNode[]>([]);
  const [strategy, setStrategy] = useState<Strategy>("target_owner");
  const [named, setNamed] = useState("");
  const [fallback, setFallback] = useState("");
  const [secondOn, setSecondOn] = useState(false);
  const [secondReviewer, setSecondReviewer] = useState("");
  const [secondRisk, setSecondRisk] = useState("high");
  const [secondRule, setSecondRule] = useState("any_revoke");
  const [due, setDue] = useState(() => inDays(14));
  const [reminders, setReminders] = useState("7, 1");
  const [escalateTo, setEscalateTo] = useState("reviewer_manager");
  const [escalateAfter, setEscalateAfter] = useState(0);
  const [revokeNoResponse, setRevokeNoResponse] = useState(false);
  const [preview, setPreview] = useState<PreviewSummary | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const templateDays = template?.durationDays;
  const definition = useMemo(() => {
    const reminderDays = reminders
      .split(/[,\s]+/)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
    return {
      name: name.trim() || "Untitled campaign",
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(control.trim() ? { control: control.trim() } : {}),
      scope: {
        edgeKinds,
        ...(subjectKinds.length ? { subjectKinds } : {}),
        ...(chosenSources.length ? { sources: chosenSources } : {}),
        ...(minRisk ? { minToolRisk: minRisk } : {}),
        ...(targets.length ? { targets: targets.map((t) => t.id) } : {}),
        ...(ownedBy.length ? { ownedBy: ownedBy.map((t) => t.id) } : {}),
      },
      reviewerStrategy: strategy === "named" ? { reviewer: named } : strategy,
      ...(fallback ? { fallbackReviewer: fallback } : {}),
      // A template previews as an instance created today would be.
      dueAt: templateDays !== undefined ? inDays(templateDays) : due,
      reminderDays,
      escalateTo,
      escalateAfterDays: escalateAfter,
      ...(secondOn && secondReviewer ? { secondLevel: { reviewer: secondReviewer, minRisk: secondRisk, rule: secondRule } } : {}),
      revokeOnNoResponse: revokeNoResponse,
    };
  }, [
    name,
    description,
    control,
    edgeKinds,
    subjectKinds,
    chosenSources,
    minRisk,
    targets,
    ownedBy,
    strategy,
    named,
    fallback,
    due,
    templateDays,
    reminders,
    escalateTo,
    escalateAfter,
    secondOn,
    secondReviewer,
    secondRisk,
    secondRule,
    revokeNoResponse,
  ]);

  // The preview follows the form: debounced, the newest answer wins.
  useEffect(() => {
    const ctl = new AbortController();
    const timer = setTimeout(async () => {
      try {
        setPreview(await apiFetch<PreviewSummary>("/api/v1/campaigns/preview", { method: "POST", body: definition, signal: ctl.signal }));
        setProblems([]);
      } catch (err) {
        if (ctl.signal.aborted) return; // a newer edit took over
        setPreview(null);
        setProblems(located(err));
      }
    }, 350);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [definition]);

  async function saveTemplate() {
    setBusy(true);
    setMessage(null);
    const { dueAt: _due, ...rest } = definition;
    void _due;
    try {
      await template!.save({ ...rest, name: name.trim() });
    } catch (err) {
      setProblems(err instanceof ApiError ? located(err) : []);
      setMessage(err instanceof ApiError ? err.message : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function create(launch: boolean) {
    if (template) return saveTemplate();
    setBusy(true);
    setMessage(null);
    let body: { id: string };
    try {
      body = await apiFetch<{ id: string }>("/api/v1/campaigns", { method: "POST", body: { ...definition, name: name.trim() } });
    } catch (err) {
      setProblems(err instanceof ApiError ? located(err) : []);
      setMessage(err instanceof ApiError ? err.message : errorMessage(err));
      setBusy(false);
      return;
    }
    try {
      if (launch) await apiFetch(`/api/v1/campaigns/${encodeURIComponent(body.id)}/launch`, { method: "POST" });
      router.push(`/campaigns/${body.id}`);
    } catch (err) {
      setMessage(`Saved as a draft, but not launched: ${errorMessage(err)}`);
      router.push(`/campaigns/${body.id}`);
    } finally {
      setBusy(false);
    }
  }

  const toggle = <T,>(list: T[], v: T, set: (l: T[]) => void) => set(list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  const problemAt = (prefix: string) => problems.filter((p) => p.path === prefix || p.path.startsWith(`${prefix}.`) || p.path.startsWith(`${prefix}[`));
  const fieldError = (prefix: string) =>
    problemAt(prefix).map((p) => (
      <span key={p.path + p.message} className={styles.error} role="alert">
        {p.path}: {p.message}
      </span>
    ));
  const canCreate =
    !busy &&
    name.trim() !== "" &&
    edgeKinds.length > 0 &&
    problems.filter((p) => p.path !== "cron" && p.path !== "durationDays").length === 0 &&
    (strategy !== "named" || named !== "");

  return (
    <div className={styles.layout}>
      <form
        className={styles.form}
        onSubmit={(e) => {
          e.preventDefault();
          void create(false);
        }}
        aria-label="Campaign definition"
      >
        <fieldset className={styles.fieldset}>
          <legend>What and why</legend>
          <label className={styles.field}>
            <span>Name</span>
            <input type="text" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="e.g. Q4 MCP server access review" />
          </label>
          <div className={styles.row}>
            <label className={styles.field}>
              <span>Control it evidences</span>
              <input
                type="text"
                value={control}
                onChange={(e) => setControl(e.target.value)}
                list="control-suggestions"
                maxLength={200}
                placeholder="SOC 2 CC6.2"
              />
              <datalist id="control-suggestions">
                {CONTROL_SUGGESTIONS.map((c) => (
                  <option key={c} value={c} />
                ))}
              </datalist>
            </label>
            <label className={styles.field}>
              <span>Description</span>
              <input type="text" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={4000} />
            </label>
          </div>
        </fieldset>

        <fieldset className={styles.fieldset}>
          <legend>Scope</legend>
          <div className={styles.field} role="group" aria-label="Access to review">
            <span>Access to review</span>
            <div className={styles.checks}>
              {EDGE_CHOICES.map((c) => (
                <label key={c.kind}>
                  <input type="checkbox" checked={edgeKinds.includes(c.kind)} onChange={() => toggle(edgeKinds, c.kind, setEdgeKinds)} /> {c.label}{" "}
                  <span className={styles.hint}>({EDGE_VERB[c.kind]})</span>
                </label>
              ))}
            </div>
            {fieldError("scope.edgeKinds")}
          </div>
          <div className={styles.field} role="group" aria-label="Subjects">
            <span>
              Subjects <span className={styles.hint}>— none ticked: every kind</span>
            </span>
            <div className={styles.checks}>
              {SUBJECT_KINDS.map((k) => (
                <label key={k}>
                  <input type="checkbox" checked={subjectKinds.includes(k)} onChange={() => toggle(subjectKinds, k, setSubjectKinds)} /> {NODE_KIND_LABEL[k]}
                </label>
              ))}
            </div>
          </div>
          {sources.length ? (
            <div className={styles.field} role="group" aria-label="Sources">
              <span>
                Sources <span className={styles.hint}>— none ticked: every source</span>
              </span>
              <div className={styles.checks}>
                {sources.map((s) => (
                  <label key={s}>
                    <input type="checkbox" checked={chosenSources.includes(s)} onChange={() => toggle(chosenSources, s, setSources)} /> {s}
                  </label>
                ))}
              </div>
            </div>
          ) : null}
          <div className={styles.row}>
            <label className={styles.field}>
              <span>Tool risk at least</span>
              <select value={minRisk} onChange={(e) => setMinRisk(e.target.value)}>
                <option value="">any (including no tool)</option>
                {TOOL_RISKS.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <NodePicker
            label="Reaching"
            hint="Only access that leads to one of these (an MCP server, resource, entitlement…)"
            value={targets}
            onChange={setTargets}
            kinds={TARGET_KINDS}
          />
          {fieldError("scope.targets")}
          <NodePicker
            label="Subjects owned by"
            hint="Only subjects owned by one of these people or groups"
            value={ownedBy}
            onChange={setOwnedBy}
            kinds={OWNER_KINDS}
          />
          {fieldError("scope.ownedBy")}
        </fieldset>

        <fieldset className={styles.fieldset}>
          <legend>Reviewers</legend>
          <div className={styles.checks} role="radiogroup" aria-label="Reviewer strategy">
            {(
              [
                ["target_owner", "Owner of the target"],
                ["subject_owner", "Owner of the subject"],
                ["manager", "The subject's manager"],
                ["named", "A named reviewer"],
              ] as const
            ).map(([k, l]) => (
              <label key={k}>
                <input type="radio" name="strategy" checked={strategy === k} onChange={() => setStrategy(k)} /> {l}
              </label>
            ))}
          </div>
          <div className={styles.row}>
            {strategy === "named" ? (
              <label className={styles.field}>
                <span>Named reviewer</span>
                <select value={named} onChange={(e) => setNamed(e.target.value)}>
                  <option value="">Choose…</option>
                  {reviewers.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
            <label className={styles.field}>
              <span>Fallback reviewer</span>
              <select value={fallback} onChange={(e) => setFallback(e.target.value)} aria-describedby="fallback-hint">
                <option value="">none (the campaign owner, if a reviewer)</option>
                {reviewers.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name}
                  </option>
                ))}
              </select>
              <span id="fallback-hint" className={styles.hint}>
                Reviews items no one else resolves to, and items whose reviewer is their own subject or owns it.
              </span>
            </label>
          </div>
          <label className={styles.field} style={{ flexDirection: "row", alignItems: "center", gap: "0.4rem" }}>
            <input type="checkbox" checked={secondOn} onChange={(e) => setSecondOn(e.target.checked)} /> <span>Second-level review for high-risk access</span>
          </label>
          {secondOn ? (
            <div className={styles.row}>
              <label className={styles.field}>
                <span>Second-level reviewer</span>
                <select value={secondReviewer} onChange={(e) => setSecondReviewer(e.target.value)}>
                  <option value="">Choose…</option>
                  {reviewers.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name}
                    </option>
                  ))}
                </select>
              </label>
              <label className={styles.field}>
                <span>For tool risk at least</span>
                <select value={secondRisk} onChange={(e) => setSecondRisk(e.target.value)}>
                  {TOOL_RISKS.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </label>
              <label className={styles.field}>
                <span>Combining the two answers</span>
                <select value={secondRule} onChange={(e) => setSecondRule(e.target.value)}>
                  <option value="any_revoke">One revoke revokes</option>
                  <option value="second_level_final">The second level decides</option>
                </select>
              </label>
            </div>
          ) : null}
          {fieldError("reviewerStrategy")}
          {fieldError("fallbackReviewer")}
          {fieldError("secondLevel")}
        </fieldset>

        {template ? (
          <fieldset className={styles.fieldset}>
            <legend>Schedule</legend>
            {template.fields}
            {fieldError("cron")}
            {fieldError("durationDays")}
          </fieldset>
        ) : null}

        <fieldset className={styles.fieldset}>
          <legend>Deadline</legend>
          <div className={styles.row}>
            {template ? null : (
              <label className={styles.field}>
                <span>Due date</span>
                <input type="date" value={due} onChange={(e) => setDue(e.target.value)} required />
                {fieldError("dueAt")}
              </label>
            )}
            <label className={styles.field}>
              <span>Reminders, days before</span>
              <input type="text" value={reminders} onChange={(e) => setReminders(e.target.value)} placeholder="7, 1" />
            </label>
            <label className={styles.field}>
              <span>Escalate to</span>
              <select value={escalateTo} onChange={(e) => setEscalateTo(e.target.value)}>
                <option value="reviewer_manager">reviewer&apos;s manager</option>
                <option value="campaign_owner">campaign owner</option>
              </select>
            </label>
            <label className={styles.field}>
              <span>Days after the due date</span>
              <input type="number" min={0} max={90} value={escalateAfter} onChange={(e) => setEscalateAfter(Math.max(0, Number(e.target.value) || 0))} />
            </label>
          </div>
          <label className={styles.field} style={{ flexDirection: "row", alignItems: "center", gap: "0.4rem" }}>
            <input type="checkbox" checked={revokeNoResponse} onChange={(e) => setRevokeNoResponse(e.target.checked)} />{" "}
            <span>Revoke on no response: undecided items at close become revokes</span>
          </label>
        </fieldset>

        {message ? (
          <p className="alert" role="alert">
            {message}
          </p>
        ) : null}
        <div className={`toolbar ${styles.controls}`}>
          <button className="btn" type="submit" disabled={!canCreate}>
            {template ? "Save template" : "Save as draft"}
          </button>
          {template ? null : (
            <button
              className="btn secondary"
              type="button"
              disabled={!canCreate || !preview || preview.items === 0 || preview.unassigned > 0}
              onClick={() => create(true)}
            >
              Save and launch
            </button>
          )}
        </div>
      </form>
      <PreviewPanel preview={preview} problems={problems} />
    </div>
  );
}
