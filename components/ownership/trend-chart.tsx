import { pct } from "./share";
import styles from "./ownership.module.css";

export interface TrendPoint {
  day: string;
  ownedShare: number | null;
  businessAndTechnicalShare: number | null;
  total: number;
}

const W = 560;
const H = 170;
const PAD = { l: 36, r: 12, t: 10, b: 24 };

/** Owned share and business + technical share per day, as an SVG line chart (0–100%). */
export function TrendChart({ points }: { points: TrendPoint[] }) {
  const pts = points.filter((p) => p.ownedShare !== null);
  if (pts.length === 0) return <p className={styles.chartNote}>No coverage recorded yet.</p>;
  const t0 = Date.parse(pts[0]!.day);
  const t1 = Date.parse(pts.at(-1)!.day);
  const span = Math.max(t1 - t0, 86_400_000);
  const x = (day: string) => (pts.length === 1 ? (PAD.l + W - PAD.r) / 2 : PAD.l + ((Date.parse(day) - t0) / span) * (W - PAD.l - PAD.r));
  const y = (share: number) => PAD.t + (1 - share) * (H - PAD.t - PAD.b);
  const line = (key: "ownedShare" | "businessAndTechnicalShare") =>
    pts.map((p, i) => `${i ? "L" : "M"}${x(p.day).toFixed(1)},${y(p[key] ?? 0).toFixed(1)}`).join(" ");
  const last = pts.at(-1)!;
  const first = pts[0]!;
  const summary = `Owned ${pct(first.ownedShare)} on ${first.day}, ${pct(last.ownedShare)} on ${last.day}; business and technical ${pct(last.businessAndTechnicalShare)}.`;
  return (
    <figure style={{ margin: 0 }}>
      <svg className={styles.chart} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        {[0, 0.5, 1].map((s) => (
          <g key={s}>
            <line x1={PAD.l} x2={W - PAD.r} y1={y(s)} y2={y(s)} stroke="#dfe3e8" strokeDasharray={s === 0 || s === 1 ? undefined : "3 3"} />
            <text x={PAD.l - 6} y={y(s) + 4} textAnchor="end" fontSize="10" fill="#5b6675">
              {Math.round(s * 100)}%
            </text>
          </g>
        ))}
        <text x={PAD.l} y={H - 6} fontSize="10" fill="#5b6675">
          {first.day}
        </text>
        {pts.length > 1 ? (
          <text x={W - PAD.r} y={H - 6} fontSize="10" fill="#5b6675" textAnchor="end">
            {last.day}
          </text>
        ) : null}
        <path d={line("businessAndTechnicalShare")} fill="none" stroke="#1a7f37" strokeWidth="2" strokeDasharray="5 3" />
        <path d={line("ownedShare")} fill="none" stroke="#2457d6" strokeWidth="2.5" />
        {pts.map((p) => (
          <g key={p.day}>
            <circle cx={x(p.day)} cy={y(p.ownedShare ?? 0)} r="3.5" fill="#2457d6">
              <title>{`${p.day}: ${pct(p.ownedShare)} owned, ${pct(p.businessAndTechnicalShare)} business and technical, of ${p.total}`}</title>
            </circle>
            <circle cx={x(p.day)} cy={y(p.businessAndTechnicalShare ?? 0)} r="3" fill="#1a7f37" />
          </g>
        ))}
      </svg>
      <figcaption className={styles.legend}>
        <span>
          <i className={styles.swatch} style={{ background: "#2457d6" }} /> at least one active owner
        </span>
        <span>
          <i className={styles.swatch} style={{ background: "#1a7f37" }} /> business and technical owner
        </span>
      </figcaption>
      {pts.length === 1 ? (
        <p className={styles.chartNote}>
          The trend starts today: Attest records the day&rsquo;s coverage each time findings are evaluated (after every import and ownership change);
          todaytoday&rsquo;s point is the live figure.rsquo;s point is the latest count.
        </p>
      ) : null}
    </figure>
  );
}
