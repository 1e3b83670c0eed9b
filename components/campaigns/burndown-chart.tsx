import styles from "./campaigns.module.css";

export interface BurndownData {
  launchedAt: string;
  dueAt: string;
  end: string;
  total: number;
  points: { at: string; undecided: number }[];
}

const W = 640;
const H = 230;
const PAD = { left: 44, right: 16, top: 14, bottom: 36 };

function fmt(ms: number, spanMs: number): string {
  const d = new Date(ms).toISOString();
  return spanMs < 2 * 86_400_000 ? d.slice(5, 16).replace("T", " ") : d.slice(5, 10);
}

/**
 * Undecided items over time (a step line), against the ideal straight line
 * from launch to the due date, with the due date and today marked. Plain SVG:
 * no chart library.
 */
export function BurndownChart({ data, now }: { data: BurndownData; now: string | null }) {
  const t0 = Date.parse(data.launchedAt);
  const due = Date.parse(data.dueAt);
  const end = Date.parse(data.end);
  const t1 = Math.max(due, end, t0 + 60_000);
  const span = t1 - t0;
  const x = (ms: number) => PAD.left + ((ms - t0) / span) * (W - PAD.left - PAD.right);
  const yMax = Math.max(1, data.total);
  const y = (n: number) => PAD.top + (1 - n / yMax) * (H - PAD.top - PAD.bottom);

  let d = "";
  data.points.forEach((p, i) => {
    const px = x(Date.parse(p.at));
    const py = y(p.undecided);
    d += i === 0 ? `M${px.toFixed(1)},${py.toFixed(1)}` : `H${px.toFixed(1)}V${py.toFixed(1)}`;
  });
  const last = data.points.at(-1);
  const yTicks = [...new Set([0, Math.round(yMax / 2), yMax])];
  // "now" only means something while the campaign runs, and only away from the start.
  const nowMs = now ? Math.min(Date.parse(now), t1) : NaN;
  const xTicks = [t0, due, ...(end < due - span * 0.12 && end > t0 + span * 0.12 ? [end] : [])];

  return (
    <figure style={{ margin: 0 }}>
      <svg className={styles.chart} viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="burndown-title burndown-desc" data-testid="burndown">
        <title id="burndown-title">Burndown: undecided items over time</title>
        <desc id="burndown-desc">{`${data.total} items at launch; ${last?.undecided ?? data.total} undecided now; due ${data.dueAt.slice(0, 10)}.`}</desc>
        {yTicks.map((v) => (
          <g key={`y${v}`}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#eef0f3" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" fontSize="11" fill="#5b6675">
              {v}
            </text>
          </g>
        ))}
        <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={H - PAD.bottom} stroke="#98a2b3" />
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} stroke="#98a2b3" />
        {xTicks.map((ms, i) => (
          <text key={`x${i}`} x={x(ms)} y={H - PAD.bottom + 16} textAnchor={i === 0 ? "start" : "middle"} fontSize="11" fill="#5b6675">
            {fmt(ms, span)}
          </text>
        ))}
        <line x1={x(t0)} y1={y(data.total)} x2={x(due)} y2={y(0)} stroke="#98a2b3" strokeDasharray="5 4" strokeWidth="1.5" />
        <line x1={x(due)} x2={x(due)} y1={PAD.top} y2={H - PAD.bottom} stroke="#b42318" strokeDasharray="3 3" />
        <text x={x(due) - 4} y={PAD.top + 10} textAnchor="end" fontSize="11" fill="#b42318">
          due
        </text>
        {nowMs > t0 + span * 0.04 && nowMs < t1 ? (
          <>
            <line x1={x(nowMs)} x2={x(nowMs)} y1={PAD.top} y2={H - PAD.bottom} stroke="#2457d6" strokeOpacity="0.35" />
            <text x={x(nowMs) + 4} y={PAD.top + 10} fontSize="11" fill="#2457d6">
              now
            </text>
          </>
        ) : null}
        <path d={d} fill="none" stroke="#2457d6" strokeWidth="2.5" strokeLinejoin="round" />
        {last ? <circle cx={x(Date.parse(last.at))} cy={y(last.undecided)} r="3.5" fill="#2457d6" /> : null}
        <text x={(PAD.left + W - PAD.right) / 2} y={H - 4} textAnchor="middle" fontSize="11" fill="#5b6675">
          undecided items · dashed: ideal pace to the due date
        </text>
      </svg>
    </figure>
  );
}
