import type { EdgeKind, NodeKind } from "@/lib/graph/model";

/** A node as a source reports it: identified by (source, kind, externalId). */
export interface SeedNode {
  source: string;
  kind: NodeKind;
  externalId: string;
  name: string;
  attributes?: Record<string, unknown>;
}

export interface NodeRef {
  kind: NodeKind;
  externalId: string;
  /** Defaults to the edge's own source. */
  source?: string;
}

export interface SeedEdge {
  source: string;
  kind: EdgeKind;
  from: NodeRef;
  to: NodeRef;
  attributes?: Record<string, unknown>;
}

export interface SeedSource {
  name: string;
  type: "directory" | "scim" | "mcp_config" | "mcp_discovery" | "cloud" | "manual" | "demo";
  description: string;
}

export interface DemoUser {
  email: string;
  name: string;
  password: string;
  roles: ("admin" | "analyst" | "reviewer" | "auditor")[];
  /** The human node (in the directory source) this app user is. */
  humanExternalId?: string;
  description: string;
}

export interface SeedGraph {
  sources: SeedSource[];
  nodes: SeedNode[];
  edges: SeedEdge[];
  users: DemoUser[];
}
