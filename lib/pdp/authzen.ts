import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { enforceRateLimit } from "@/lib/authz/rate-limit";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordDecision } from "@/lib/usage/decision-log";
import { evaluationSchema, evaluationsSchema, parseBody } from "./authzen-input";
import { evaluate, type EvalRequest, type Evaluation } from "./evaluate";
import { openAccessRequest } from "./open-request";
import { pdpSnapshot } from "./runtime";
import type { PdpState } from "./state";
import type { AccessIndex } from "@/lib/graph/access-index";

export interface Decision {
  decision: boolean;
  context?: Record<string, unknown>;
}

export interface PdpCallOptions {
  requestId?: string | null;
  now?: Date;
  /** Wait for node facts at the graph's version (tests and the UI's "test a decision"). */
  fresh?: boolean;
}

/** Calls per second per PDP client (ATTEST_PDP_RATE_PER_SECOND, default 6000): sized for a gateway, not a person. */
export function pdpRatePerSecond(): number {
  const v = Number(process.env.ATTEST_PDP_RATE_PER_SECOND ?? 6000);
  return Number.isFinite(v) && v >= 1 ? v : 6000;
}

/** The permission check and the PDP's own rate-limit bucket (per token, else per user). */
export function admitPdpCall(actor: Actor): void {
  requirePermission(actor, "pdp.evaluate");
  const who = actor.type === "token" ? `t:${actor.tokenId}` : `u:${actor.id}`;
  enforceRateLimit(`pdp:${who}`, pdpRatePerSecond(), 1000, "decision requests");
}

const ref = (e: { type: string; id: string }) => `${e.type}:${e.id}`.slice(0, 300);

async function decideOne(db: Db, actor: Actor, state: PdpState, ix: AccessIndex, req: EvalRequest, now: Date, requestId: string | null): Promise<Decision> {
  const ev: Evaluation = evaluate(state, ix, req, now.getTime());
  const context: Record<string, unknown> = { ...ev.context };
  // A person trying a decision from the UI (a session, not a client's token) sees the answer without opening a
  // request in someone's inbox.
  if (ev.stepUp && actor.type !== "token" && actor.type !== "bootstrap") context.access_request_opened = false;
  else if (ev.stepUp) {
    const justification = typeof req.context?.justification === "string" ? req.context.justification.slice(0, 1000) : null;
    const opened = await openAccessRequest(db, actor, state, ev.stepUp, { now, graphVersion: ix.version, justification, requestId: requestId ?? undefined });
    // The draft access-request profile's requestable denial: here the decision point opens the request itself
    // (a micro-approval in the approver's inbox), so the PEP re-evaluates after approval instead of submitting.
    context.evaluation_id = newId("eval");
    context.evaluated_at = now.toISOString();
    context.access_request = {
      request_id: opened.id,
      status: opened.status,
      expires_at: opened.requestExpiresAt.toISOString(),
      template: `attest_step_up_${ev.stepUp.cause}`,
      display: { title: "Approval required", description: "An approver must allow this tool call; it was asked. Try again once approved." },
    };
  }
  recordDecision({
    decidedAt: now,
    requestId,
    clientId: actor.type === "token" ? actor.tokenId : actor.id,
    subjectId: ev.subjectId,
    subjectRef: ref(req.subject),
    actingForId: ev.actingForId,
    action: req.action.name.slice(0, 200),
    resourceId: ev.resourceId,
    resourceRef: ref(req.resource),
    decision: ev.decision,
    reasonCode: ev.reasonCode,
    graphVersion: ix.version,
    pdpStateVersion: state.decisions.version,
    context,
  });
  return { decision: ev.decision, context };
}

/** POST /access/v1/evaluation: one decision. A deny is a 200 with `decision: false` and the reason in `context`. */
export async function accessEvaluation(db: Db, actor: Actor, input: unknown, opts: PdpCallOptions = {}): Promise<Decision> {
  admitPdpCall(actor);
  const req = parseBody(evaluationSchema, input) as EvalRequest;
  const { state, ix } = await pdpSnapshot(db, { fresh: opts.fresh });
  return decideOne(db, actor, state, ix, req, opts.now ?? new Date(), opts.requestId ?? null);
}

/**
 * POST /access/v1/evaluations: a batch. Top-level subject/action/resource/context are defaults each item overrides
 * (context is replaced, not merged, as the specification's defaults are per key); an item left without a subject,
 * action or resource is a 400 naming it. Without `evaluations` it is a single evaluation answered as one.
 * `options.evaluations_semantic`: execute_all (default), deny_on_first_deny, permit_on_first_permit — the
 * short-circuits stop at the first deny / permit, as the specification's examples answer.
 */
export async function accessEvaluations(db: Db, actor: Actor, input: unknown, opts: PdpCallOptions = {}): Promise<{ evaluations: Decision[] } | Decision> {
  admitPdpCall(actor);
  const body = parseBody(evaluationsSchema, input);
  if (!body.evaluations || body.evaluations.length === 0) {
    const req = parseBody(evaluationSchema, body) as EvalRequest;
    const { state, ix } = await pdpSnapshot(db, { fresh: opts.fresh });
    return decideOne(db, actor, state, ix, req, opts.now ?? new Date(), opts.requestId ?? null);
  }
  const items: EvalRequest[] = body.evaluations.map((e, i) => {
    const subject = e.subject ?? body.subject;
    const action = e.action ?? body.action;
    const resource = e.resource ?? body.resource;
    const missing = [!subject && "subject", !action && "action", !resource && "resource"].filter(Boolean) as string[];
    if (missing.length)
      throw new AppError(
        "validation",
        `evaluations[${i}]: ${missing.join(", ")} missing here and not given at the top level`,
        missing.map((m) => ({ path: `evaluations[${i}].${m}`, message: "required (here or as a top-level default)" })),
      );
    return { subject: subject!, action: action!, resource: resource!, context: e.context ?? body.context } as EvalRequest;
  });
  const semantic = body.options?.evaluations_semantic ?? "execute_all";
  const { state, ix } = await pdpSnapshot(db, { fresh: opts.fresh });
  const now = opts.now ?? new Date();
  const out: Decision[] = [];
  for (const [i, req] of items.entries()) {
    const d = await decideOne(db, actor, state, ix, req, now, opts.requestId ? `${opts.requestId}#${i}`.slice(0, 200) : null);
    out.push(d);
    if (semantic === "deny_on_first_deny" && !d.decision) break;
    if (semantic === "permit_on_first_permit" && d.decision) break;
  }
  return { evaluations: out };
}
