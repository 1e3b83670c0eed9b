import type { EdgeKind, NodeKind } from "@/lib/graph/model";
import type { BlastRadius, FindingCause, ScoreParts } from "./priority";
import type { FindingRule, FindingSeverity } from "./rules";

/** An edge named in evidence, with its ends, so evidence can be drawn even after the edge ends. */
export interface EvidenceEdge {
  id: string;
  kind: EdgeKind;
  from: string;
  to: string;
}

/** An attribute value that triggered (or qualified) a finding. */
export interface EvidenceAttribute {
  node: string;
  key: string;
  value: unknown;
}

/**
 * What made a finding: the nodes (subject first), the edges and the attribute
 * values involved, and rule-specific facts (counts, thresholds, reasons). Only
 * graph facts and settings go in, never the evaluation time, so an evaluation
 * of an unchanged graph writes identical evidence.
 */
export interface FindingEvidence {
  nodes: string[];
  edges: EvidenceEdge[];
  attributes: EvidenceAttribute[];
  facts: Record<string, unknown>;
}

/** A finding as a rule reports it, before it is matched with what is stored. */
export interface FoundFinding {
  rule: FindingRule;
  /** Unique within the rule: the subject id, or subject and variant. */
  key: string;
  subjectId: string;
  subjectKind: NodeKind;
  subjectName: string;
  severity: FindingSeverity;
  title: string;
  evidence: FindingEvidence;
  /**
   * Set by the rules that know the paths behind the finding (rules-reach.ts); score.ts sets the others'. Not part of
   * the fingerprint: a cause or score changing alone rewrites the row without counting the finding as updated.
   */
  cause?: FindingCause;
  blast?: BlastRadius;
  /** Everything the score needs but freshness (which depends on when the finding was first seen): score.ts. */
  priority?: Omit<ScoreParts, "freshness">;
}

/** A small helper for rules: collects nodes and edges once each, in the order they were added. */
export class EvidenceBuilder {
  private readonly nodeSet = new Set<string>();
  private readonly edgeSet = new Set<string>();
  readonly evidence: FindingEvidence = { nodes: [], edges: [], attributes: [], facts: {} };

  node(id: string): this {
    if (!this.nodeSet.has(id)) {
      this.nodeSet.add(id);
      this.evidence.nodes.push(id);
    }
    return this;
  }

  edge(e: EvidenceEdge): this {
    if (this.edgeSet.has(e.id)) return this;
    this.edgeSet.add(e.id);
    this.node(e.from).node(e.to);
    this.evidence.edges.push({ id: e.id, kind: e.kind, from: e.from, to: e.to });
    return this;
  }

  attr(node: string, key: string, value: unknown): this {
    this.evidence.attributes.push({ node, key, value: value === undefined ? null : value });
    return this;
  }

  fact(key: string, value: unknown): this {
    this.evidence.facts[key] = value;
    return this;
  }
}
