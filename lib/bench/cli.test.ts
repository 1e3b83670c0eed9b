import { describe, expect, it } from "vitest";
import { readFlags, wholeNumber } from "./cli";

const fail = (message: string): never => {
  throw new Error(message);
};

describe("the bench CLIs' flag reader", () => {
  it("reads --name value and --name=value, and flags without a value", () => {
    const seen: [string, string | undefined][] = [];
    readFlags(["--size", "S,M", "--db=postgres", "--no-import", "--seed", "7"], (name, value) =>
      seen.push([name, name === "--no-import" ? undefined : value()]),
    );
    expect(seen).toEqual([
      ["--size", "S,M"],
      ["--db", "postgres"],
      ["--no-import", undefined],
      ["--seed", "7"],
    ]);
  });

  it("a value-taking flag at the end reads undefined; an inline empty value stays empty", () => {
    const seen: (string | undefined)[] = [];
    readFlags(["--out=", "--size"], (_, value) => seen.push(value()));
    expect(seen).toEqual(["", undefined]);
  });

  it("whole numbers are checked against their minimum, naming the flag", () => {
    expect(wholeNumber("--queries", "40", fail, 2)).toBe(40);
    expect(() => wholeNumber("--queries", "1", fail, 2)).toThrow("--queries needs a whole number ≥ 2");
    expect(() => wholeNumber("--seed", "-3", fail, 0)).toThrow("--seed needs a whole number ≥ 0");
    expect(() => wholeNumber("--reps", undefined, fail)).toThrow("--reps needs a whole number ≥ 1");
  });
});
