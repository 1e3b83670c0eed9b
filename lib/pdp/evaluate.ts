import type { AccessIndex } from "@/lib/graph/access-index";
import { isDepartedStatus } from "@/lib/ownership/owner-state";
import { knobsFor } from "./policy";
import { allowedPath } from "./reach";
import { grantKey, type NodeFacts, type PdpState } from "./state";

/** An AuthZEN entity as the request named it (parsed and bounded in lib/pdp/authzen-input.ts). */
export interface Entity {
  type: string;
  id: string;
  properties?: Record<string, unknown>;
}
export interface EvalRequest {
  subject: Entity;
  action: { name: string; properties?: Record<string, unknown> };
  resource: Entity;
  context?: Record<string, unknown>;
}

export const SUPPORTED_ACTIONS = ["tools/call", "resources/read", "prompts/get"] as const;

/** Every reason a decision can give (context.reason_code); stable, documented in docs/PDP.md. */
export const REASON_CODES = [
  "access_path",
  "allowed_with_log",
  "jit_grant",
  "subject_unknown",
  "subject_ambiguous",
  "resource_unknown",
  "resource_ambiguous",
  "action_unsupported",
  "subject_inactive",
  "principal_inactive",
  "tool_definition_changed",
  "no_access",
  "access_revoked",
  "owner_gone",
  "approval_required",
  "denied_by_policy",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface StepUp {
  subjectId: string;
  actingForId: string | null;
  toolId: string;
  action: string;
  /** What made it need approval: destructive_tool, unknown_annotations, open_world_tool. */
  cause: string;
}

export interface Evaluation {
  decision: boolean;
  reasonCode: ReasonCode;
  /** The AuthZEN decision context: reason_code, reason_admin / reason_user (Reason Field objects), details. */
  context: Record<string, unknown>;
  subjectId: string | null;
  actingForId: string | null;
  resourceId: string | null;
  /** Set when the answer is approval_required: the access request to open (or find). */
  stepUp?: StepUp;
}

const ID_RE = /^[a-z]{2,4}_[0-9a-z]{26}$/;
const PRINCIPALS = new Set(["human", "service_account", "agent"]);

type Resolved = { id: string } | { error: "unknown" | "ambiguous" };

/** A node named by Attest id, by `source:kind:externalId`, or (for principals) by a token claim value. */
function resolveRef(state: PdpState, raw: string, claims: Map<string, string[]> | null): Resolved {
  const f = state.facts;
  if (ID_RE.test(raw)) return f.nodes.has(raw) ? { id: raw } : { error: "unknown" };
  const byRef = f.byRef.get(raw);
  if (byRef) return { id: byRef };
  if (!claims) return { error: "unknown" };
  const ids = claims.get(raw) ?? claims.get(raw.toLowerCase());
  if (!ids?.length) return { error: "unknown" };
  return ids.length === 1 ? { id: ids[0]! } : { error: "ambiguous" };
}

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 && v.length <= 1000 ? v : null);

/**
 * Who acts and for whom. COAZ-MCP puts the user on whose behalf an agent acts in `subject` and the agent in
 * `context.agent` (the token's client_id); a token-exchange token says the same with `sub` and `act.sub`. So:
 * the acting party is the agent named by context.agent, subject.properties.client_id or subject.properties.act.sub
 * when one is given, and the subject is then the principal it acts for; otherwise the subject acts for itself.
 */
function resolveSubject(state: PdpState, req: EvalRequest): { actor: Resolved; actingFor: Resolved | null } {
  const props = req.subject.properties ?? {};
  const act = props.act && typeof props.act === "object" && !Array.isArray(props.act) ? (props.act as Record<string, unknown>) : null;
  const agentRef = str(req.context?.agent) ?? str(props.client_id) ?? str(act?.sub);
  const subject = resolveRef(state, req.subject.id, state.facts.byClaim);
  if (!agentRef) return { actor: subject, actingFor: null };
  const agent = resolveRef(state, agentRef, state.facts.byClaim);
  // The agent's own token (subject is the agent): no one else to act for.
  if ("id" in agent && "id" in subject && agent.id === subject.id) return { actor: agent, actingFor: null };
  return { actor: agent, actingFor: subject };
}

function resolveResource(state: PdpState, req: EvalRequest): Resolved {
  const f = state.facts;
  const direct = resolveRef(state, req.resource.id, null);
  if ("id" in direct) return direct;
  const props = req.resource.properties ?? {};
  const serverRef = str(props.server) ?? str(props.mcp_server) ?? str(req.context?.mcp_server);
  let serverIds: string[] | null = null;
  if (serverRef) {
    const s = resolveRef(state, serverRef, f.serversByName);
    if (!("id" in s)) return s;
    serverIds = [s.id];
  }
  if (req.action.name === "prompts/get" || req.resource.type === "mcp_server") {
    // Prompts are not in the graph: a prompt is reached through its server.
    if (serverIds) return { id: serverIds[0]! };
    const byName = f.serversByName.get(req.resource.id);
    if (req.resource.type === "mcp_server" && byName?.length) return byName.length === 1 ? { id: byName[0]! } : { error: "ambiguous" };
    return { error: "unknown" };
  }
  if (req.action.name === "resources/read") {
    if (serverIds) return { id: serverIds[0]! };
    return { error: "unknown" };
  }
  let ids = f.toolsByName.get(req.resource.id) ?? [];
  if (serverIds) ids = ids.filter((t) => f.tools.get(t)?.serverIds.some((s) => serverIds.includes(s)));
  if (ids.length === 0) return { error: "unknown" };
  return ids.length === 1 ? { id: ids[0]! } : { error: "ambiguous" };
}

