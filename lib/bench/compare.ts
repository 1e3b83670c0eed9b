/** Compares two traversal answers as (node, minimum depth) sets. */
export interface ReachedRow {
  id: string;
  depth: number;
}

export interface SetDifference {
  expected: number;
  actual: number;
  missing: number;
  extra: number;
  wrongDepth: number;
  /** A few examples of each problem, for the report. */
  examples: string[];
}

/** Null when both hold exactly the same nodes at the same depths; otherwise what differs. */
export function compareReached(expected: readonly ReachedRow[], actual: readonly ReachedRow[]): SetDifference | null {
  const want = new Map(expected.map((r) => [r.id, r.depth]));
  const got = new Map<string, number>();
  const examples: string[] = [];
  let duplicates = 0;
  for (const r of actual) {
    if (got.has(r.id)) duplicates++;
    got.set(r.id, r.depth);
  }
  let missing = 0;
  let extra = 0;
  let wrongDepth = 0;
  for (const [id, depth] of want) {
    const d = got.get(id);
    if (d === undefined) {
      missing++;
      if (examples.length < 6) examples.push(`missing ${id}@${depth}`);
    } else if (d !== depth) {
      wrongDepth++;
      if (examples.length < 6) examples.push(`${id} at depth ${d}, expected ${depth}`);
    }
  }
  for (const [id, d] of got) {
    if (!want.has(id)) {
      extra++;
      if (examples.length < 6) examples.push(`extra ${id}@${d}`);
    }
  }
  if (duplicates > 0) examples.push(`${duplicates} node(s) answered more than once`);
  if (missing + extra + wrongDepth + duplicates === 0) return null;
  return { expected: want.size, actual: actual.length, missing, extra, wrongDepth, examples };
}
