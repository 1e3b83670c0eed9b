import { NODE_KIND_LABEL, type NodeKind } from "@/lib/graph/model";
import type { FindingRule } from "./rules";
import type { FindingAction } from "./views";

/** What a group is, to choose its action: its cause and its members' main rule and counts. */
export interface GroupForAction {
  cause: { id: string; kind: NodeKind; name: string };
  rule: FindingRule;
  count: number;
  /** Members that fixing the cause alone resolves. */
  resolves: number;
}

const nodeHref = (id: string, tab?: string) => `/nodes/${encodeURIComponent(id)}${tab ? `?tab=${tab}` : ""}`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The one action that resolves a group, chosen by its cause's kind and its
 * members' main rule. Pure: the API, the dashboard and the work queue share it.
 * `closes` is the members the evaluation found the cause alone explains.
 */
export function actionFor(g: GroupForAction): FindingAction {
  const { cause, rule, count } = g;
  const closes = g.resolves;
  const name = cause.name;
  const findings = plural(count, "finding");
  const base = { closes, campaign: false };
  if (rule === "tool_definition_changed")
    return {
      ...base,
      kind: "recertify_tool",
      label: `Re-certify ${name}`,
      description: `The tool's definition changed after its access was certified (a possible rug pull). Review the change and re-certify who may call it; a campaign over this tool drafts the review (${findings}).`,
      href: `/findings?group=${encodeURIComponent(cause.id)}`,
      campaign: true,
    };
  if (rule === "insecure_mcp_server")
    return {
      ...base,
      kind: "secure_server",
      label: `Secure ${name}`,
      description: "Pin the server's package to a version, or reach it over HTTPS, then import its configuration again.",
      href: `/mcp/${encodeURIComponent(cause.id)}`,
    };
  if (cause.kind === "human" && (rule === "no_active_owner" || rule === "agent_inactive_principal"))
    return {
      ...base,
      kind: "reassign_departed",
      label: `Reassign what ${name} owned`,
      description: `${name} left; ${findings} come from identities they owned or agents acting for them. Reassign them (or retire the agents) in the reassignment queue.`,
      href: "/ownership/reassignments",
    };
  if (rule === "no_active_owner")
    return {
      ...base,
      kind: "assign_owner",
      label: `Assign an owner to ${name}`,
      description: `The ${NODE_KIND_LABEL[cause.kind].toLowerCase()} has no active owner. Assign one who answers for it.`,
      href: `/ownership/nodes/${encodeURIComponent(cause.id)}`,
    };
  if (cause.kind === "credential" && (rule === "hardcoded_secret" || rule === "credential_rotation" || rule === "shared_credential"))
    return {
      ...base,
      kind: "rotate_credential",
      label: `Rotate and vault ${name}`,
      description:
        rule === "shared_credential"
          ? "Issue each identity its own credential, then rotate and retire the shared one."
          : "Rotate the secret, store the new one in a vault or secret manager, and remove the old value from configuration files.",
      href: nodeHref(cause.id, "credentials"),
    };
  if (rule === "uncertified_risky_tool")
    return {
      ...base,
      kind: "review_access",
      label: `Open a campaign for access through ${name}`,
      description: `Agents reach risky tools through ${name} without a certification. A review campaign over these findings asks the owners to approve or revoke.`,
      href: `/findings?group=${encodeURIComponent(cause.id)}`,
      campaign: true,
    };
  if (["group", "entitlement", "credential", "mcp_server", "tool", "resource"].includes(cause.kind))
    return {
      ...base,
      kind: "remove_grant",
      label: `Remove the access ${name} grants`,
      description: `${name} is on every shortest path behind ${plural(closes, "finding")} of ${count}: remove its grant to the risky tools and resources (or its members who do not need them), or open a review campaign.`,
      href: nodeHref(cause.id, "access"),
      campaign: true,
    };
  return {
    ...base,
    kind: "reduce_reach",
    label: `Review ${name}'s access`,
    description: `No single group, entitlement or credential explains this ${NODE_KIND_LABEL[cause.kind].toLowerCase()}'s reach: review its access directly.`,
    href: nodeHref(cause.id, "access"),
    campaign: true,
  };
}
