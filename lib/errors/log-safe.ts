/**
 * An unexpected error as a log line that keeps what an operator needs (class, database code, the message's words,
 * where it was thrown) and drops what may carry someone's data: a query's parameter values (drizzle appends them
 * after "params:"), quoted values in messages (PostgreSQL's `invalid input syntax …: "value"`), credentials inside
 * URLs and the `detail` of database errors. Logs are kept; nothing secret may be (developers' guide, rule 6).
 */
export function errorForLog(err: unknown): string {
  if (!(err instanceof Error)) return `non-error thrown (${typeof err})`;
  const parts = [describe(err)];
  let cause: unknown = (err as { cause?: unknown }).cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth++) {
    parts.push(`caused by ${describe(cause)}`);
    cause = (cause as { cause?: unknown }).cause;
  }
  const frames = (err.stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 8);
  return [parts.join("; "), ...frames].join("\n");
}

function describe(e: Error): string {
  const code = (e as { code?: unknown }).code;
  return `${e.name}${typeof code === "string" || typeof code === "number" ? ` [${code}]` : ""}: ${scrub(e.message)}`;
}

function scrub(message: string): string {
  return message
    .split(/\nparams:/)[0]!
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1{redacted}@")
    .replace(/"[^"\n]*"/g, '"…"')
    .replace(/'[^'\n]*'/g, "'…'")
    .slice(0, 2000);
}