/** The node a request's resource names (id, reference, or tool name with its server), or null: for searches. */
export function resolveResourceId(state: PdpState, req: EvalRequest): string | null {
  const r = resolveResource(state, req);
  return "id" in r ? r.id : null;
}

const WORDS: Record<ReasonCode, { admin: string; user: string }> = {
  access_path: { admin: "an access path exists now and none of its access was revoked in a campaign", user: "Allowed." },
  allowed_with_log: {
    admin: "allowed by policy, logged: the tool's annotations do not say whether it is destructive, or it acts on an open world",
    user: "Allowed.",
  },
  jit_grant: { admin: "allowed by an approved access request (just-in-time grant) until it expires", user: "Allowed by an approved request." },
  subject_unknown: { admin: "the subject (or the agent acting) is not an identity Attest knows", user: "Access denied: your identity is not known." },
  subject_ambiguous: {
    admin: "the subject's identifier matches more than one identity; name it by Attest id or source:kind:externalId",
    user: "Access denied: your identity could not be determined.",
  },
  resource_unknown: { admin: "the resource is not a tool, resource or MCP server Attest knows", user: "Access denied: unknown tool." },
  resource_ambiguous: {
    admin: "the tool name matches tools on several MCP servers; send resource.properties.server",
    user: "Access denied: the tool could not be determined.",
  },
  action_unsupported: { admin: "the action is not one this decision point answers", user: "Access denied." },
  subject_inactive: { admin: "the acting identity is terminated or inactive", user: "Access denied: this identity is not active." },
  principal_inactive: {
    admin: "the principal the agent acts for is terminated or inactive",
    user: "Access denied: the person this agent acts for is not active.",
  },
  tool_definition_changed: {
    admin: "the tool's definition changed since access to it was certified; re-certify it",
    user: "Access denied: this tool changed since it was approved.",
  },
  no_access: { admin: "no access path from the subject to the resource exists now", user: "Access denied: you do not have access to this tool." },
  access_revoked: {
    admin: "the only access paths pass through access revoked in a campaign (a revoke holds until a later campaign approves it again)",
    user: "Access denied: this access was revoked in an access review.",
  },
  owner_gone: { admin: "the tool has no active accountable owner and policy denies such tools", user: "Access denied: this tool has no owner." },
  approval_required: {
    admin: "policy requires approval for this tool; an access request was opened for the tool's owner (or the admins)",
    user: "Approval required: a request was sent to the approver; try again once it is approved.",
  },
  denied_by_policy: { admin: "policy denies tools like this one", user: "Access denied by policy." },
};

function answer(
  decision: boolean,
  code: ReasonCode,
  ids: { subjectId: string | null; actingForId: string | null; resourceId: string | null },
  extra: Record<string, unknown> = {},
): Evaluation {
  const w = WORDS[code];
  return {
    decision,
    reasonCode: code,
    context: { reason: code, reason_code: code, reason_admin: { en: w.admin }, reason_user: { en: w.user }, ...extra },
    ...ids,
  };
}

const inactive = (n: NodeFacts | undefined) => !!n && isDepartedStatus(n.status);
const STRICTNESS = { allow: 0, allow_with_log: 1, approval_required: 2, deny: 3 } as const;

/**
 * One runtime decision, pure: the same state, index, request and instant always give the same answer. Allow only
 * when an access path exists now avoiding revoked access, no deny rule applies (inactive subject or principal, tool
 * changed since certified, owner gone under policy), and the policy's step-up choice for the tool allows (or an
 * approved, unexpired access request covers the pair). `remember: false` (searches) reads remembered paths but adds none.
 */
export interface EvaluateOptions {
  /** false (searches): read remembered paths but add none. */
  remember?: boolean;
  /**
   * The caller already knows an allowed path joins this subject (the acting one) and resource (a search's one-sided
   * walk, lib/pdp/reach.ts allowedReach): no search of its own; the answer carries no path. Ignored unless both match
   * what the request resolves to.
   */
  pathKnown?: { subjectId: string; resourceId: string };
}

