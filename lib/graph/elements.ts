import type { AccessGroup } from "./access-groups";
import { NODE_KIND_LABEL, type EdgeKind, type NodeKind } from "./model";
import type { PathOut } from "./traverse";

export interface ElementNode {
  id: string;
  label: string;
  kind: NodeKind;
  focus?: boolean;
  /** A group node standing for this many results of one (kind, source); drawn larger, opened by a click. */
  count?: number;
  size?: number;
}
export interface ElementEdge {
  id: string;
  source: string;
  target: string;
  /** "group": from a group node to the focus (or back), standing for all its members' paths. */
  kind: EdgeKind | "group";
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

/** Answers larger than this are drawn as groups by (kind, source) with counts, unless the user asks for paths. */
export const GROUP_ABOVE = 300;

/**
 * A large answer as a few nodes: the focus and one node per (kind, source)
 * with its count, joined to the focus in the direction access flows. Group
 * ids are positional (`grp-0`…), never built from source names, which are
 * imported text.
 */
export function groupsToElements(groups: readonly AccessGroup[], focus: { id: string; name: string; kind: NodeKind }, direction: "in" | "out"): GraphElements {
  const nodes: ElementNode[] = [{ id: focus.id, label: focus.name, kind: focus.kind, focus: true }];
  const edges: ElementEdge[] = [];
  groups.forEach((g, i) => {
    const id = `grp-${i}`;
    nodes.push({ id, label: `${NODE_KIND_LABEL[g.kind]} (${g.count.toLocaleString("en")})\n${g.source || "no source"}`, kind: g.kind, count: g.count, size: Math.round(28 + 14 * Math.log10(g.count + 1)) });
    const [source, target] = direction === "in" ? [id, focus.id] : [focus.id, id];
    edges.push({ id: `${source}|group|${target}`, source, target, kind: "group" });
  });
  return { nodes, edges, clipped: false };
}
