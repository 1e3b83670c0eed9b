import type { TriggerKind } from "../model";

/** How each kind of trigger reads (shared by the API's views and the rules page). Pure. */
export const TRIGGER_KIND_LABEL: Record<TriggerKind, string> = {
  tool_definition_changed: "A tool's definition changed after certification",
  new_critical_path: "A new path to a critical tool",
  owner_departed: "An owner departed",
  hard_coded_secret: "A hard-coded secret was found",
  ssf_event: "A Shared Signals event arrived",
};
