import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildAccessIndex, type IndexEdge, type IndexNode } from "@/lib/graph/access-index";
import type { EdgeKind, NodeKind } from "@/lib/graph/model";
import { evaluate, type EvalRequest } from "./evaluate";
import { allowedReach, rememberedPairs } from "./reach";
import { toolShape } from "./load-state";
import { DEFAULT_POLICY, policySchema } from "./policy";
import { accessKey, addNode, emptyDecisions, emptyFacts, grantKey, type PdpState } from "./state";

type N = { id: string; kind: NodeKind; name?: string; status?: string; annotations?: Record<string, unknown> };

function stateOf(nodes: N[], edges: IndexEdge[], opts: Partial<PdpState["decisions"]> = {}) {
  const facts = emptyFacts(1);
  for (const n of nodes) {
    addNode(facts, { id: n.id, kind: n.kind, name: n.name ?? n.id, source: "src", externalId: `x-${n.id}`, status: n.status ?? null });
    if (n.kind === "tool")
      facts.tools.set(n.id, {
        ...toolShape({ annotations: n.annotations }),
        serverIds: edges.filter((e) => e.kind === "exposes" && e.toId === n.id).map((e) => e.fromId),
        ownerGone: false,
        approverUserId: null,
        approverHumanId: null,
      });
  }
  const ix = buildAccessIndex(
    nodes.map((n): IndexNode => ({ id: n.id, kind: n.kind })),
    edges,
    1,
  );
  const state: PdpState = { facts, decisions: { ...emptyDecisions(), ...opts } };
  return { state, ix };
}

const READ_ONLY = { readOnlyHint: true, openWorldHint: false };
const call = (subject: string, tool: string, extra: Partial<EvalRequest> = {}): EvalRequest => ({
  subject: { type: "agent", id: subject },
  action: { name: "tools/call" },
  resource: { type: "tool", id: tool },
  ...extra,
});

// Ids shaped like Attest ids (prefix + 26 characters).
const id = (prefix: string, n: number) => `${prefix}_${String(n).padStart(26, "0")}`;
const BOT = id("agt", 1);
const ADA = id("hum", 1);
const SRV = id("mcp", 1);
const READ = id("tool", 1);
const DEL = id("tool", 2);

function sample(statusAda = "active") {
  return stateOf(
    [
      { id: BOT, kind: "agent", name: "bot" },
      { id: ADA, kind: "human", name: "ada", status: statusAda },
      { id: SRV, kind: "mcp_server", name: "github" },
      { id: READ, kind: "tool", name: "list_issues", annotations: READ_ONLY },
      { id: DEL, kind: "tool", name: "delete_repo", annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false } },
    ],
    [
      { fromId: BOT, toId: SRV, kind: "connects_to" },
      { fromId: SRV, toId: READ, kind: "exposes" },
      { fromId: SRV, toId: DEL, kind: "exposes" },
      { fromId: BOT, toId: ADA, kind: "acts_for" },
    ],
  );
}

