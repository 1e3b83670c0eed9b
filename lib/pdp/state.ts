import type { NodeKind } from "@/lib/graph/model";
import type { ToolRisk } from "@/lib/graph/tool-risk";
import { DEFAULT_POLICY, type PdpPolicy } from "./policy";

/**
 * The in-memory decision state one process answers from (issue #20): plain data, so evaluate.ts is a pure function
 * over it and the access index. Two halves follow two versions:
 * - `decisions` follows pdp_state's version: campaign revokes and re-approvals, approved access requests, the policy;
 * - `facts` follows the graph version: who is inactive, what each tool declares, its MCP server and owners; plus the
 *   tools whose definition changed since certified (open tool_definition_changed findings, re-read on a short poll
 *   because the findings engine writes them after the graph change).
 */
export interface NodeFacts {
  id: string;
  kind: NodeKind;
  name: string;
  source: string;
  externalId: string;
  /** terminated / inactive = may not act (lib/ownership/owner-state.ts isDepartedStatus). */
  status: string | null;
  /** A person's e-mail (a claim value that names them). */
  email?: string | null;
}

export interface ToolFacts {
  risk: ToolRisk;
  /** destructiveHint: true and not read-only. */
  declaredDestructive: boolean;
  /** No annotations, or annotations that do not say whether a writing tool destroys. */
  unknownAnnotations: boolean;
  /** Writes to an open world (openWorldHint true or absent) and is not read-only. */
  openWorldWrite: boolean;
  /** The MCP servers exposing it (node ids). */
  serverIds: string[];
  /** No active accountable owner on the tool or on any server exposing it. */
  ownerGone: boolean;
  /** The app user who approves step-ups for it: the tool's (else its server's) active owner's account, if any. */
  approverUserId: string | null;
  /** The approver's human node (separation of duties: never the subject or whom it acts for). */
  approverHumanId: string | null;
}

export interface GraphFacts {
  graphVersion: number;
  nodes: Map<string, NodeFacts>;
  /** `source:kind:externalId` → id. */
  byRef: Map<string, string>;
  /** A principal's external id (and a human's lower-cased email) → ids: token claims such as `sub` and `client_id`. */
  byClaim: Map<string, string[]>;
  /** Tool name → tool ids; MCP server name or external id → server ids. */
  toolsByName: Map<string, string[]>;
  serversByName: Map<string, string[]>;
  tools: Map<string, ToolFacts>;
  /** Owners (humans and groups) of tools and servers: a change to one of them needs a full reload. */
  owners: Set<string>;
  /** Tools with an open "definition changed since certified" finding → the certified and current hashes. */
  drifted: Map<string, { certifiedHash: string | null; currentHash: string | null }>;
}

export interface DecisionFacts {
  /** pdp_state.version these were read at. */
  version: number;
  policy: PdpPolicy;
  policyVersion: number;
  /** `subjectId \0 edgeKind \0 targetId` whose latest campaign decision is revoke. */
  revoked: Set<string>;
  /** `subjectId \0 toolId` → grant end (ms since epoch) of approved access requests. */
  grants: Map<string, number>;
}

export interface PdpState {
  facts: GraphFacts;
  decisions: DecisionFacts;
}

export const accessKey = (subjectId: string, edgeKind: string, targetId: string) => `${subjectId}\u0000${edgeKind}\u0000${targetId}`;
export const grantKey = (subjectId: string, toolId: string) => `${subjectId}\u0000${toolId}`;

export function emptyFacts(graphVersion = 0): GraphFacts {
  return {
    graphVersion,
    nodes: new Map(),
    byRef: new Map(),
    byClaim: new Map(),
    toolsByName: new Map(),
    serversByName: new Map(),
    tools: new Map(),
    owners: new Set(),
    drifted: new Map(),
  };
}

export function emptyDecisions(): DecisionFacts {
  return { version: 0, policy: DEFAULT_POLICY, policyVersion: 0, revoked: new Set(), grants: new Map() };
}

/** Removes a node from the lookup maps (the incremental reload, before it adds the node's current row). */
export function removeNode(f: GraphFacts, id: string): void {
  const n = f.nodes.get(id);
  if (!n) return;
  f.nodes.delete(id);
  f.tools.delete(id);
  const ref = `${n.source}:${n.kind}:${n.externalId}`;
  if (f.byRef.get(ref) === id) f.byRef.delete(ref);
  for (const m of [f.byClaim, f.toolsByName, f.serversByName])
    for (const key of [n.externalId, n.name, ...(n.email ? [n.email.toLowerCase()] : [])]) {
      const list = m.get(key);
      if (!list?.includes(id)) continue;
      const rest = list.filter((x) => x !== id);
      if (rest.length) m.set(key, rest);
      else m.delete(key);
    }
}

/** Adds a node to the lookup maps (loaders and tests build facts the same way). */
export function addNode(f: GraphFacts, n: NodeFacts, email?: string | null): void {
  f.nodes.set(n.id, email ? { ...n, email } : n);
  f.byRef.set(`${n.source}:${n.kind}:${n.externalId}`, n.id);
  // Copy on write: an incremental reload shares these maps' lists with the facts still answering.
  const push = (m: Map<string, string[]>, k: string) => {
    const list = m.get(k);
    if (!list) m.set(k, [n.id]);
    else if (!list.includes(n.id)) m.set(k, [...list, n.id]);
  };
  if (n.kind === "human" || n.kind === "agent" || n.kind === "service_account") {
    push(f.byClaim, n.externalId);
    if (email) push(f.byClaim, email.toLowerCase());
  }
  if (n.kind === "tool") push(f.toolsByName, n.name);
  if (n.kind === "mcp_server") {
    push(f.serversByName, n.name);
    push(f.serversByName, n.externalId);
  }
}
