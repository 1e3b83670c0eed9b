import pkg from "@/package.json";
import type { DecisionRow } from "./decision-batch";

/**
 * A decision as an OCSF API Activity event (class_uid 6003, category_uid 6 "Application Activity").
 *
 * Mapping checked against the OCSF schema (github.com/ocsf/ocsf-schema): events/application/api_activity.json
 * (class "API Activity": activity_id 1 Create, 2 Read, 3 Update, 4 Delete; actor, api and src_endpoint required;
 * resources recommended), the base event (time, severity_id, metadata, count, status/status_id, unmapped) and the
 * Security Control profile, profiles/security_control.json (action_id 1 Allowed / 2 Denied; disposition_id from the
 * dictionary: 1 Allowed, 2 Blocked). Schema version targeted: OCSF_VERSION.
 *
 * - activity_id: `resources/read` and `prompts/get` read (2 Read); `tools/call` may do anything, so 99 Other with
 *   activity_name naming the MCP method; type_uid = class_uid × 100 + activity_id.
 * - status: the call the gateway asked about went ahead (1 Success) or was stopped (2 Failure, status_detail = the
 *   reason code); disposition/action say the same as the control's outcome.
 * - count: a sampled allow stands for `weight` decisions like it (docs/DECISION-LOG.md).
 * - metadata.uid = the decision's id; metadata.correlation_uid = the request id (X-Request-ID) when sent.
 * - actor.user: the subject (an agent, service account or person: its node id, else the ref the request named);
 *   src_endpoint: the PDP client (the gateway's API token id) that asked, the only source Attest knows.
 * - unmapped: what OCSF has no attribute for: reason_code, graph_version, pdp_state_version, refs, acting_for_id,
 *   batch_audit_id (the audit event chaining the row).
 */
export const OCSF_VERSION = "1.3.0";
export const API_ACTIVITY_CLASS_UID = 6003;
export const APPLICATION_CATEGORY_UID = 6;

export interface OcsfNames {
  [nodeId: string]: string | undefined;
}

function activity(action: string): { id: number; name: string } {
  if (action === "resources/read" || action === "prompts/get") return { id: 2, name: "Read" };
  return { id: 99, name: action.slice(0, 100) || "Other" };
}

export interface OcsfApiActivity {
  category_uid: 6;
  category_name: "Application Activity";
  class_uid: 6003;
  class_name: "API Activity";
  activity_id: number;
  activity_name: string;
  type_uid: number;
  type_name: string;
  time: number;
  time_dt: string;
  severity_id: 1;
  severity: "Informational";
  count: number;
  status_id: 1 | 2;
  status: "Success" | "Failure";
  status_detail?: string;
  action_id: 1 | 2;
  action: "Allowed" | "Denied";
  disposition_id: 1 | 2;
  disposition: "Allowed" | "Blocked";
  metadata: {
    version: string;
    uid: string;
    correlation_uid?: string;
    logged_time: number;
    profiles: string[];
    product: { name: "Attest"; vendor_name: "Attest"; version: string; feature: { name: string } };
  };
  actor: { user: { uid: string; name?: string; type?: string } };
  api: { operation: string; request?: { uid: string }; service: { name: string } };
  src_endpoint: { uid?: string; name: string };
  resources: { uid: string; name?: string; type: string }[];
  unmapped: Record<string, unknown>;
}

/** One decision_log row as an OCSF API Activity event. `names`: node id → name, for the rows' subjects and tools. */
export function toOcsf(r: DecisionRow, names: OcsfNames = {}): OcsfApiActivity {
  const act = activity(r.action);
  const allowed = r.decision;
  const subjectUid = r.subjectId ?? r.subjectRef;
  const resourceUid = r.resourceId ?? r.resourceRef;
  const subjectName = r.subjectId ? names[r.subjectId] : undefined;
  const resourceName = r.resourceId ? names[r.resourceId] : undefined;
  return {
    category_uid: 6,
    category_name: "Application Activity",
    class_uid: 6003,
    class_name: "API Activity",
    activity_id: act.id,
    activity_name: act.name,
    type_uid: API_ACTIVITY_CLASS_UID * 100 + act.id,
    type_name: `API Activity: ${act.id === 99 ? "Other" : act.name}`,
    time: r.decidedAt.getTime(),
    time_dt: r.decidedAt.toISOString(),
    severity_id: 1,
    severity: "Informational",
    count: r.weight,
    status_id: allowed ? 1 : 2,
    status: allowed ? "Success" : "Failure",
    ...(allowed ? {} : { status_detail: r.reasonCode }),
    action_id: allowed ? 1 : 2,
    action: allowed ? "Allowed" : "Denied",
    disposition_id: allowed ? 1 : 2,
    disposition: allowed ? "Allowed" : "Blocked",
    metadata: {
      version: OCSF_VERSION,
      uid: r.id,
      ...(r.requestId ? { correlation_uid: r.requestId } : {}),
      logged_time: r.decidedAt.getTime(),
      profiles: ["security_control"],
      product: { name: "Attest", vendor_name: "Attest", version: pkg.version, feature: { name: "AuthZEN decision point" } },
    },
    actor: { user: { uid: subjectUid, ...(subjectName ? { name: subjectName } : {}), type: r.subjectRef.split(":")[0] || undefined } },
    api: { operation: r.action, ...(r.requestId ? { request: { uid: r.requestId } } : {}), service: { name: "MCP" } },
    src_endpoint: { ...(r.clientId ? { uid: r.clientId } : {}), name: "PDP client" },
    resources: [{ uid: resourceUid, ...(resourceName ? { name: resourceName } : {}), type: r.resourceRef.split(":")[0] || "tool" }],
    unmapped: {
      reason_code: r.reasonCode,
      graph_version: r.graphVersion,
      pdp_state_version: r.pdpStateVersion,
      subject_ref: r.subjectRef,
      resource_ref: r.resourceRef,
      acting_for_id: r.actingForId,
      batch_audit_id: r.batchAuditId,
    },
  };
}
