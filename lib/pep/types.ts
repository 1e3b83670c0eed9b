/**
 * The OpenID AuthZEN Authorization API 1.0 information model (api/authorization-api-1_0.md in openid/authzen):
 * what an enforcement point sends and what a decision point answers. Receivers ignore members they do not know,
 * so every object here may carry more than is typed.
 */

/** A Subject, Resource: `type` and `id` required, `properties` optional. */
export interface AuthzenEntity {
  type: string;
  id: string;
  properties?: Record<string, unknown>;
}

export type AuthzenSubject = AuthzenEntity;
export type AuthzenResource = AuthzenEntity;

export interface AuthzenAction {
  name: string;
  properties?: Record<string, unknown>;
}

/** Access Evaluation API request (POST /access/v1/evaluation). */
export interface EvaluationRequest {
  subject: AuthzenSubject;
  action: AuthzenAction;
  resource: AuthzenResource;
  context?: Record<string, unknown>;
}

export type EvaluationsSemantic = "execute_all" | "deny_on_first_deny" | "permit_on_first_permit";

/**
 * Access Evaluations API request (POST /access/v1/evaluations): the top-level subject/action/resource/context are
 * defaults for every item; an item's own key overrides the default whole (it is not merged).
 */
export interface EvaluationsRequest {
  subject?: AuthzenSubject;
  action?: AuthzenAction;
  resource?: AuthzenResource;
  context?: Record<string, unknown>;
  evaluations: Partial<EvaluationRequest>[];
  options?: { evaluations_semantic?: EvaluationsSemantic } & Record<string, unknown>;
}

/** A Decision as the PDP answers it: `decision` required (true = permit), `context` optional. */
export interface Decision {
  decision: boolean;
  context?: Record<string, unknown>;
}

/** Why this enforcement point denied on its own, without a decision from the PDP (it fails closed). */
export type LocalDenyCode =
  | "pdp_unreachable"
  | "pdp_timeout"
  | "pdp_http_error"
  | "pdp_invalid_response"
  | "pdp_request_id_mismatch"
  | "pdp_metadata_invalid"
  | "pdp_not_evaluated"
  | "pep_invalid_request";

/**
 * What the enforcement point acts on: the PDP's decision, or a local deny (`local` set) when no valid decision came
 * back. A local deny's `context` uses the same `reason_code` / `reason_admin` / `reason_user` keys as Attest's PDP.
 */
export interface PepDecision extends Decision {
  /** The X-Request-ID sent with the HTTP call that produced (or failed to produce) this decision. */
  requestId: string;
  local?: { code: LocalDenyCode; detail: string };
}

export interface PepBatchDecision {
  requestId: string;
  /** One per item of the request, in order; an item the PDP did not answer is a local deny (`pdp_not_evaluated`). */
  evaluations: PepDecision[];
  /** Set when the whole call failed (every item is then a local deny with this code). */
  local?: { code: LocalDenyCode; detail: string };
}
