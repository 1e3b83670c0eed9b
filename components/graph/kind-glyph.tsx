import { KIND_COLOR, KIND_SHAPE } from "@/lib/graph/kind-style";
import type { NodeKind } from "@/lib/graph/model";

/** Outlines of the canvas shapes in a 12×12 box, for legends. */
const POINTS: Record<(typeof KIND_SHAPE)[NodeKind], string | null> = {
  ellipse: null,
  hexagon: "3,1 9,1 12,6 9,11 3,11 0,6",
  diamond: "6,0 12,6 6,12 0,6",
  star: "6,0 7.5,4.2 12,4.4 8.4,7.1 9.7,11.6 6,9 2.3,11.6 3.6,7.1 0,4.4 4.5,4.2",
  barrel: "2,0 10,0 12,3 12,9 10,12 2,12 0,9 0,3",
  triangle: "6,0 12,12 0,12",
  tag: "0,1 8,1 12,6 8,11 0,11",
  rectangle: "0,0 12,0 12,12 0,12",
  pentagon: "6,0 12,4.6 9.7,12 2.3,12 0,4.6",
};

/** A node kind's colour and canvas shape, as the legend shows it. */
export function KindGlyph({ kind }: { kind: NodeKind }) {
  const points = POINTS[KIND_SHAPE[kind]];
  return (
    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden className="glyph">
      {points ? <polygon points={points} fill={KIND_COLOR[kind]} /> : <circle cx="6" cy="6" r="6" fill={KIND_COLOR[kind]} />}
    </svg>
  );
}

/** A border as the canvas draws it (a tool's risk, a credential's storage), around a plain disc, for legends. */
export function BorderGlyph({ color, width, style }: { color: string; width: number; style: "solid" | "double" | "dashed" }) {
  const w = Math.min(width, 4);
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden className="glyph">
      <circle cx="8" cy="8" r={7 - w / 2} fill="#f2f4f7" stroke={color} strokeWidth={w} strokeDasharray={style === "dashed" ? "3 2" : undefined} />
      {style === "double" ? <circle cx="8" cy="8" r={2.5} fill="none" stroke={color} strokeWidth={1.2} /> : null}
    </svg>
  );
}
