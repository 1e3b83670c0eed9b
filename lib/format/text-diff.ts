/**
 * A readable diff of two texts (a tool's description then and now, its schema
 * as indented JSON): lines in order, each kept, removed or added, and where a
 * removed line was replaced by an added one, the words that changed inside it.
 * Pure and bounded: texts past the limits fall back to whole-line changes.
 */
export type DiffWord = { op: "same" | "del" | "add"; text: string };
export type DiffLine = { op: "same" | "del" | "add"; text: string; words?: DiffWord[] };

/** LCS tables larger than this (cells) are not built: a plain "all removed, all added" answer is given instead. */
const MAX_CELLS = 1_000_000;

/** Splits prose into units a reader compares: lines, and long lines into sentences. */
export function diffUnits(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.length <= 120) {
      out.push(line);
      continue;
    }
    // At sentence ends; the space opens the next sentence, so a sentence appended later equals the old last one, and joining restores the line.
    out.push(...line.split(/(?<=[.!?;:])(?=\s)/));
  }
  return out;
}

/** Longest-common-subsequence edit script over two sequences. */
function lcsOps<T>(a: T[], b: T[], eq: (x: T, y: T) => boolean): { op: "same" | "del" | "add"; i: number; j: number }[] {
  // Common head and tail cost nothing to keep out of the table.
  let start = 0;
  while (start < a.length && start < b.length && eq(a[start]!, b[start]!)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && eq(a[endA - 1]!, b[endB - 1]!)) {
    endA--;
    endB--;
  }
  const ops: { op: "same" | "del" | "add"; i: number; j: number }[] = [];
  for (let k = 0; k < start; k++) ops.push({ op: "same", i: k, j: k });
  const n = endA - start;
  const m = endB - start;
  if (n * m > MAX_CELLS) {
    for (let i = start; i < endA; i++) ops.push({ op: "del", i, j: -1 });
    for (let j = start; j < endB; j++) ops.push({ op: "add", i: -1, j });
  } else {
    const t = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--) t[i]![j] = eq(a[start + i]!, b[start + j]!) ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && eq(a[start + i]!, b[start + j]!)) {
        ops.push({ op: "same", i: start + i, j: start + j });
        i++;
        j++;
      } else if (i < n && (j === m || t[i + 1]![j]! >= t[i]![j + 1]!)) {
        // Removals before additions, so a replaced line reads old then new.
        ops.push({ op: "del", i: start + i, j: -1 });
        i++;
      } else {
        ops.push({ op: "add", i: -1, j: start + j });
        j++;
      }
    }
  }
  for (let k = 0; k < a.length - endA; k++) ops.push({ op: "same", i: endA + k, j: endB + k });
  return ops;
}

/** The words (and the spaces between them) that changed between two lines. */
export function diffWords(before: string, after: string): DiffWord[] {
  const a = before.split(/(\s+)/).filter(Boolean);
  const b = after.split(/(\s+)/).filter(Boolean);
  const out: DiffWord[] = [];
  for (const o of lcsOps(a, b, (x, y) => x === y)) {
    const text = o.op === "add" ? b[o.j]! : a[o.i]!;
    const last = out.at(-1);
    if (last && last.op === o.op) last.text += text;
    else out.push({ op: o.op, text });
  }
  return out;
}

/**
 * The line diff of two texts. Each run of removed lines directly followed by
 * as many added lines is paired line by line, and each pair carries its word diff,
 * so an instruction slipped into a sentence shows as the words added to it.
 */
export function diffText(before: string, after: string): DiffLine[] {
  const a = diffUnits(before);
  const b = diffUnits(after);
  const lines: DiffLine[] = lcsOps(a, b, (x, y) => x === y).map((o) => (o.op === "add" ? { op: "add", text: b[o.j]! } : { op: o.op, text: a[o.i]! }));
  for (let k = 0; k < lines.length;) {
    if (lines[k]!.op !== "del") {
      k++;
      continue;
    }
    let d = k;
    while (d < lines.length && lines[d]!.op === "del") d++;
    let e = d;
    while (e < lines.length && lines[e]!.op === "add") e++;
    if (e - d === d - k)
      for (let p = 0; p < d - k; p++) {
        const words = diffWords(lines[k + p]!.text, lines[d + p]!.text);
        // Only worth showing when the lines share something; otherwise they are simply replaced.
        if (words.some((w) => w.op === "same" && w.text.trim())) {
          lines[k + p]!.words = words.filter((w) => w.op !== "add");
          lines[d + p]!.words = words.filter((w) => w.op !== "del");
        }
      }
    k = Math.max(e, k + 1);
  }
  return lines;
}

/** A JSON value as stable, indented text (keys sorted), so two schemas diff line by line. */
export function stableJson(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x !== null && typeof x === "object"
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
          )
        : x;
  return JSON.stringify(sort(v), null, 2) ?? "";
}
