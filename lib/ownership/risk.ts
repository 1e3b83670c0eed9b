import { and, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { nodes } from "@/db/schema";
import { EDGE_CODE, KIND_CODE, type AccessIndex } from "@/lib/graph/access-index";
import type { NodeKind } from "@/lib/graph/model";
import { riskOfToolAttributes, type ToolRisk } from "@/lib/graph/tool-risk";
import { DEFAULT_DEPTH, neighbours, reachableFrom } from "@/lib/graph/traverse";

/** What makes a node worth worrying about, for the kinds that carry it. */
export interface Sensitivity {
  version: number;
  toolRisk: Map<string, ToolRisk>;
  storage: Map<string, string>;
  classification: Map<string, string>;
  privileged: Set<string>;
}

const g = globalThis as typeof globalThis & { __attestSensitivity?: Promise<Sensitivity> };

/** Tool risk, credential storage, data classification and privileged entitlements of current nodes, cached per graph version. */
export async function getSensitivity(db: Db, version: number): Promise<Sensitivity> {
  const cached = g.__attestSensitivity ? await g.__attestSensitivity.catch(() => null) : null;
  if (cached && cached.version === version) return cached;
  const p = (async () => {
    const found = await db
      .select({ id: nodes.id, kind: nodes.kind, attributes: nodes.attributes })
      .from(nodes)
      .where(and(isNull(nodes.validTo), inArray(nodes.kind, ["tool", "credential", "resource", "entitlement"])));
    const s: Sensitivity = { version, toolRisk: new Map(), storage: new Map(), classification: new Map(), privileged: new Set() };
    for (const n of found) {
      const a = n.attributes;
      if (n.kind === "tool") s.toolRisk.set(n.id, riskOfToolAttributes(a).risk);
      else if (n.kind === "credential" && typeof a.storage === "string") s.storage.set(n.id, a.storage);
      else if (n.kind === "resource" && typeof a.dataClassification === "string") s.classification.set(n.id, a.dataClassification);
      else if (n.kind === "entitlement" && a.privileged === true) s.privileged.add(n.id);
    }
    return s;
  })();
  g.__attestSensitivity = p;
  return p;
}

export type RiskLevel = ToolRisk;

export interface RiskAssessment {
  score: number;
  level: RiskLevel;
  /** Why, most serious first, in words an analyst reads. */
  factors: string[];
  reach: {
    total: number;
    resources: number;
    tools: number;
    credentials: number;
    criticalTools: number;
    highTools: number;
    hardCodedCredentials: number;
    restrictedResources: number;
    privilegedEntitlements: number;
  };
}

const TOOL = KIND_CODE.get("tool");
const CREDENTIAL = KIND_CODE.get("credential");
const RESOURCE = KIND_CODE.get("resource");
const TOOL_POINTS: Record<ToolRisk, number> = { critical: 4, high: 3, medium: 1, low: 0 };
const STORAGE_POINTS: Record<string, number> = { hard_coded: 5, config_file: 3, env: 1 };
const CLASS_POINTS: Record<string, number> = { restricted: 3, confidential: 2 };
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface RiskSubject {
  id: string;
  kind: NodeKind;
  status: string | null;
  attributes: Record<string, unknown>;
}

/**
 * A risk score for an unowned node, from what it is and what it can reach
 * through access edges (the access index, `reachableFrom`, 6 edges): the
 * riskiest tool it is or reaches, hard-coded or file-stored secrets, restricted
 * data, privileged entitlements, breadth of reach, autonomy, and whether an
 * agent still acts for someone who left. Heuristic and explained: every point
 * comes with a factor. Levels: ≥10 critical, ≥7 high, ≥4 medium, else low.
 */
export function assessRisk(ix: AccessIndex, sens: Sensitivity, node: RiskSubject, departed: ReadonlySet<string>): RiskAssessment {
  const weighed: { points: number; text: string }[] = [];
  const add = (points: number, text: string) => {
    if (points !== 0) weighed.push({ points, text });
  };
  const a = node.attributes;

  // What the node is.
  if (node.kind === "credential") {
    const storage = sens.storage.get(node.id) ?? (typeof a.storage === "string" ? a.storage : "");
    add(STORAGE_POINTS[storage] ?? 0, storage === "hard_coded" ? "hard-coded secret" : `secret stored in ${storage.replace("_", " ")}`);
    if (typeof a.expiresAt === "string" && Date.parse(a.expiresAt) < Date.now()) add(1, "expired");
  }
  if (node.kind === "tool") {
    const r = sens.toolRisk.get(node.id) ?? riskOfToolAttributes(a).risk;
    add(TOOL_POINTS[r], `${r}-risk tool`);
  }
  if (node.kind === "resource") {
    const c = typeof a.dataClassification === "string" ? a.dataClassification : "";
    add(CLASS_POINTS[c] ?? 0, `${c} data`);
  }
  if (node.kind === "entitlement" && a.privileged === true) add(3, "privileged entitlement");
  if (node.kind === "agent") {
    if (a.autonomy === "autonomous") add(2, "autonomous agent");
    else if (a.autonomy === "supervised") add(1, "supervised agent");
  }
  if (node.kind === "mcp_server" && (a.tls === false || (typeof a.url === "string" && a.url.startsWith("http://")))) add(1, "plain-HTTP server");
  if ((node.kind === "agent" || node.kind === "service_account") && (node.status === "inactive" || a.status === "inactive")) add(-2, "inactive");

  // What it reaches.
  const reach = {
    total: 0,
    resources: 0,
    tools: 0,
    credentials: 0,
    criticalTools: 0,
    highTools: 0,
    hardCodedCredentials: 0,
    restrictedResources: 0,
    privilegedEntitlements: 0,
  };
  const start = ix.indexOf.get(node.id);
  if (start !== undefined) {
    let confidential = 0;
    let fileSecrets = 0;
    for (const r of reachableFrom(ix, start, DEFAULT_DEPTH).reached) {
      const id = ix.ids[r.node]!;
      reach.total++;
      const kind = ix.kinds[r.node];
      if (kind === TOOL) reach.tools++;
      if (kind === CREDENTIAL) reach.credentials++;
      if (kind === RESOURCE) reach.resources++;
      const tr = sens.toolRisk.get(id);
      if (tr === "critical") reach.criticalTools++;
      if (tr === "high") reach.highTools++;
      const st = sens.storage.get(id);
      if (st === "hard_coded") reach.hardCodedCredentials++;
      if (st === "config_file") fileSecrets++;
      const cl = sens.classification.get(id);
      if (cl === "restricted") reach.restrictedResources++;
      if (cl === "confidential") confidential++;
      if (sens.privileged.has(id)) reach.privilegedEntitlements++;
    }
    if (reach.criticalTools) add(4, `reaches ${plural(reach.criticalTools, "critical tool")}`);
    else if (reach.highTools) add(3, `reaches ${plural(reach.highTools, "high-risk tool")}`);
    if (reach.hardCodedCredentials) add(3, `uses ${plural(reach.hardCodedCredentials, "hard-coded secret")}`);
    else if (fileSecrets) add(2, `uses ${plural(fileSecrets, "secret")} kept in a config file`);
    if (reach.restrictedResources) add(3, `reaches ${plural(reach.restrictedResources, "restricted resource")}`);
    else if (confidential) add(2, `reaches ${plural(confidential, "confidential resource")}`);
    if (reach.privilegedEntitlements) add(2, `holds ${plural(reach.privilegedEntitlements, "privileged entitlement")}`);
    add(reach.total >= 100 ? 3 : reach.total >= 20 ? 2 : reach.total >= 5 ? 1 : 0, `reaches ${plural(reach.total, "node")}`);

    // An agent still acting for someone who left.
    const actsFor = EDGE_CODE.get("acts_for");
    const out = neighbours(ix, start, "out");
    for (let p = 0; p < out.to.length; p++) {
      if (out.kind[p] === actsFor && departed.has(ix.ids[out.to[p]!]!)) {
        add(3, "acts for someone who has left");
        break;
      }
    }
  }

  const score = weighed.reduce((s, w) => s + w.points, 0);
  const level: RiskLevel = score >= 10 ? "critical" : score >= 7 ? "high" : score >= 4 ? "medium" : "low";
  const factors = weighed
    .filter((w) => w.points > 0)
    .sort((x, y) => y.points - x.points)
    .map((w) => w.text);
  if (weighed.some((w) => w.points < 0)) factors.push(...weighed.filter((w) => w.points < 0).map((w) => w.text));
  return { score, level, factors, reach };
}
