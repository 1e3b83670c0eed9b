"use client";

import { useMutation, useQueries } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { KindBadge } from "@/components/ui/kind-badge";
import { NodeCombobox, type PickedNode } from "@/components/ui/node-picker";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { NodeKind } from "@/lib/graph/model";
import styles from "./pdp.module.css";

const ACTIONS = [
  { value: "tools/call", label: "Call a tool (tools/call)", kinds: ["tool"] },
  { value: "resources/read", label: "Read a resource (resources/read)", kinds: ["resource", "mcp_server"] },
  { value: "prompts/get", label: "Get a prompt from a server (prompts/get)", kinds: ["mcp_server"] },
] as const satisfies readonly { value: string; label: string; kinds: readonly NodeKind[] }[];
type Action = (typeof ACTIONS)[number]["value"];

const ACTORS: readonly NodeKind[] = ["agent", "service_account", "human"];
const PRINCIPALS: readonly NodeKind[] = ["human", "service_account"];

/** What the decision point answered (AuthZEN: `decision` and its `context`). */
export interface TestAnswer {
  decision: boolean;
  context?: {
    reason_code?: string;
    reason_admin?: { en?: string };
    reason_user?: { en?: string };
    path?: string[];
    graph_version?: number;
    policy_version?: number;
    tool_risk?: string;
    step_up_cause?: string;
    grant_expires_at?: string;
    access_request_opened?: boolean;
  };
}

/** The request the form sends: the agent acts for the principal when one is picked (COAZ-MCP's shape). */
export function testRequest(actor: PickedNode, actingFor: PickedNode | null, action: Action, target: PickedNode) {
  const subject = actingFor ?? actor;
  return {
    subject: { type: subject.kind, id: subject.id },
    action: { name: action },
    resource: { type: target.kind, id: target.id },
    ...(actingFor ? { context: { agent: actor.id } } : {}),
  };
}

type NodeBrief = { id: string; name: string; kind: NodeKind };

/** The path's nodes by name, each a link to its page (one cached read per node; ids until they arrive). */
function PathList({ ids }: { ids: string[] }) {
  const found = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["nodes", "brief", id],
      queryFn: ({ signal }: { signal: AbortSignal }) => apiFetch<NodeBrief>(`/api/v1/nodes/${encodeURIComponent(id)}`, { signal }),
      staleTime: 60_000,
    })),
  });
  return (
    <ol className={styles.path} aria-label="Access path" data-testid="decision-path">
      {ids.map((id, i) => {
        const n = found[i]?.data;
        return (
          <li key={`${id}-${i}`}>
            {n ? <KindBadge kind={n.kind} /> : null}
            <Link href={`/nodes/${encodeURIComponent(id)}`}>{n?.name ?? id}</Link>
          </li>
        );
      })}
    </ol>
  );
}

/**
 * "Test a decision": pick who acts (and, for an agent, the person it acts for), what it does and on what, and see
 * what a gateway would be told now — allowed or denied, the reason in words, the access path it found, the graph and
 * policy versions. Sent to the real decision endpoint with the person's session: the answer is the runtime's, it is
 * written to the decision log as made by this person, and a step-up opens no request (nobody's inbox fills up from
 * a test).
 */
