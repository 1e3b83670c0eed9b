import type { NodeMarks } from "./elements";
import { STORAGE_WORDS } from "./elements";
import type { EdgeKind, NodeKind } from "./model";
import type { PathOut } from "./traverse";

/** A node as a sentence names it. */
export interface ExplainedNode extends NodeMarks {
  id: string;
  name: string;
  kind: NodeKind;
}

/** One step of a path: "who is a member of" + group G. */
export interface ExplainClause {
  /** "who" after a person, "which" after anything else; null for the first step (it follows the subject). */
  pronoun: "who" | "which" | null;
  verb: string;
  object: ExplainedNode;
}

export interface Explanation {
  subject: ExplainedNode;
  clauses: ExplainClause[];
}

/** The verb each edge kind reads as, from the edge's start to its end. */
export const EDGE_VERB: Record<EdgeKind, string> = {
  member_of: "is a member of",
  has_entitlement: "has",
  grants: "grants",
  connects_to: "connects to",
  exposes: "exposes",
  acts_on: "acts on",
  uses_credential: "uses",
  credential_for: "is a credential for",
  acts_for: "acts for",
  owns: "owns",
  manages: "manages",
  same_as: "is the same person as",
  assumes: "can assume",
};

/** The noun put before a name ("group Engineering"); people are named alone. */
export const KIND_NOUN: Record<NodeKind, string> = {
  human: "",
  group: "group",
  service_account: "service account",
  agent: "AI agent",
  mcp_server: "MCP server",
  tool: "tool",
  entitlement: "entitlement",
  resource: "resource",
  credential: "credential",
};

/** A node in words: kind noun and name, then what matters about it in brackets (a tool's risk, where a secret lives). */
export function nodeInWords(n: ExplainedNode): string {
  const noun = KIND_NOUN[n.kind];
  return `${noun ? `${noun} ` : ""}${n.name}${noteOf(n)}`;
}

/** " (high risk)", " (hard-coded)" or "". */
export function noteOf(n: ExplainedNode): string {
  if (n.kind === "tool" && n.risk) return ` (${n.risk} risk)`;
  if (n.kind === "credential" && n.storage) return ` (${STORAGE_WORDS[n.storage] ?? n.storage})`;
  return "";
}

/**
 * A path as a sentence, step by step: "AI agent X acts for Alice, who is a member of group G, which has
 * entitlement E, which grants tool T (high risk)". Null when a node of the path is not described (it cannot be named).
 */
export function explainPath(path: PathOut, describe: (id: string) => ExplainedNode | undefined): Explanation | null {
  const nodes = path.nodes.map(describe);
  if (nodes.length === 0 || nodes.some((n) => n === undefined)) return null;
  const known = nodes as ExplainedNode[];
  const clauses = path.edges.map((kind, i) => ({
    pronoun: i === 0 ? null : known[i]!.kind === "human" ? ("who" as const) : ("which" as const),
    verb: EDGE_VERB[kind],
    object: known[i + 1]!,
  }));
  return { subject: known[0]!, clauses };
}

/** The explanation as one plain sentence (for copying, CSV-like exports and tests). */
export function explanationText(e: Explanation): string {
  const subject = nodeInWords(e.subject);
  const parts = e.clauses.map((c) => `${c.pronoun ? `${c.pronoun} ` : ""}${c.verb} ${nodeInWords(c.object)}`);
  const head = subject.charAt(0).toUpperCase() + subject.slice(1);
  return `${[`${head} ${parts[0] ?? ""}`.trim(), ...parts.slice(1)].join(", ")}.`;
}
