import { describe, expect, it } from "vitest";
import { explainPath, explanationText, type ExplainedNode } from "./explain";

const NODES: Record<string, ExplainedNode> = {
  agt: { id: "agt", name: "Triage bot", kind: "agent" },
  ada: { id: "ada", name: "Alice", kind: "human" },
  eng: { id: "eng", name: "Engineering", kind: "group" },
  ent: { id: "ent", name: "GitHub write", kind: "entitlement" },
  tool: { id: "tool", name: "delete_repo", kind: "tool", risk: "critical" },
  pat: { id: "pat", name: "GitHub PAT", kind: "credential", storage: "hard_coded" },
  repo: { id: "repo", name: "northwind/platform", kind: "resource" },
};
const describeNode = (id: string) => NODES[id];

describe("explainPath", () => {
  it("reads a delegated path as one sentence, 'who' after a person and 'which' after anything else", () => {
    const e = explainPath({ nodes: ["agt", "ada", "eng", "ent", "tool"], edges: ["acts_for", "member_of", "has_entitlement", "grants"] }, describeNode)!;
    expect(e.subject.name).toBe("Triage bot");
    expect(e.clauses.map((c) => c.pronoun)).toEqual([null, "who", "which", "which"]);
    expect(explanationText(e)).toBe(
      "AI agent Triage bot acts for Alice, who is a member of group Engineering, which has entitlement GitHub write, which grants tool delete_repo (critical risk).",
    );
  });

  it("names people alone, says where a credential's secret lives, and reads a single edge", () => {
    expect(explanationText(explainPath({ nodes: ["ada", "pat", "repo"], edges: ["uses_credential", "credential_for"] }, describeNode)!)).toBe(
      "Alice uses credential GitHub PAT (hard-coded), which is a credential for resource northwind/platform.",
    );
    expect(explanationText(explainPath({ nodes: ["eng"], edges: [] }, describeNode)!)).toBe("Group Engineering.");
  });

  it("gives up rather than inventing a name for a node it cannot describe", () => {
    expect(explainPath({ nodes: ["ada", "ghost"], edges: ["member_of"] }, describeNode)).toBeNull();
    expect(explainPath({ nodes: [], edges: [] }, describeNode)).toBeNull();
  });
});
