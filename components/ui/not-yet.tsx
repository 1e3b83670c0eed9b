import type { ReactNode } from "react";

/** The honest state of a page whose capability a later release builds. */
export function NotYet({ title, what, children }: { title: string; what: string; children?: ReactNode }) {
  return (
    <>
      <h1>{title}</h1>
      <div className="panel empty" role="status" data-testid="not-yet">
        <h2>Not available yet</h2>
        <p>{what}</p>
        {children}
      </div>
    </>
  );
}
