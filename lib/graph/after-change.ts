import { EventEmitter } from "node:events";

// Minimal stand-in for the pipeline helper's module (issue 14): only the
// in-process signal the job engine subscribes to. On merge, take the
// pipeline's file; these two functions are identical there.

const g = globalThis as typeof globalThis & { __attestGraphChanged?: EventEmitter };
const signal: EventEmitter = (g.__attestGraphChanged ??= new EventEmitter().setMaxListeners(50));

/**
 * Tells listeners in this process (the job engine) that a change was committed.
 * No work of its own, and never throws: a missed signal is caught by the
 * engine's periodic sweep, since the outbox row is already durable.
 */
export function notifyGraphChanged(): void {
  try {
    signal.emit("changed");
  } catch (e) {
    console.error("[graph] a graph-changed listener failed:", e instanceof Error ? e.message : e);
  }
}

/** Subscribes to notifyGraphChanged; returns the unsubscribe function. */
export function onGraphChanged(listener: () => void): () => void {
  signal.on("changed", listener);
  return () => signal.off("changed", listener);
}
