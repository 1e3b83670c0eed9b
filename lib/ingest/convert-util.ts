import type { ErrorDetail } from "@/lib/errors";
import { graphEdgeSchema, graphNodeSchema, type GraphDocument } from "@/lib/ingest/graph-document";
import { zodDetails } from "@/lib/errors";

/** Keys that would reach an object's prototype if a later consumer assigned them onto a plain object. */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);
export const isUnsafeKey = (k: string) => UNSAFE_KEYS.has(k);

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads only own properties, so inherited names (`constructor`, `toString`) never count as input. */
export function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * An untrusted object's entries as a Map, dropping prototype-reaching keys.
 * Returns the dropped keys so the caller can warn with the exact path.
 */
export function safeEntries(obj: Record<string, unknown>): { map: Map<string, unknown>; dropped: string[] } {
  const map = new Map<string, unknown>();
  const dropped: string[] = [];
  for (const key of Object.keys(obj)) {
    if (isUnsafeKey(key)) dropped.push(key);
    else map.set(key, obj[key]);
  }
  return { map, dropped };
}

/** Bounded error list: one hostile file must not produce a megabyte of errors. */
export class ErrorList {
  readonly items: ErrorDetail[] = [];
  constructor(private readonly max = 100) {}
  add(path: string, message: string): void {
    if (this.items.length < this.max) this.items.push({ path, message });
    else if (this.items.length === this.max)
      this.items.push({ path: "(root)", message: `more than ${this.max} errors; only the first ${this.max} are listed` });
  }
  get count(): number {
    return this.items.length;
  }
}

/**
 * Warnings aggregated by key, so a file with ten thousand edges of one
 * unmappable kind yields one line with a count, not ten thousand lines.
 */
export class WarningList {
  private readonly entries = new Map<string, { count: number; render: (n: number) => string }>();
  add(key: string, render: (n: number) => string): void {
    const e = this.entries.get(key);
    if (e) e.count += 1;
    else this.entries.set(key, { count: 1, render });
  }
  list(): string[] {
    return [...this.entries.values()].map((e) => e.render(e.count));
  }
}

/** "1 edge" / "3 edges". */
export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/**
 * Re-checks a finished document against the import schemas. A converter bug
 * must surface as a clear error here, not as a failed import later.
 */
export function checkDocument(doc: GraphDocument): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  doc.nodes.forEach((n, i) => {
    const r = graphNodeSchema.safeParse(n);
    if (!r.success) out.push(...zodDetails(r.error.issues, `nodes[${i}]`));
  });
  doc.edges.forEach((e, i) => {
    const r = graphEdgeSchema.safeParse(e);
    if (!r.success) out.push(...zodDetails(r.error.issues, `edges[${i}]`));
  });
  return out;
}

/** What every converter of another format answers: a graph document, or the problems that stop it. */
export type ConversionResult =
  | {
      ok: true;
      document: GraphDocument;
      warnings: string[];
      /** Input records that produced nothing (edges no Attest edge fits, dangling ends, self-loops). */
      skipped: { nodes: number; edges: number };
      /** Input records folded into an earlier record with the same identity. */
      merged: { nodes: number; edges: number };
    }
  | { ok: false; errors: ErrorDetail[] };
