import Link from "next/link";
import { LocalTime } from "@/components/ui/local-time";
import type { DiffLine } from "@/lib/format/text-diff";
import type { ToolDefinitionChange } from "@/lib/findings/tool-definition-change";
import styles from "./detail.module.css";

const SIGN = { same: " ", del: "−", add: "+" } as const;

function Line({ line }: { line: DiffLine }) {
  return (
    <div className={`${styles.line} ${styles[line.op]}`} data-op={line.op}>
      <span className={styles.sign} aria-hidden>
        {SIGN[line.op]}
      </span>
      <span>
        {line.op !== "same" ? <span className="sr-only">{line.op === "del" ? "removed: " : "added: "}</span> : null}
        {line.words
          ? line.words.map((w, i) =>
              w.op === "same" ? (
                <span key={i}>{w.text}</span>
              ) : w.op === "del" ? (
                <del key={i} className={styles.wordDel}>
                  {w.text}
                </del>
              ) : (
                <ins key={i} className={styles.wordAdd}>
                  {w.text}
                </ins>
              ),
            )
          : line.text || " "}
      </span>
    </div>
  );
}

/** A rug pull made visible: each changed part of the tool's definition as the certified text against today's. Texts are untrusted: rendered as text. */
export function DefinitionDiff({ change }: { change: ToolDefinitionChange }) {
  return (
    <section className="panel" aria-labelledby="definition-change" data-testid="definition-diff">
      <h2 id="definition-change" className={styles.panelTitle}>
        What changed in the tool&apos;s definition
      </h2>
      {change.recorded ? (
        <>
          <p className={styles.legend}>
            The definition approved when its access was certified
            {change.certifiedSeenAt ? (
              <>
                {" "}
                (first seen <LocalTime value={change.certifiedSeenAt} relative={false} />)
              </>
            ) : null}{" "}
            against the one the server reports now: <span className={styles.wordDel}>removed</span> and <span className={styles.wordAdd}>added</span> text.
          </p>
          {change.changed.map((p) => (
            <div key={p.part} data-testid={`definition-diff-${p.part}`}>
              <h3 className={styles.diffTitle}>{p.label}</h3>
              <div className={styles.diff}>
                {p.lines.map((l, i) => (
                  <Line key={i} line={l} />
                ))}
              </div>
            </div>
          ))}
          {change.changed.length === 0 ? <p>The texts are equal; only the fingerprint differs (the name or a part Attest does not show changed).</p> : null}
          {change.unchanged.length ? <p className={styles.legend}>Unchanged: {change.unchanged.join(", ").toLowerCase()}.</p> : null}
        </>
      ) : (
        <p>
          The certified definition&apos;s text was recorded before Attest kept definition texts, so only its fingerprint is known. The current definition is on
          the <Link href={`/nodes/${change.toolId}`}>tool&apos;s page</Link>; from now on every new definition is kept and its changes are shown here.
        </p>
      )}
      <p className={styles.hashes}>
        Fingerprints: certified <span className="mono">{change.certifiedHash}</span>, now <span className="mono">{change.currentHash}</span>
      </p>
    </section>
  );
}
