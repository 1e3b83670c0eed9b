import { KIND_COLOR } from "@/lib/graph/kind-style";
import { EDGE_RULES, type EdgeKind, type NodeKind } from "@/lib/graph/model";

interface PathNode {
  id: string;
  name: string;
  kind: NodeKind;
}

/** One access path, principal first, with the edge kind on each arrow. Names are untrusted: text only. */
export function ReportPath({ nodes, edges }: { nodes: PathNode[]; edges: EdgeKind[] }) {
  return (
    <span style={{ fontSize: "0.82rem", lineHeight: 1.6 }}>
      {nodes.map((n, i) => (
        <span key={`${n.id}-${i}`}>
          {i > 0 ? (
            <em className="subtitle" style={{ margin: 0 }}>
              {" "}
              —{EDGE_RULES[edges[i - 1]!].label}→{" "}
            </em>
          ) : null}
          <span style={{ whiteSpace: "nowrap" }}>
            <span className="dot" style={{ background: KIND_COLOR[n.kind], width: 8, height: 8 }} aria-hidden /> {n.name}
          </span>
        </span>
      ))}
    </span>
  );
}
