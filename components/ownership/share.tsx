import styles from "./ownership.module.css";

/** A share as a whole percentage ("—" when there is nothing to count). */
export function pct(share: number | null): string {
  return share === null ? "—" : `${Math.round(share * 100)}%`;
}

/** A small bar for a share, with the number beside it. */
export function ShareBar({ share, label }: { share: number | null; label?: string }) {
  return (
    <span title={label}>
      <span className={styles.mini} aria-hidden>
        <span style={{ width: `${Math.round((share ?? 0) * 100)}%` }} />
      </span>
      {pct(share)}
    </span>
  );
}
