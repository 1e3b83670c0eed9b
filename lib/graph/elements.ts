import type { EdgeKind, NodeKind } from "./model";
import type { PathOut } from "./traverse";

export interface ElementNode {
  id: string;
  label: string;
  kind: NodeKind;
  focus?: boolean;
}
export interface ElementEdge {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
}
export interface GraphElements {
  nodes: ElementNode[];
  edges: ElementEdge[];
  /** True when the picture holds fewer results than the answer (the list still pages through all). */
  clipped: boolean;
}

/** The most elements drawn at once: above this, layouts and frames slow past usefulness (PERFORMANCE-NOTES). */
export const MAX_DRAWN_NODES = 400;

/**
 * The union of result paths as drawable elements: each path's nodes and the
 * edges between consecutive nodes, deduplicated, stopping before the picture
 * passes MAX_DRAWN_NODES. Labels are plain strings; the canvas draws them as text.
 */
export function pathsToElements(paths: PathOut[], describe: (id: string) => { name: string; kind: NodeKind } | undefined, focusIds: string[] = []): GraphElements {
  const nodes = new Map<string, ElementNode>();
  const edges = new Map<string, ElementEdge>();
  const focus = new Set(focusIds);
  let clipped = false;
  for (const p of paths) {
    const fresh = p.nodes.filter((id) => !nodes.has(id));
    if (nodes.size + fresh.length > MAX_DRAWN_NODES) {
      clipped = true;
      break;
    }
    for (const id of p.nodes) {
      if (nodes.has(id)) continue;
      const d = describe(id);
      if (!d) continue;
      nodes.set(id, { id, label: d.name, kind: d.kind, ...(focus.has(id) ? { focus: true } : {}) });
    }
    p.edges.forEach((kind, i) => {
      const source = p.nodes[i]!;
      const target = p.nodes[i + 1]!;
      const id = `${source}|${kind}|${target}`;
      if (nodes.has(source) && nodes.has(target) && !edges.has(id)) edges.set(id, { id, source, target, kind });
    });
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()], clipped };
}