describe("evaluate (pure decision rules)", () => {
  it("allows a read-only tool reached by an access path, and explains with reason_admin / reason_user", () => {
    const { state, ix } = sample();
    const ev = evaluate(state, ix, call(BOT, READ), 0);
    expect(ev.decision).toBe(true);
    expect(ev.context).toMatchObject({ reason_code: "access_path", path: [BOT, SRV, READ] });
    expect(ev.context.reason_admin).toHaveProperty("en");
    expect(ev.context.reason_user).toHaveProperty("en");
  });

  it("denies when the only path uses access revoked in a campaign, and says so", () => {
    const { state, ix } = sample();
    state.decisions.revoked = new Set([accessKey(BOT, "connects_to", SRV)]);
    const ev = evaluate(state, ix, call(BOT, READ), 0);
    expect(ev).toMatchObject({ decision: false, reasonCode: "access_revoked" });
  });

  it("a remembered allow does not outlive its revocation set: the same index with a new set denies at once", () => {
    const { state, ix } = sample();
    expect(evaluate(state, ix, call(BOT, READ), 0).decision).toBe(true);
    expect(evaluate(state, ix, call(BOT, READ), 0).decision).toBe(true);
    const revokedState: PdpState = { ...state, decisions: { ...state.decisions, revoked: new Set([accessKey(BOT, "connects_to", SRV)]) } };
    expect(evaluate(revokedState, ix, call(BOT, READ), 0)).toMatchObject({ decision: false, reasonCode: "access_revoked" });
    expect(evaluate(revokedState, ix, call(BOT, READ), 0).decision).toBe(false);
    // And the old set, still held by an in-flight request, keeps its own answer.
    expect(evaluate(state, ix, call(BOT, READ), 0).decision).toBe(true);
  });

  it("remembers a gateway's pairs, but an evaluation with remember: false (a search) adds none", () => {
    const { state, ix } = sample();
    evaluate(state, ix, call(BOT, READ), 0, { remember: false });
    expect(rememberedPairs(ix, state.decisions.revoked)).toBe(0);
    evaluate(state, ix, call(BOT, READ), 0);
    evaluate(state, ix, call(BOT, DEL), 0);
    expect(rememberedPairs(ix, state.decisions.revoked)).toBe(2);
    expect(evaluate(state, ix, call(BOT, READ), 0, { remember: false }).decision).toBe(true);
    expect(rememberedPairs(ix, state.decisions.revoked)).toBe(2);
  });

  it("asks for approval on a destructive tool by default, and an unexpired JIT grant allows it", () => {
    const { state, ix } = sample();
    const ev = evaluate(state, ix, call(BOT, DEL), 1000);
    expect(ev).toMatchObject({ decision: false, reasonCode: "approval_required", stepUp: { subjectId: BOT, toolId: DEL, cause: "destructive_tool" } });
    expect(ev.context.reason).toBe("approval_required");
    state.decisions.grants = new Map([[grantKey(BOT, DEL), 5000]]);
    expect(evaluate(state, ix, call(BOT, DEL), 1000)).toMatchObject({ decision: true, reasonCode: "jit_grant" });
    expect(evaluate(state, ix, call(BOT, DEL), 5000)).toMatchObject({ decision: false, reasonCode: "approval_required" });
  });

  it("follows the policy knobs per risk level and per source", () => {
    const { state, ix } = sample();
    state.decisions.policy = policySchema.parse({ byRisk: { critical: { destructive: "deny" } } });
    expect(evaluate(state, ix, call(BOT, DEL), 0)).toMatchObject({ decision: false, reasonCode: "denied_by_policy" });
    state.decisions.policy = policySchema.parse({ byRisk: { critical: { destructive: "deny" } }, bySource: { src: { destructive: "allow" } } });
    expect(evaluate(state, ix, call(BOT, DEL), 0)).toMatchObject({ decision: true, reasonCode: "access_path" });
  });

  it("maps COAZ-MCP's subject (the user) and context.agent (the agent) to an agent acting for a person", () => {
    const { state, ix } = sample();
    const req: EvalRequest = {
      subject: { type: "identity", id: "x-" + ADA },
      action: { name: "tools/call" },
      resource: { type: "tool", id: "list_issues", properties: { server: "github" } },
      context: { agent: "x-" + BOT },
    };
    expect(evaluate(state, ix, req, 0)).toMatchObject({ decision: true, subjectId: BOT, actingForId: ADA, resourceId: READ });
    const gone = sample("terminated");
    expect(evaluate(gone.state, gone.ix, req, 0)).toMatchObject({ decision: false, reasonCode: "principal_inactive" });
    // Token-exchange claims: sub = the person, act.sub = the agent.
    const viaAct: EvalRequest = { ...req, subject: { type: "identity", id: "x-" + ADA, properties: { act: { sub: "x-" + BOT } } }, context: {} };
    expect(evaluate(state, ix, viaAct, 0)).toMatchObject({ decision: true, subjectId: BOT, actingForId: ADA });
  });

  it("denies unknown subjects, unknown tools, unsupported actions and drifted tools", () => {
    const { state, ix } = sample();
    expect(evaluate(state, ix, call("nobody", READ), 0).reasonCode).toBe("subject_unknown");
    expect(evaluate(state, ix, call(BOT, "no_such_tool"), 0).reasonCode).toBe("resource_unknown");
    expect(evaluate(state, ix, { ...call(BOT, READ), action: { name: "tools/list" } }, 0).reasonCode).toBe("action_unsupported");
    state.facts.drifted.set(READ, { certifiedHash: "sha256:a", currentHash: "sha256:b" });
    expect(evaluate(state, ix, call(BOT, READ), 0)).toMatchObject({ decision: false, reasonCode: "tool_definition_changed" });
  });

  it("the default policy allows tools without annotations, with a log reason", () => {
    expect(DEFAULT_POLICY.defaults.unknownAnnotations).toBe("allow_with_log");
    const { state, ix } = stateOf(
      [
        { id: BOT, kind: "agent" },
        { id: SRV, kind: "mcp_server" },
        { id: READ, kind: "tool" },
      ],
      [
        { fromId: BOT, toId: SRV, kind: "connects_to" },
        { fromId: SRV, toId: READ, kind: "exposes" },
      ],
    );
    expect(evaluate(state, ix, call(BOT, READ), 0)).toMatchObject({ decision: true, reasonCode: "allowed_with_log" });
  });
});

/** The access edges a random graph may hold, by the kinds they join (lib/graph/model.ts EDGE_RULES). */
const LAYERS: { kind: EdgeKind; from: NodeKind; to: NodeKind }[] = [
  { kind: "member_of", from: "human", to: "group" },
  { kind: "member_of", from: "agent", to: "group" },
  { kind: "has_entitlement", from: "group", to: "entitlement" },
  { kind: "has_entitlement", from: "agent", to: "entitlement" },
  { kind: "grants", from: "entitlement", to: "mcp_server" },
  { kind: "grants", from: "entitlement", to: "tool" },
  { kind: "connects_to", from: "agent", to: "mcp_server" },
  { kind: "connects_to", from: "human", to: "mcp_server" },
  { kind: "exposes", from: "mcp_server", to: "tool" },
  { kind: "acts_for", from: "agent", to: "human" },
];
const COUNTS: Partial<Record<NodeKind, number>> = { human: 3, agent: 3, group: 2, entitlement: 2, mcp_server: 2, tool: 3 };
const PREFIX: Partial<Record<NodeKind, string>> = { human: "hum", agent: "agt", group: "grp", entitlement: "ent", mcp_server: "mcp", tool: "tool" };
const idOf = (k: NodeKind, i: number) => id(PREFIX[k]!, i);

