import Link from "next/link";
import type { OwnerSummary } from "@/lib/inventory/owner-summary";
import styles from "./inventory.module.css";

/** Who answers for a row: the first active owner and how many more, or that nobody active does. */
export function OwnerCell({ owner }: { owner: OwnerSummary }) {
  if (!owner.first) return <span className={styles.none}>no owner</span>;
  if (!owner.first.active) {
    return (
      <span>
        <span className="badge warn">no active owner</span>
        <span className={styles.sub}>
          {" "}
          was <Link href={`/nodes/${owner.first.id}`}>{owner.first.name}</Link>
        </span>
      </span>
    );
  }
  return (
    <span>
      <Link href={`/nodes/${owner.first.id}`}>{owner.first.name}</Link>
      {owner.moreActive ? <span className={styles.sub}> +{owner.moreActive}</span> : null}
      {owner.inherited ? <span className={styles.sub}> (via server)</span> : null}
    </span>
  );
}
