import Link from "next/link";
import type { ReactNode } from "react";
import styles from "./ui.module.css";

/** A number with its label; a link when it leads to the list it counts. */
export function Stat({ label, value, href, hint }: { label: ReactNode; value: number | string; href?: string; hint?: ReactNode }) {
  const body = (
    <>
      <div className="n">{typeof value === "number" ? value.toLocaleString("en") : value}</div>
      <div className="l">{label}</div>
      {hint ? <div className={styles.statHint}>{hint}</div> : null}
    </>
  );
  return href ? (
    <Link href={href} className={`card ${styles.stat}`}>
      {body}
    </Link>
  ) : (
    <div className={`card ${styles.stat}`}>{body}</div>
  );
}
