import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { GraphDocument, ImportMode } from "@/lib/ingest/graph-document";
import { EDGE_KINDS, EDGE_RULES, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { toolRisk } from "@/lib/graph/tool-risk";
import { Rng } from "./random";
import type { DiscoveredTool } from "@/lib/ingest/mcp-discovery/discover";
import { riskAttributes, toolDefinitionHash } from "@/lib/ingest/tool-attributes";

/**
 * Deterministic, realistic identity graphs for benchmarks and scale tests.
 *
 * The shape follows what directories and MCP deployments look like:
 * - one org-wide group, divisions, departments, then three levels of teams and
 *   roles; every team has up to 3 parents (mostly in its department, some
 *   across), so there are many diamonds, plus a few membership cycles;
 * - flat application groups (jira-users, vpn-users) that many people join, and
 *   a few super-connected groups ("Domain Users"-like: a large share of every
 *   kind of principal, with many entitlements);
 * - non-human identities outnumbering humans ~15:1 (industry surveys: 45–144:1
 *   counting every workload identity); service accounts with 5–20 entitlements;
 * - humans in departments of uneven size, each in 10–15 groups, managed by a
 *   colleague; a few terminated or on leave;
 * - entitlements granted to groups at every level (broad ones at the top) and
 *   directly to humans, service accounts and agents; an entitlement grants an
 *   MCP server, some tools or a resource;
 * - MCP servers, each an instance of a real server whose tools come from the
 *   captured `tools/list` answers in db/seed/mcp-tools (names, annotations,
 *   risk and definition hash as live discovery records them), tools acting on resources;
 * - agents acting for humans or for service accounts (delegation: the agent
 *   inherits what its principal reaches), connecting to servers;
 * - credentials used by several identities (a power law: a few are shared
 *   widely), valid for resources or servers; a share are hard-coded in MCP
 *   client configs, recorded as the MCP-config importer records them (location,
 *   type, keyed fingerprint, never a value), some with the same fingerprint in
 *   several configs (one token pasted in many places);
 * - governance edges (owns, manages) that traversals must ignore.
 * Same size and seed, same graph, node for node and edge for edge.
 */
export type BenchSize = "S" | "M" | "L";
export const BENCH_SIZES: readonly BenchSize[] = ["S", "M", "L"];

export interface SizeSpec {
  humans: number;
  departments: number;
  /** Team and role groups (levels 3–5); divisions, departments, app and super-connected groups come on top. */
  teams: number;
  appGroups: number;
  /** Groups with a large share of all principals as members and many entitlements. */
  superGroups: number;
  serviceAccounts: number;
  agents: number;
  mcpServers: number;
  entitlements: number;
  resources: number;
  credentials: number;
  /** Direct entitlements of each service account, [min, max]; agents get about half. */
  nhiEntitlements: readonly [number, number];
}

/** Calibrated to issue #4: S ≈ 10k nodes / 50k edges, M ≈ 100k / 1M, L ≈ 1M / 10M (see the tests for the bands). */
export const SIZE_SPECS: Record<BenchSize, SizeSpec> = {
  S: {
    humans: 450,
    departments: 8,
    teams: 250,
    appGroups: 20,
    superGroups: 2,
    serviceAccounts: 2_600,
    agents: 1_400,
    mcpServers: 80,
    entitlements: 1_300,
    resources: 1_000,
    credentials: 1_200,
    nhiEntitlements: [1, 4],
  },
  M: {
    humans: 3_000,
    departments: 30,
    teams: 2_000,
    appGroups: 150,
    superGroups: 6,
    serviceAccounts: 28_000,
    agents: 16_000,
    mcpServers: 1_000,
    entitlements: 12_000,
    resources: 10_000,
    credentials: 12_000,
    nhiEntitlements: [7, 25],
  },
  L: {
    humans: 30_000,
    departments: 200,
    teams: 20_000,
    appGroups: 1_000,
    superGroups: 20,
    serviceAccounts: 280_000,
    agents: 160_000,
    mcpServers: 10_000,
    entitlements: 120_000,
    resources: 100_000,
    credentials: 120_000,
    nhiEntitlements: [7, 25],
  },
};

export const DEFAULT_SEED = 20_240_601;

export interface BenchDataset {
  size: BenchSize | "custom";
  seed: number;
  /** The source name the rows belong to. */
  source: string;
  nodeKinds: NodeKind[];
  externalIds: string[];
  names: string[];
  attributes: Record<string, unknown>[];
  /** Edge i joins node edgeFrom[i] to node edgeTo[i] (indexes into the node arrays); kind EDGE_KINDS[edgeKinds[i]]. */
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  edgeKinds: Uint8Array;
  /** Node indexes by role, for picking benchmark roots. */
  roles: {
    humans: number[];
    agents: number[];
    serviceAccounts: number[];
    groups: number[];
    superGroups: number[];
    tools: number[];
    /** Tools reachable through entitlements of the org-wide, division and department groups: who-can-reach answers are large. */
    popularTools: number[];
    credentials: number[];
    hardCodedCredentials: number[];
    resources: number[];
    mcpServers: number[];
  };
}

export interface DatasetStats {
  nodes: number;
  edges: number;
  accessEdges: number;
  byNodeKind: Partial<Record<NodeKind, number>>;
  byEdgeKind: Partial<Record<EdgeKind, number>>;
}

const EDGE_CODE = new Map<EdgeKind, number>(EDGE_KINDS.map((k, i) => [k, i]));

class Builder {
  readonly nodeKinds: NodeKind[] = [];
  readonly externalIds: string[] = [];
  readonly names: string[] = [];
  readonly attributes: Record<string, unknown>[] = [];
  private from: number[] = [];
  private to: number[] = [];
  private kinds: number[] = [];
  private keys = new Set<number>();

  node(kind: NodeKind, externalId: string, name: string, attributes: Record<string, unknown> = {}): number {
    this.nodeKinds.push(kind);
    this.externalIds.push(externalId);
    this.names.push(name);
    this.attributes.push(attributes);
    return this.nodeKinds.length - 1;
  }

  /** Adds an edge unless it would be a self-loop or a duplicate; checks the kinds it joins. */
  edge(kind: EdgeKind, from: number, to: number): boolean {
    if (from === to) return false;
    const code = EDGE_CODE.get(kind)!;
    // (kind, from, to) packed in one number: 4 + 21 + 21 bits, exact below 2^53 (so at most 2,097,152 nodes).
    const key = (code * 2_097_152 + from) * 2_097_152 + to;
    if (this.keys.has(key)) return false;
    const rule = EDGE_RULES[kind];
    if (!rule.from.includes(this.nodeKinds[from]!) || !rule.to.includes(this.nodeKinds[to]!)) {
      throw new Error(`generator bug: ${kind} from ${this.nodeKinds[from]} to ${this.nodeKinds[to]}`);
    }
    this.keys.add(key);
    this.from.push(from);
    this.to.push(to);
    this.kinds.push(code);
    return true;
  }

  finish(): Pick<BenchDataset, "nodeKinds" | "externalIds" | "names" | "attributes" | "edgeFrom" | "edgeTo" | "edgeKinds"> {
    this.keys.clear();
    return {
      nodeKinds: this.nodeKinds,
      externalIds: this.externalIds,
      names: this.names,
      attributes: this.attributes,
      edgeFrom: Int32Array.from(this.from),
      edgeTo: Int32Array.from(this.to),
      edgeKinds: Uint8Array.from(this.kinds),
    };
  }
}

const pad = (n: number, width = 6) => String(n).padStart(width, "0");
const STORAGE = ["vault", "vault", "vault", "env", "env", "prompt"];

export interface ServerTemplate {
  /** The captured server's name (everything, filesystem, github, memory). */
  name: string;
  version: string;
  /**
   * Each tool's name and the attributes live discovery records for it (lib/ingest/mcp-discovery/to-graph.ts), minus the
   * schemas; its definition hash covers what is kept, as the import engine recomputes it (lib/ingest/tool-attributes.ts).
   */
  tools: { name: string; attributes: Record<string, unknown> }[];
  /** The environment variable a client config passes its token in, for hard-coded credential locations. */
  tokenVariable: string;
}

const CAPTURED = ["everything", "filesystem", "github", "memory"] as const;
const TOKEN_VARIABLE: Record<(typeof CAPTURED)[number], string> = {
  everything: "API_KEY",
  filesystem: "FS_TOKEN",
  github: "GITHUB_PERSONAL_ACCESS_TOKEN",
  memory: "MEMORY_API_KEY",
};
let templates: ServerTemplate[] | undefined;

/** The real MCP servers whose captured tools/list answers are vendored in db/seed/mcp-tools (see its PROVENANCE.md). */
export function serverTemplates(): ServerTemplate[] {
  templates ??= CAPTURED.map((name) => {
    const list = JSON.parse(readFileSync(path.join(process.cwd(), "db/seed/mcp-tools", `${name}.tools-list.json`), "utf8")) as {
      serverInfo: { version: string };
      tools: DiscoveredTool[];
    };
    return {
      name,
      version: list.serverInfo.version,
      tokenVariable: TOKEN_VARIABLE[name],
      tools: list.tools.map((t) => {
        const risk = toolRisk(t.annotations);
        const attributes: Record<string, unknown> = {
          description: t.description ?? null,
          ...riskAttributes(risk),
          definitionHash: toolDefinitionHash({ name: t.name, description: t.description, annotations: t.annotations }),
          serverVersion: list.serverInfo.version,
        };
        if (t.annotations) attributes.annotations = t.annotations;
        return { name: t.name, attributes };
      }),
    };
  });
  return templates;
}

/** A fingerprint shaped like the MCP-config importer's (keyed HMAC, 32 hex digits), of no real value: the generator never makes secrets. */
const fakeFingerprint = (seed: number, i: number) => `hmac-sha256:${createHash("sha256").update(`attest-bench:${seed}:${i}`).digest("hex").slice(0, 32)}`;
const CONFIG_FILES = [
  "~/Library/Application Support/Claude/claude_desktop_config.json",
  "~/.cursor/mcp.json",
  ".vscode/mcp.json",
  "~/.config/Code/User/mcp.json",
];

/** Generates the dataset for a size (or an explicit spec), deterministically from the seed. */
export function generateDataset(size: BenchSize | SizeSpec, seed = DEFAULT_SEED, source = "bench"): BenchDataset {
  const spec = typeof size === "string" ? SIZE_SPECS[size] : size;
  const rng = new Rng(seed);
  const b = new Builder();

  // --- Groups: org → divisions → departments → teams (3 levels) + app groups.
  const allStaff = b.node("group", "g-all-staff", "All Staff");
  const divisionCount = Math.max(2, Math.round(spec.departments / 5));
  const divisions: number[] = [];
  for (let i = 0; i < divisionCount; i++) {
    const g = b.node("group", `g-div-${pad(i, 3)}`, `Division ${i}`);
    b.edge("member_of", g, allStaff);
    divisions.push(g);
  }
  const departments: number[] = [];
  for (let d = 0; d < spec.departments; d++) {
    const g = b.node("group", `g-dept-${pad(d, 4)}`, `Department ${d}`);
    b.edge("member_of", g, divisions[d % divisionCount]!);
    if (rng.chance(0.3)) b.edge("member_of", g, rng.pick(divisions));
    departments.push(g);
  }
  // Department sizes are uneven: weight d by a power law.
  const deptWeights = departments.map(() => 0.2 + Math.pow(rng.next(), 2));
  const deptTotal = deptWeights.reduce((a, w) => a + w, 0);
  const deptCum: number[] = [];
  deptWeights.reduce((acc, w, i) => ((deptCum[i] = (acc + w) / deptTotal), acc + w), 0);
  const pickDept = () => {
    const r = rng.next();
    let lo = 0;
    let hi = deptCum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (deptCum[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  // Teams by department and level (3, 4, 5); parents from the level above, mostly the same department.
  const teamsByDeptLevel: number[][][] = departments.map(() => [[], [], []]);
  const teamsByLevel: number[][] = [[], [], []];
  const teamParents = new Map<number, number[]>();
  const levelShare = [0.4, 0.35, 0.25];
  let t = 0;
  for (let level = 0; level < 3; level++) {
    const count = Math.round(spec.teams * levelShare[level]!);
    for (let i = 0; i < count; i++, t++) {
      const d = pickDept();
      const g = b.node("group", `g-team-${pad(t)}`, `Team ${t} (L${level + 3})`);
      const wanted = rng.chance(0.5) ? 3 : rng.chance(0.6) ? 2 : 1;
      const parents: number[] = [];
      for (let p = 0; p < wanted * 3 && parents.length < wanted; p++) {
        let candidate: number;
        if (level === 0) {
          candidate =
            parents.length === 0
              ? departments[d]!
              : rng.chance(0.7)
                ? rng.pick(teamsByDeptLevel[d]![0]!.length ? teamsByDeptLevel[d]![0]! : [departments[d]!])
                : departments[pickDept()]!;
        } else {
          const sameDept = teamsByDeptLevel[d]![level - 1]!;
          candidate = rng.chance(0.8) && sameDept.length > 0 ? rng.pick(sameDept) : rng.pick(teamsByLevel[level - 1]!);
        }
        if (!parents.includes(candidate) && b.edge("member_of", g, candidate)) parents.push(candidate);
      }
      teamParents.set(g, parents);
      teamsByDeptLevel[d]![level]!.push(g);
      teamsByLevel[level]!.push(g);
    }
  }
  // A few cycles: a grandparent made a member of its grandchild.
  const cycles = Math.max(2, Math.round(spec.teams / 1000));
  for (let c = 0, tries = 0; c < cycles && tries < cycles * 20; tries++) {
    const g = rng.pick(teamsByLevel[2]!.length ? teamsByLevel[2]! : teamsByLevel[0]!);
    const parent = rng.pick(teamParents.get(g) ?? [allStaff]);
    const grand = teamParents.get(parent);
    if (!grand || grand.length === 0) continue;
    if (b.edge("member_of", rng.pick(grand), g)) c++;
  }
  const appGroups: number[] = [];
  for (let i = 0; i < spec.appGroups; i++) appGroups.push(b.node("group", `g-app-${pad(i, 4)}`, `app-${i}-users`));
  const superGroups: number[] = [];
  for (let i = 0; i < spec.superGroups; i++)
    superGroups.push(
      b.node("group", `g-super-${pad(i, 3)}`, `Everyone ${i} (incl. workloads)`, { description: "super-connected: most principals, many entitlements" }),
    );
  // Super-connected groups nest into each other in a chain, the last back into the first (one more cycle).
  for (let i = 1; i < superGroups.length; i++) b.edge("member_of", superGroups[i]!, superGroups[i - 1]!);
  if (superGroups.length > 2) b.edge("member_of", superGroups[0]!, superGroups.at(-1)!);
  const allTeams = teamsByLevel.flat();
  const groups = [allStaff, ...divisions, ...departments, ...allTeams, ...appGroups, ...superGroups];
  /** Principals join each super-connected group with this probability. */
  const superShare = 0.3;
  const joinSuper = (p: number) => {
    for (const g of superGroups) if (rng.chance(superShare / Math.max(1, superGroups.length / 3))) b.edge("member_of", p, g);
  };

  // --- Resources, credentials, MCP servers and their tools, entitlements.
  const resources: number[] = [];
  for (let i = 0; i < spec.resources; i++)
    resources.push(b.node("resource", `res-${pad(i)}`, `Resource ${i}`, { system: rng.pick(["github", "postgres", "salesforce", "s3", "jira", "snowflake"]) }));
  const tmpl = serverTemplates();
  const serverTemplate: ServerTemplate[] = [];
  const servers: number[] = [];
  for (let s = 0; s < spec.mcpServers; s++) {
    const tpl = rng.pick(tmpl);
    serverTemplate.push(tpl);
    const name = `${tpl.name}-${pad(s, 5)}`;
    servers.push(
      b.node("mcp_server", name, name, {
        transport: rng.chance(0.6) ? "stdio" : "http",
        serverInfo: { name: `mcp-servers/${tpl.name}`, version: tpl.version },
        version: tpl.version,
        discoveredTools: tpl.tools.length,
      }),
    );
  }
  // Credentials: vault / env / prompt references, and hard-coded secrets found in MCP client configs.
  const credentials: number[] = [];
  const hardCoded: number[] = [];
  const hardCodedServer = new Map<number, number>();
  let fingerprints = 0;
  let lastFingerprint = "";
  for (let i = 0; i < spec.credentials; i++) {
    if (rng.chance(0.2) && servers.length > 0) {
      const srvIndex = rng.int(0, servers.length - 1);
      const tpl = serverTemplate[srvIndex]!;
      const srvName = b.externalIds[servers[srvIndex]!]!;
      const laptop = `laptop-${pad(rng.int(0, Math.max(1, spec.humans - 1)), 6)}`;
      const file = rng.pick(CONFIG_FILES);
      // One token pasted into several configs: the next hard-coded credential often carries the same fingerprint.
      const fingerprint = lastFingerprint && rng.chance(0.3) ? lastFingerprint : fakeFingerprint(seed, fingerprints++);
      lastFingerprint = fingerprint;
      const c = b.node("credential", `${laptop}/${srvName}/env/${tpl.tokenVariable}#${pad(i)}`, `${srvName}: env ${tpl.tokenVariable}`, {
        type: tpl.name === "github" ? "github_pat" : "api_key",
        storage: "hard_coded",
        location: `${laptop}:${file} → mcpServers.${srvName}.env.${tpl.tokenVariable}`,
        fingerprint,
        detectedBy: tpl.name === "github" ? "github-pat" : "generic-api-key",
        confidence: tpl.name === "github" ? "high" : "medium",
      });
      credentials.push(c);
      hardCoded.push(c);
      hardCodedServer.set(c, servers[srvIndex]!);
    } else {
      credentials.push(
        b.node("credential", `cred-${pad(i)}`, `Credential ${i}`, {
          type: rng.pick(["api_key", "oauth_token", "pat", "certificate"]),
          storage: rng.pick(STORAGE),
        }),
      );
    }
  }
  const toolsOf: number[][] = [];
  const tools: number[] = [];
  for (const [s, srv] of servers.entries()) {
    const tpl = serverTemplate[s]!;
    const srvName = b.externalIds[srv]!;
    const own: number[] = [];
    for (const tool of tpl.tools) {
      const node = b.node("tool", `${srvName}/${tool.name}`, tool.name, { server: srvName, ...tool.attributes });
      b.edge("exposes", srv, node);
      own.push(node);
      tools.push(node);
      const acts = rng.next();
      if (acts < 0.85) b.edge("acts_on", node, resources[rng.skewed(resources.length, 1.8)]!);
      if (acts < 0.2) b.edge("acts_on", node, rng.pick(resources));
    }
    toolsOf.push(own);
    if (rng.chance(0.85)) b.edge("uses_credential", srv, credentials[rng.skewed(credentials.length)]!);
  }
  for (const c of credentials) {
    const srv = hardCodedServer.get(c);
    if (srv !== undefined) {
      // A hard-coded token is the server's own: the server uses it, and it opens the resource the server's tools act on.
      b.edge("uses_credential", srv, c);
      b.edge("credential_for", c, rng.pick(resources));
      continue;
    }
    if (rng.chance(0.75)) b.edge("credential_for", c, rng.pick(resources));
    else b.edge("credential_for", c, rng.pick(servers));
    if (rng.chance(0.25)) b.edge("credential_for", c, rng.pick(resources));
  }
  const entitlements: number[] = [];
  for (let i = 0; i < spec.entitlements; i++) {
    const e = b.node("entitlement", `ent-${pad(i)}`, `Entitlement ${i}`, { type: rng.pick(["app_role", "oauth_scope", "tool_permission"]) });
    entitlements.push(e);
    const what = rng.next();
    if (what < 0.3) b.edge("grants", e, servers[rng.skewed(servers.length, 1.6)]!);
    else if (what < 0.7) {
      const srv = rng.int(0, servers.length - 1);
      for (const tool of rng.distinct(rng.int(1, 3), () => rng.pick(toolsOf[srv]!))) b.edge("grants", e, tool);
    } else b.edge("grants", e, resources[rng.skewed(resources.length, 1.6)]!);
  }
  // Broad entitlements: the org-wide group gets the most popular servers; divisions and departments a few more.
  const popularServers = servers.slice(0, Math.max(2, Math.round(servers.length * 0.01)));
  const broad: number[] = [];
  const entGroup = (g: number, e: number) => {
    if (b.edge("has_entitlement", g, e)) broad.push(e);
  };
  for (const [i, srv] of popularServers.entries()) {
    const e = entitlements[i]!;
    b.edge("grants", e, srv);
    entGroup(allStaff, e);
  }
  for (const g of [...divisions, ...departments]) for (let k = rng.int(2, 3); k > 0; k--) entGroup(g, rng.pick(entitlements));
  for (const g of allTeams) for (let k = rng.chance(0.7) ? rng.int(1, 3) : 0; k > 0; k--) b.edge("has_entitlement", g, rng.pick(entitlements));
  for (const g of appGroups) for (let k = rng.int(1, 2); k > 0; k--) b.edge("has_entitlement", g, rng.pick(entitlements));
  for (const g of superGroups) for (let k = rng.int(10, 30); k > 0; k--) b.edge("has_entitlement", g, entitlements[rng.skewed(entitlements.length, 1.5)]!);

  // --- Humans.
  const humans: number[] = [];
  const humansByDept: number[][] = departments.map(() => []);
  for (let i = 0; i < spec.humans; i++) {
    const d = pickDept();
    const r = rng.next();
    const status = r < 0.95 ? "active" : r < 0.98 ? "leave" : "terminated";
    const h = b.node("human", `u-${pad(i, 7)}`, `Person ${i}`, { email: `person${i}@bench.example`, status, department: `Department ${d}` });
    humans.push(h);
    const colleagues = humansByDept[d]!;
    if (colleagues.length > 0) b.edge("manages", colleagues[rng.skewed(colleagues.length, 3)]!, h);
    colleagues.push(h);
    b.edge("member_of", h, departments[d]!);
    const target = rng.int(10, 15);
    const own = teamsByDeptLevel[d]!.flat();
    for (let tries = 0, n = 1; n < target && tries < target * 6; tries++) {
      const r2 = rng.next();
      const g =
        r2 < 0.6 && own.length > 0
          ? rng.pick(own)
          : r2 < 0.75
            ? appGroups[rng.skewed(appGroups.length, 1.5)]!
            : rng.chance(0.1) && superGroups.length
              ? rng.pick(superGroups)
              : rng.pick(allTeams);
      if (b.edge("member_of", h, g)) n++;
    }
    if (rng.chance(0.5)) b.edge("has_entitlement", h, rng.pick(entitlements));
    if (rng.chance(0.08)) for (let k = rng.int(1, 2); k > 0; k--) b.edge("connects_to", h, servers[rng.skewed(servers.length, 1.5)]!);
    if (rng.chance(0.04)) b.edge("uses_credential", h, credentials[rng.skewed(credentials.length)]!);
  }

  // --- Service accounts and agents.
  const [entMin, entMax] = spec.nhiEntitlements;
  const serviceAccounts: number[] = [];
  for (let i = 0; i < spec.serviceAccounts; i++) {
    const sa = b.node("service_account", `sa-${pad(i)}`, `svc-${i}`, { status: rng.chance(0.97) ? "active" : "inactive" });
    serviceAccounts.push(sa);
    for (let k = rng.int(0, 3); k > 0; k--) b.edge("member_of", sa, rng.chance(0.5) ? rng.pick(appGroups) : rng.pick(allTeams));
    joinSuper(sa);
    for (let k = rng.int(entMin, entMax); k > 0; k--) b.edge("has_entitlement", sa, entitlements[rng.skewed(entitlements.length, 1.3)]!);
    for (let k = rng.int(1, 2); k > 0; k--) b.edge("uses_credential", sa, credentials[rng.skewed(credentials.length)]!);
    if (rng.chance(0.4)) b.edge("connects_to", sa, servers[rng.skewed(servers.length, 1.5)]!);
  }
  const agents: number[] = [];
  for (let i = 0; i < spec.agents; i++) {
    const a = b.node("agent", `agt-${pad(i)}`, `agent-${i}`, { status: "active", autonomy: rng.pick(["assistive", "supervised", "autonomous"]) });
    agents.push(a);
    // Delegation: mostly for a person; some for a service account, which in turn holds entitlements and groups
    // (the longest chain the model allows: acts_for goes from an agent to a human or service account only).
    b.edge("acts_for", a, rng.chance(0.7) ? rng.pick(humans) : rng.pick(serviceAccounts));
    if (rng.chance(0.1)) b.edge("acts_for", a, rng.pick(humans));
    for (let k = rng.int(1, 4); k > 0; k--) b.edge("connects_to", a, servers[rng.skewed(servers.length, 1.5)]!);
    for (let k = rng.int(0, 2); k > 0; k--) b.edge("uses_credential", a, credentials[rng.skewed(credentials.length)]!);
    for (let k = rng.int(0, 2); k > 0; k--) b.edge("member_of", a, rng.chance(0.6) ? rng.pick(appGroups) : rng.pick(allTeams));
    joinSuper(a);
    for (let k = rng.int(Math.floor(entMin / 2), Math.ceil(entMax / 2)); k > 0; k--)
      b.edge("has_entitlement", a, entitlements[rng.skewed(entitlements.length, 1.3)]!);
  }

  // --- Governance: owners of every non-human thing that needs one.
  for (const x of [...serviceAccounts, ...agents, ...servers, ...credentials, ...resources, ...entitlements]) {
    b.edge("owns", rng.pick(humans), x);
    if (rng.chance(0.1)) b.edge("owns", rng.pick(allTeams), x);
  }

  // Popular tools: those of servers and tools granted by the broad entitlements.
  const broadSet = new Set(broad);
  const built = b.finish();
  const popular = new Set<number>();
  const serverIndex = new Map(servers.map((s, i) => [s, i]));
  const grantsCode = EDGE_CODE.get("grants")!;
  for (let i = 0; i < built.edgeFrom.length; i++) {
    if (built.edgeKinds[i] !== grantsCode || !broadSet.has(built.edgeFrom[i]!)) continue;
    const to = built.edgeTo[i]!;
    const srv = serverIndex.get(to);
    if (srv !== undefined) for (const tool of toolsOf[srv]!) popular.add(tool);
    else if (built.nodeKinds[to] === "tool") popular.add(to);
  }

  return {
    size: typeof size === "string" ? size : "custom",
    seed,
    source,
    ...built,
    roles: {
      humans,
      agents,
      serviceAccounts,
      groups,
      superGroups,
      tools,
      popularTools: [...popular].sort((x, y) => x - y),
      credentials,
      hardCodedCredentials: hardCoded,
      resources,
      mcpServers: servers,
    },
  };
}

export function datasetStats(ds: BenchDataset): DatasetStats {
  const byNodeKind: Partial<Record<NodeKind, number>> = {};
  for (const k of ds.nodeKinds) byNodeKind[k] = (byNodeKind[k] ?? 0) + 1;
  const byEdgeKind: Partial<Record<EdgeKind, number>> = {};
  let accessEdges = 0;
  for (const code of ds.edgeKinds) {
    const k = EDGE_KINDS[code]!;
    byEdgeKind[k] = (byEdgeKind[k] ?? 0) + 1;
    if (EDGE_RULES[k].access) accessEdges++;
  }
  return { nodes: ds.nodeKinds.length, edges: ds.edgeKinds.length, accessEdges, byNodeKind, byEdgeKind };
}

/** The dataset as an Attest graph document, for the import engine (every edge in the document's own source). */
export function toGraphDocument(ds: BenchDataset, source = ds.source, mode: ImportMode = "full"): GraphDocument {
  const ref = (i: number) => ({ kind: ds.nodeKinds[i]!, externalId: ds.externalIds[i]! });
  return {
    source,
    mode,
    nodes: ds.nodeKinds.map((kind, i) => {
      const attributes = ds.attributes[i]!;
      return Object.keys(attributes).length
        ? { kind, externalId: ds.externalIds[i]!, name: ds.names[i]!, attributes }
        : { kind, externalId: ds.externalIds[i]!, name: ds.names[i]! };
    }),
    edges: Array.from(ds.edgeKinds, (code, i) => ({ kind: EDGE_KINDS[code]!, from: ref(ds.edgeFrom[i]!), to: ref(ds.edgeTo[i]!) })),
  };
}
