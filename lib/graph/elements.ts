import type { AccessGroup } from "./access-groups";
import { NODE_KIND_LABEL, type EdgeKind, type NodeKind } from "./model";
import type { ToolRisk } from "./tool-risk";
import type { PathOut } from "./traverse";

/** Where a credential's secret lives (the `storage` attribute imports set), in words for the canvas and the legend. */
export const STORAGE_WORDS: Record<string, string> = {
  hard_coded: "hard-coded",
  config_file: "in a config file",
  env: "in an env variable",
  vault: "in a vault",
  prompt: "asked for at start",
};
/** How exposed each storage is, for the border drawn around a credential: "exposed" secrets sit in plain text. */
export const STORAGE_EXPOSURE: Record<string, "exposed" | "env" | "kept"> = {
  hard_coded: "exposed",
  config_file: "exposed",
  env: "env",
  vault: "kept",
  prompt: "kept",
};

/** What the canvas marks on a node besides its kind: a tool's risk, a credential's storage. */
export interface NodeMarks {
  risk?: ToolRisk;
  storage?: string;
}

export interface ElementNode {
  id: string;
  label: string;
  kind: NodeKind;
  focus?: boolean;
  /** A tool's risk: drawn as its border, and as a second label line. */
  risk?: ToolRisk;
  /** A credential's storage (`hard_coded`, `env`…): drawn as its border, and as a second label line. */
  storage?: string;
  /** How exposed the credential's storage is (see STORAGE_EXPOSURE), for the border style. */
  exposure?: "exposed" | "env" | "kept";
  /** Distance from the focus in a neighbourhood (0: the focus): the ring it is drawn on. */
  ring?: number;
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
export function pathsToElements(
  paths: PathOut[],
  describe: (id: string) => ({ name: string; kind: NodeKind } & NodeMarks) | undefined,
  focusIds: string[] = [],
): GraphElements {
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
      nodes.set(id, markedNode(id, d, focus.has(id)));
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

/**
 * A node as drawn: its name, then what it risks in words on a second line (a tool's risk, where a credential's
 * secret lives), so a destructive write_file never looks like read_file even without colour.
 */
export function markedNode(id: string, d: { name: string; kind: NodeKind } & NodeMarks, focus = false): ElementNode {
  const n: ElementNode = { id, label: d.name, kind: d.kind, ...(focus ? { focus: true } : {}) };
  if (d.kind === "tool" && d.risk) {
    n.risk = d.risk;
    n.label = `${d.name}\n${d.risk} risk`;
  }
  if (d.kind === "credential" && d.storage) {
    n.storage = d.storage;
    n.exposure = STORAGE_EXPOSURE[d.storage];
    n.label = `${d.name}\n${STORAGE_WORDS[d.storage] ?? d.storage.slice(0, 40)}`;
  }
  return n;
}

/**
 * Pictures with more nodes than this are drawn as groups by (kind, source) with counts, unless the user asks for
 * paths: beyond it, labels either overlap or shrink to a sliver on a 600 px canvas.
 */
export const GROUP_ABOVE = 60;

/** Counts of results by (kind, source), largest first (then by kind and source, so the order is stable). */
export function countGroups(items: readonly { kind: NodeKind; source: string }[]): AccessGroup[] {
  const counts = new Map<string, AccessGroup>();
  for (const i of items) {
    const key = `${i.kind}\u0000${i.source}`;
    const g = counts.get(key);
    if (g) g.count++;
    else counts.set(key, { kind: i.kind, source: i.source, count: 1 });
  }
  return [...counts.values()].sort(
    (a, b) => b.count - a.count || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0),
  );
}

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
    nodes.push({
      id,
      label: `${NODE_KIND_LABEL[g.kind]} (${g.count.toLocaleString("en")})\n${g.source || "no source"}`,
      kind: g.kind,
      count: g.count,
      size: Math.round(28 + 14 * Math.log10(g.count + 1)),
    });
    const [source, target] = direction === "in" ? [id, focus.id] : [focus.id, id];
    edges.push({ id: `${source}|group|${target}`, source, target, kind: "group" });
  });
  return { nodes, edges, clipped: false };
}
