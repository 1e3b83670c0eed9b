"use client";

import { useRouter } from "next/navigation";
import { NodeCombobox } from "@/components/ui/node-picker";
import { PRINCIPAL_KINDS } from "@/lib/graph/model";
import styles from "./explorer.module.css";

/**
 * The explorer's start: type a name, pick from the typeahead and the graph opens on that node (what a principal
 * reaches, who can reach anything else). Enter without a pick searches, listing every match.
 */
export function GraphSearch({ defaultText }: { defaultText?: string }) {
  const router = useRouter();
  return (
    <form className="toolbar" role="search" action="/graph">
      <NodeCombobox
        label="Find a node"
        name="q"
        defaultText={defaultText}
        placeholder="Find a person, agent, tool, credential…"
        className={styles.search}
        testId="graph-search"
        onPick={(n) =>
          router.push(`/graph?${new URLSearchParams({ node: n.id, mode: (PRINCIPAL_KINDS as readonly string[]).includes(n.kind) ? "reach" : "who" })}`)
        }
      />
      <button className="btn" type="submit">
        Find
      </button>
    </form>
  );
}

/**
 * The paths target, picked by name: the field shows the target's name, the URL (and the form's hidden `to`) its id.
 * A pick opens the paths at once; typing a name and pressing Apply lists the matching nodes to choose from.
 */
export function PathTarget({ targetId, targetName, hrefWithoutTarget }: { targetId?: string; targetName?: string; hrefWithoutTarget: string }) {
  const router = useRouter();
  return (
    <NodeCombobox
      label="Path target"
      name="to"
      defaultText={targetName ?? ""}
      defaultValue={targetId}
      placeholder="to: type a name"
      className={styles.target}
      testId="path-target"
      onPick={(n) => router.push(`${hrefWithoutTarget}&to=${encodeURIComponent(n.id)}`)}
    />
  );
}
