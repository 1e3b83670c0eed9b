import Link from "next/link";
import { KindBadge } from "@/components/ui/kind-badge";
import type { NodeKind } from "@/lib/graph/model";
import { pct } from "./share";
import styles from "./ownership.module.css";

export interface KindCoverage {
  kind: NodeKind;
  total: number;
  owned: number;
  businessAndTechnical: number;
  ownedShare: number | null;
  unowned: number;
}

/**
 * Coverage per kind as stacked bars: business + technical owners (dark green),
 * some active owner (light green), no active owner (red). Plain CSS, no chart library.
 */
export function CoverageKinds({ rows }: { rows: KindCoverage[] }) {
  return (
    <>
      <div className={styles.kindRows} role="list" aria-label="Coverage by kind">
        {rows.map((r) => {
          const both = r.total ? (100 * r.businessAndTechnical) / r.total : 0;
          const ownedOnly = r.total ? (100 * (r.owned - r.businessAndTechnical)) / r.total : 0;
          return (
            <div key={r.kind} role="listitem" style={{ display: "contents" }} data-testid={`coverage-kind-${r.kind}`}>
              <span>
                <KindBadge kind={r.kind} />
              </span>
              <span className={styles.stack} title={`${r.owned} of ${r.total} owned; ${r.businessAndTechnical} with business and technical owners`}>
                <span className={styles.both} style={{ width: `${both}%` }} />
                <span className={styles.ownedOnly} style={{ width: `${ownedOnly}%` }} />
              </span>
              <span className={styles.pct} data-testid="owned-share">
                {pct(r.ownedShare)}
              </span>
              <span className={styles.gap}>
                {r.unowned > 0 ? (
                  <Link href={`/ownership/orphans?kind=${r.kind}`}>
                    {r.unowned} of {r.total} unowned
                  </Link>
                ) : (
                  `all ${r.total} owned`
                )}
              </span>
            </div>
          );
        })}
      </div>
      <div className={styles.legend} aria-hidden>
        <span>
          <i className={`${styles.swatch} ${styles.both}`} /> business and technical owner
        </span>
        <span>
          <i className={`${styles.swatch} ${styles.ownedOnly}`} /> at least one active owner
        </span>
        <span>
          <i className={`${styles.swatch} ${styles.unownedSwatch}`} /> no active owner
        </span>
      </div>
    </>
  );
}
