/**
 * The flag reading the command-line tools share (bench, gen, import): `--name value` or `--name=value`, each flag handed to
 * `onFlag` with a reader of its value (the inline one, else the next argument).
 */
export function readFlags(argv: readonly string[], onFlag: (name: string, value: () => string | undefined, flag: string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const eq = flag.indexOf("=");
    const name = eq >= 0 ? flag.slice(0, eq) : flag;
    const inline = eq >= 0 ? flag.slice(eq + 1) : undefined;
    onFlag(name, () => inline ?? argv[++i], flag);
  }
}

/** A whole number ≥ min, or `fail` with a message naming the flag. */
export function wholeNumber(flag: string, v: string | undefined, fail: (message: string) => never, min = 1): number {
  if (!v || !/^\d+$/.test(v) || Number(v) < min) fail(`${flag} needs a whole number ≥ ${min}`);
  return Number(v);
}