/** The reference: a plain BFS over the edge list, skipping revoked edges. */
function reaches(edges: IndexEdge[], revoked: Set<string>, from: string, to: string): boolean {
  const seen = new Set([from]);
  let frontier = [from];
  while (frontier.length) {
    const next: string[] = [];
    for (const u of frontier)
      for (const e of edges)
        if (e.fromId === u && !seen.has(e.toId) && !revoked.has(accessKey(e.fromId, e.kind, e.toId))) {
          seen.add(e.toId);
          next.push(e.toId);
        }
    frontier = next;
  }
  return seen.has(to);
}

describe("evaluate (property)", () => {
  it("allows exactly when a BFS path avoiding revoked access exists and no inactive/drift rule applies", () => {
    const candidates = LAYERS.flatMap((l) =>
      Array.from({ length: COUNTS[l.from]! }, (_, a) =>
        Array.from({ length: COUNTS[l.to]! }, (_, b) => ({ fromId: idOf(l.from, a), toId: idOf(l.to, b), kind: l.kind })),
      ).flat(),
    );
    const nodes: N[] = (Object.keys(COUNTS) as NodeKind[]).flatMap((k) =>
      Array.from({ length: COUNTS[k]! }, (_, i) => ({ id: idOf(k, i), kind: k, annotations: k === "tool" ? READ_ONLY : undefined })),
    );
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: candidates.length, maxLength: candidates.length }),
        fc.array(fc.boolean(), { minLength: candidates.length, maxLength: candidates.length }),
        fc.array(fc.boolean(), { minLength: nodes.length, maxLength: nodes.length }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        (present, revokedFlags, inactiveFlags, driftFlags) => {
          const edges = candidates.filter((_, i) => present[i]);
          // Revocations may name access the graph no longer has (a later import removed it): they must not matter.
          const revoked = new Set(candidates.filter((_, i) => revokedFlags[i] && (i % 3 !== 0 || present[i])).map((e) => accessKey(e.fromId, e.kind, e.toId)));
          const ns = nodes.map((n, i) => ({ ...n, status: inactiveFlags[i] && n.kind !== "tool" ? "terminated" : "active" }));
          const { state, ix } = stateOf(ns, edges, { revoked });
          for (let t = 0; t < 3; t++) if (driftFlags[t]) state.facts.drifted.set(idOf("tool", t), { certifiedHash: "a", currentHash: "b" });
          for (const p of ns.filter((n) => n.kind === "human" || n.kind === "agent"))
            for (let t = 0; t < 3; t++) {
              const tool = idOf("tool", t);
              const expected = reaches(edges, revoked, p.id, tool) && p.status === "active" && !driftFlags[t];
              const req: EvalRequest = { subject: { type: p.kind, id: p.id }, action: { name: "tools/call" }, resource: { type: "tool", id: tool } };
              // Asked twice: the second answer comes from the remembered path, and must not differ.
              if (evaluate(state, ix, req, 0).decision !== expected || evaluate(state, ix, req, 0).decision !== expected) return false;
            }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the searches' one-sided walk (allowedReach) finds exactly the nodes a path search would, either way", () => {
    const candidates = LAYERS.flatMap((l) =>
      Array.from({ length: COUNTS[l.from]! }, (_, a) =>
        Array.from({ length: COUNTS[l.to]! }, (_, b) => ({ fromId: idOf(l.from, a), toId: idOf(l.to, b), kind: l.kind })),
      ).flat(),
    );
    const nodes: N[] = (Object.keys(COUNTS) as NodeKind[]).flatMap((k) => Array.from({ length: COUNTS[k]! }, (_, i) => ({ id: idOf(k, i), kind: k })));
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: candidates.length, maxLength: candidates.length }),
        fc.array(fc.boolean(), { minLength: candidates.length, maxLength: candidates.length }),
        (present, revokedFlags) => {
          const edges = candidates.filter((_, i) => present[i]);
          const revoked = new Set(candidates.filter((_, i) => revokedFlags[i]).map((e) => accessKey(e.fromId, e.kind, e.toId)));
          const { ix } = stateOf(nodes, edges, { revoked });
          for (const n of nodes) {
            const at = ix.indexOf.get(n.id)!;
            const into = new Set(allowedReach(ix, at, "in", revoked).map((v) => ix.ids[v]!));
            const outOf = new Set(allowedReach(ix, at, "out", revoked).map((v) => ix.ids[v]!));
            for (const m of nodes) {
              if (m.id === n.id) continue;
              if (into.has(m.id) !== reaches(edges, revoked, m.id, n.id)) return false;
              if (outOf.has(m.id) !== reaches(edges, revoked, n.id, m.id)) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
});
