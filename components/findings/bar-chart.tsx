import styles from "./findings.module.css";

export interface BarRow {
  key: string;
  label: string;
  /** A short tag after the label (an OWASP item). */
  tag?: string;
  value: number;
  color: string;
  href: string;
  selected?: boolean;
}

const ROW = 26;
const COUNT_W = 44;

/**
 * A horizontal bar chart in plain SVG: one row per category, each row a link
 * that filters by it (so the chart is a labelled group of links, not an image: an
 * image may not hold focusable things). Labels are text nodes (never markup from data).
 */
export function BarChart({
  rows,
  title,
  testId,
  width = 560,
  labelWidth = 230,
}: {
  rows: BarRow[];
  title: string;
  testId?: string;
  width?: number;
  labelWidth?: number;
}) {
  const W = width;
  const LABEL_W = labelWidth;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const barW = W - LABEL_W - COUNT_W - 8;
  return (
    <svg className={styles.chart} viewBox={`0 0 ${W} ${rows.length * ROW + 4}`} role="group" aria-label={title} data-testid={testId}>
      {rows.map((r, i) => {
        const y = i * ROW + 2;
        const w = r.value === 0 ? 0 : Math.max(3, (barW * r.value) / max);
        return (
          <a
            key={r.key}
            href={r.href}
            className={r.selected ? styles.selected : undefined}
            aria-label={`${r.label}: ${r.value}`}
            data-testid={testId ? `${testId}-${r.key}` : undefined}
          >
            <rect className="track" x={0} y={y} width={W} height={ROW - 4} rx={4} fill="transparent" />
            <text x={6} y={y + ROW / 2 + 2}>
              {r.label}
              {r.tag ? (
                <tspan className={styles.muted} dx={6} fontSize={10}>
                  {r.tag}
                </tspan>
              ) : null}
            </text>
            <rect x={LABEL_W} y={y + 4} width={barW} height={ROW - 12} rx={3} fill="#eef0f3" />
            <rect x={LABEL_W} y={y + 4} width={w} height={ROW - 12} rx={3} fill={r.color} />
            <text className={styles.n} x={W - 6} y={y + ROW / 2 + 2} textAnchor="end">
              {r.value}
            </text>
          </a>
        );
      })}
    </svg>
  );
}
