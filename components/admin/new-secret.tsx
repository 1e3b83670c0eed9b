"use client";

import { CopyButton } from "@/components/ui/copy-button";
import styles from "./admin.module.css";

/** A secret the server returned once (an API or SCIM token): shown with a copy button and said plainly that it will not come back. */
export function NewSecret({ value, testId, hint }: { value: string; testId: string; hint?: string }) {
  return (
    <div className={styles.secret} role="status">
      Copy it now; it is not shown again: <code data-testid={testId}>{value}</code>
      <CopyButton value={value} />
      {hint ? <span className={styles.secretHint}>{hint}</span> : null}
    </div>
  );
}
