import { describe, expect, it } from "vitest";
import { errorForLog } from "./log-safe";

describe("errorForLog", () => {
  it("keeps a query's text but not its parameter values", () => {
    const pg = Object.assign(new Error('invalid input syntax for type uuid: "sk_live_abc123"'), { code: "22P02" });
    const e = new Error('Failed query: insert into "edges" ("id") values ($1)\nparams: sk_live_abc123,hunter2', { cause: pg });
    e.name = "DrizzleQueryError";
    const line = errorForLog(e);
    expect(line).toContain("DrizzleQueryError");
    expect(line).toContain("insert into");
    expect(line).toContain("[22P02]");
    expect(line).not.toContain("sk_live_abc123");
    expect(line).not.toContain("hunter2");
  });

  it("drops credentials inside URLs and quoted values, keeps where it was thrown", () => {
    const line = errorForLog(new Error("connect ECONNREFUSED to https://user:s3cret@db.internal (token 'abc')"));
    expect(line).not.toContain("s3cret");
    expect(line).not.toContain("abc");
    expect(line).toContain("https://{redacted}@db.internal");
    expect(line).toMatch(/\n\s+at /);
  });

  it("names what was thrown when it is not an Error", () => {
    expect(errorForLog("password=x")).toBe("non-error thrown (string)");
  });
});