export function TestDecision() {
  const id = useId();
  const router = useRouter();
  const [actor, setActor] = useState<PickedNode | null>(null);
  const [actingFor, setActingFor] = useState<PickedNode | null>(null);
  const [action, setAction] = useState<Action>("tools/call");
  const [target, setTarget] = useState<PickedNode | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const kinds = ACTIONS.find((a) => a.value === action)!.kinds;
  const targetLabel = action === "tools/call" ? "Tool" : action === "prompts/get" ? "MCP server" : "Resource or MCP server";
  const test = useMutation({
    mutationFn: (body: ReturnType<typeof testRequest>) => apiFetch<TestAnswer>("/access/v1/evaluation", { method: "POST", body }),
    // The decision log is written about a second later: show it in the list below.
    onSuccess: () => setTimeout(() => router.refresh(), 1500),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!actor) return setMissing("Pick who acts: an agent, service account or person.");
    if (!target) return setMissing(action === "tools/call" ? "Pick the tool." : "Pick the resource or MCP server.");
    setMissing(null);
    test.mutate(testRequest(actor, actor.kind === "agent" ? actingFor : null, action, target));
  }

  const answer = test.data;
  const ctx = answer?.context ?? {};
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Test a decision</h2>
      <p className={styles.hint}>
        What a gateway would be told now if this identity made this call. The test is logged as yours; it opens no approval request.
      </p>
      <form className={`panel ${styles.form}`} onSubmit={submit} noValidate data-testid="test-decision-form">
        <div className={styles.field}>
          {/* The visible words; the field's accessible name is the same (aria-label). */}
          <span aria-hidden>Who acts</span>
          <NodeCombobox
            label="Who acts"
            kinds={ACTORS}
            onPick={setActor}
            onEdit={() => setActor(null)}
            placeholder="An agent, service account or person…"
            className={styles.picker}
            testId="test-actor"
          />
        </div>
        {actor?.kind === "agent" ? (
          <div className={styles.field}>
            <span aria-hidden>Acting for (optional)</span>
            <NodeCombobox
              label="Acting for (optional)"
              kinds={PRINCIPALS}
              onPick={setActingFor}
              onEdit={() => setActingFor(null)}
              placeholder="The person it acts for…"
              className={styles.picker}
              testId="test-acting-for"
            />
          </div>
        ) : null}
        <label className={styles.field}>
          Action
          <select
            value={action}
            onChange={(e) => {
              setAction(e.target.value as Action);
              setTarget(null);
            }}
            data-testid="test-action"
          >
            {ACTIONS.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        <div className={styles.field}>
          <span aria-hidden>{targetLabel}</span>
          <NodeCombobox
            key={action}
            label={targetLabel}
            kinds={kinds}
            onPick={setTarget}
            onEdit={() => setTarget(null)}
            placeholder="Type a name…"
            className={styles.picker}
            testId="test-target"
          />
        </div>
        <div className={styles.actions}>
          <button className="btn" type="submit" disabled={test.isPending} data-testid="test-decision-submit">
            {test.isPending ? "Asking…" : "Test"}
          </button>
        </div>
      </form>
      {missing ? <Alert>{missing}</Alert> : null}
      {test.error ? <Alert>{errorMessage(test.error)}</Alert> : null}
      {answer ? (
        <div
          className={`panel ${styles.result}`}
          role="status"
          aria-live="polite"
          data-testid="test-decision-result"
          data-decision={answer.decision ? "allow" : "deny"}
        >
          <div className={styles.verdict}>
            <Badge tone={answer.decision ? "ok" : ctx.reason_code === "approval_required" ? "warn" : "danger"}>
              {answer.decision ? "Allowed" : ctx.reason_code === "approval_required" ? "Approval required" : "Denied"}
            </Badge>
            <span>{ctx.reason_admin?.en}</span>
          </div>
          {ctx.path && ctx.path.length > 0 ? <PathList ids={ctx.path} /> : null}
          <dl className={styles.facts}>
            <dt>Reason code</dt>
            <dd>
              <code>{ctx.reason_code}</code>
            </dd>
            {ctx.reason_user?.en ? (
              <>
                <dt>The caller is told</dt>
                <dd>{ctx.reason_user.en}</dd>
              </>
            ) : null}
            {ctx.tool_risk ? (
              <>
                <dt>Tool risk</dt>
                <dd>{ctx.tool_risk}</dd>
              </>
            ) : null}
            {ctx.step_up_cause ? (
              <>
                <dt>Why step-up</dt>
                <dd>{ctx.step_up_cause.replaceAll("_", " ")}</dd>
              </>
            ) : null}
            {ctx.grant_expires_at ? (
              <>
                <dt>Grant until</dt>
                <dd>{new Date(ctx.grant_expires_at).toLocaleString()}</dd>
              </>
            ) : null}
            {ctx.graph_version !== undefined ? (
              <>
                <dt>Versions</dt>
                <dd>
                  graph {ctx.graph_version}, policy {ctx.policy_version}
                </dd>
              </>
            ) : null}
          </dl>
          {ctx.reason_code === "approval_required" ? (
            <p className={styles.hint}>From a gateway this call would have opened a request in the approver&apos;s inbox; a test does not.</p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