export function evaluate(state: PdpState, ix: AccessIndex, req: EvalRequest, now: number, opts: EvaluateOptions = {}): Evaluation {
  const none = { subjectId: null, actingForId: null, resourceId: null };
  if (!(SUPPORTED_ACTIONS as readonly string[]).includes(req.action.name)) return answer(false, "action_unsupported", none);
  const { actor, actingFor } = resolveSubject(state, req);
  if (!("id" in actor)) return answer(false, actor.error === "ambiguous" ? "subject_ambiguous" : "subject_unknown", none);
  if (actingFor && !("id" in actingFor)) return answer(false, actingFor.error === "ambiguous" ? "subject_ambiguous" : "subject_unknown", none);
  const subjectId = actor.id;
  const actingForId = actingFor && "id" in actingFor ? actingFor.id : null;
  const sNode = state.facts.nodes.get(subjectId);
  if (!sNode || !PRINCIPALS.has(sNode.kind)) return answer(false, "subject_unknown", none);
  const aNode = actingForId ? state.facts.nodes.get(actingForId) : undefined;
  if (actingForId && (!aNode || !PRINCIPALS.has(aNode.kind))) return answer(false, "subject_unknown", none);
  const res = resolveResource(state, req);
  const who = { subjectId, actingForId, resourceId: null };
  if (!("id" in res)) return answer(false, res.error === "ambiguous" ? "resource_ambiguous" : "resource_unknown", who);
  const resourceId = res.id;
  const ids = { subjectId, actingForId, resourceId };
  const rNode = state.facts.nodes.get(resourceId);
  if (!rNode || (rNode.kind !== "tool" && rNode.kind !== "mcp_server" && rNode.kind !== "resource")) return answer(false, "resource_unknown", who);
  // Each MCP method acts on its own kind: a tool is called, a resource read, a prompt got from its server.
  const fits =
    req.action.name === "tools/call" ? rNode.kind === "tool" : req.action.name === "resources/read" ? rNode.kind !== "tool" : rNode.kind === "mcp_server";
  if (!fits) return answer(false, "action_unsupported", ids);
  if (inactive(sNode)) return answer(false, "subject_inactive", ids);
  if (inactive(aNode)) return answer(false, "principal_inactive", ids);
  const tool = rNode.kind === "tool" ? state.facts.tools.get(resourceId) : undefined;
  const drift = state.facts.drifted.get(resourceId);
  if (drift) return answer(false, "tool_definition_changed", ids, { certified_hash: drift.certifiedHash, current_hash: drift.currentHash });

  const from = ix.indexOf.get(subjectId);
  const to = ix.indexOf.get(resourceId);
  const revoked = state.decisions.revoked;
  // The bidirectional search, remembered per pair (a deny too) for this index and revocation set. A deny with
  // revocations in force asks once more without them, to tell "revoked in a campaign" from "never had access".
  const known = opts.pathKnown && opts.pathKnown.subjectId === subjectId && opts.pathKnown.resourceId === resourceId;
  const path = known ? [] : from !== undefined && to !== undefined ? allowedPath(ix, from, to, revoked, opts.remember) : null;
  if (!path) {
    const blocked = from !== undefined && to !== undefined && revoked.size > 0 && allowedPath(ix, from, to, EMPTY, opts.remember) !== null;
    return answer(false, blocked ? "access_revoked" : "no_access", ids);
  }
  const base = { ...(known ? {} : { path }), graph_version: ix.version, policy_version: state.decisions.policyVersion };
  if (!tool) return answer(true, "access_path", ids, base);

  const knobs = knobsFor(state.decisions.policy, tool.risk, rNode.source);
  if (tool.ownerGone && knobs.ownerGone === "deny") return answer(false, "owner_gone", ids, base);
  // The strictest step-up choice among what the tool is.
  let choice: keyof typeof STRICTNESS = "allow";
  let cause = "";
  const consider = (c: keyof typeof STRICTNESS, why: string) => {
    if (STRICTNESS[c] > STRICTNESS[choice]) {
      choice = c;
      cause = why;
    }
  };
  if (tool.declaredDestructive) consider(knobs.destructive, "destructive_tool");
  if (tool.unknownAnnotations) consider(knobs.unknownAnnotations, "unknown_annotations");
  if (tool.openWorldWrite) consider(knobs.openWorld, "open_world_tool");
  const detail = { ...base, tool_risk: tool.risk, ...(cause ? { step_up_cause: cause } : {}) };
  if (choice === "allow") return answer(true, "access_path", ids, detail);
  if (choice === "allow_with_log") return answer(true, "allowed_with_log", ids, detail);
  if (choice === "deny") return answer(false, "denied_by_policy", ids, detail);
  const grantEnd = state.decisions.grants.get(grantKey(subjectId, resourceId));
  if (grantEnd !== undefined && grantEnd > now) return answer(true, "jit_grant", ids, { ...detail, grant_expires_at: new Date(grantEnd).toISOString() });
  const out = answer(false, "approval_required", ids, detail);
  out.stepUp = { subjectId, actingForId, toolId: resourceId, action: req.action.name, cause };
  return out;
}

const EMPTY: ReadonlySet<string> = new Set();
