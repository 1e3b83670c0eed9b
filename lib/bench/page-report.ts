import type { PageVisit } from "./pages";
import { formatMs, table } from "./stats";

/** The targets of issue 15: every page's server answer under a second, no page taller than ten screens by default. */
export const PAGE_TARGETS = { maxMs: 1000, maxScreens: 10 } as const;

export interface PageMeasure {
  visit: PageVisit;
  /** Where the page ended up after redirects (a reviewer opening /campaigns lands on the inbox). */
  finalPath: string;
  /** HTTP status of the last answer. */
  status: number;
  /** Each timed request's full answer (status line to last byte), ms; the warm-up is not among them. */
  samplesMs: number[];
  /** document.scrollHeight in the browser, px. */
  heightPx: number;
  /** The viewport height the screens are counted in, px. */
  viewportPx: number;
  /** Why the page could not be measured, if it could not. */
  error?: string;
}

export interface PageResult extends PageMeasure {
  medianMs: number;
  screens: number;
  pass: boolean;
  /** What misses the target, in words: "1,820 ms ≥ 1000 ms", "19.5 screens > 10". */
  misses: string[];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function judgePage(m: PageMeasure, targets: { maxMs: number; maxScreens: number } = PAGE_TARGETS): PageResult {
  const medianMs = median(m.samplesMs);
  const screens = m.viewportPx > 0 ? m.heightPx / m.viewportPx : Number.NaN;
  const misses: string[] = [];
  if (m.error) misses.push(m.error);
  else {
    if (m.status >= 400) misses.push(`HTTP ${m.status}`);
    if (!(medianMs < targets.maxMs)) misses.push(`${formatMs(medianMs)} ms ≥ ${targets.maxMs} ms`);
    if (!(screens <= targets.maxScreens)) misses.push(`${screens.toFixed(1)} screens > ${targets.maxScreens}`);
  }
  return { ...m, medianMs, screens, pass: misses.length === 0, misses };
}

/** "/nodes/[id] (a big group)" — the route with what was opened. */
export function pageName(v: PageVisit): string {
  return v.label ? `${v.route} (${v.label})` : v.route;
}

/** The plain-text table the benchmark prints: page, visitor, ms, screens, pass/fail. */
export function pageTable(results: readonly PageResult[]): string {
  const rows = results.map((r) => [
    pageName(r.visit),
    r.visit.visitor,
    r.finalPath !== r.visit.path ? `→ ${r.finalPath.split("?")[0]}` : "",
    r.error ? "—" : formatMs(r.medianMs),
    r.error || !Number.isFinite(r.screens) ? "—" : r.screens.toFixed(1),
    r.pass ? "pass" : `FAIL: ${r.misses.join("; ")}`,
  ]);
  return table(["page", "as", "redirect", "ms", "screens", "result"], rows);
}

export function pageSummary(results: readonly PageResult[]): { pages: number; passed: number; failed: string[] } {
  return {
    pages: results.length,
    passed: results.filter((r) => r.pass).length,
    failed: results.filter((r) => !r.pass).map((r) => `${pageName(r.visit)} as ${r.visit.visitor}`),
  };
}
