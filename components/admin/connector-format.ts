import type { ConnectorRunView } from "@/lib/connectors/manage";

/** Small words for the connectors page: durations, run states, counts. */
export const duration = (ms: number | null) =>
  ms == null
    ? "—"
    : ms < 1000
      ? `${ms} ms`
      : ms < 60_000
        ? `${(ms / 1000).toFixed(1)} s`
        : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

export const STATUS_TONE: Record<string, "ok" | "danger" | "info" | "warn"> = { succeeded: "ok", failed: "danger", queued: "info", running: "info" };

export const TRIGGER_WORDS: Record<string, string> = { manual: "run by hand", schedule: "on schedule", test: "connection test" };

/** "12 humans, 1 group" — counts of a run's document by kind, largest first. */
export function countsByKind(counts: Record<string, number> | undefined, none: string): string {
  const list = Object.entries(counts ?? {}).sort((a, b) => b[1] - a[1]);
  return list.length ? list.map(([k, n]) => `${n.toLocaleString("en")} ${k.replace(/_/g, " ")}${n === 1 ? "" : "s"}`).join(", ") : none;
}

export const isOpen = (r: ConnectorRunView | null | undefined) => !!r && (r.status === "queued" || r.status === "running");

/** A run's message without its leading failure code ("auth_failed: the credential was refused…" → "the credential was refused…"). */
export const plainMessage = (m: string) => m.replace(/^[a-z_]+: /, "");
