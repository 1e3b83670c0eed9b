import { describe, expect, it } from "vitest";
import { decodeCsv, decodeJsonl, type ImportItem } from "@/lib/ingest/import-items";
import { ALNUM, randomish } from "@/lib/ingest/secrets/fake-tokens";
import { isAppError } from "@/lib/errors";
import { readJsonBody } from "./body";
import { jsonErrorMessage } from "./json-error";

const SECRET = `x9Qm2vT7${randomish(24, ALNUM, 5)}`;
const parseError = (text: string) => {
  try {
    JSON.parse(text);
  } catch (e) {
    return e;
  }
  throw new Error("expected a parse error");
};

/** Inputs whose JSON.parse message in Node 20 quotes the input (`"x9Qm…" is not valid JSON`). */
const BROKEN = [`${SECRET}`, `{"a": ${SECRET}}`, `{"a": "b"\n, "c": ${SECRET}`, `["${SECRET}"`, `{"token": "${SECRET}" "x": 1}`];

describe("JSON errors name a position, never the input", () => {
  it.each(BROKEN)("%#: position only", (text) => {
    const message = jsonErrorMessage(text, parseError(text));
    expect(message).toMatch(/^not valid JSON( at line \d+, column \d+)?$/);
    expect(message).not.toContain(SECRET.slice(0, 8));
  });

  it("points at the line and column of the problem", () => {
    expect(jsonErrorMessage('{"a": 1,\n  "b": x}', parseError('{"a": 1,\n  "b": x}'))).toBe("not valid JSON at line 2, column 8");
    expect(jsonErrorMessage('{"a": [1, 2', parseError('{"a": [1, 2'))).toMatch(/^not valid JSON at line 1, column \d+$/);
  });

  it("request bodies, JSONL lines, JSONL headers, CSV attribute columns and CSV syntax errors quote nothing", async () => {
    const req = new Request("http://x.test/", { method: "POST", headers: { "content-type": "application/json" }, body: `{"token": ${SECRET}}` });
    const err = await readJsonBody(req).catch((e: unknown) => e);
    expect(isAppError(err) && JSON.stringify({ m: err.message, d: err.details })).not.toContain(SECRET.slice(0, 8));

    const lines = async function* (texts: string[]) {
      for (const [i, text] of texts.entries()) yield { line: i + 1, text };
    };
    const header = await decodeJsonl(lines([`{"source": ${SECRET}}`]));
    expect(JSON.stringify(header)).not.toContain(SECRET.slice(0, 8));
    const body = await decodeJsonl(lines(['{"source": "s"}', `{"node": ${SECRET}}`]));
    const items: ImportItem[] = [];
    if (!("errors" in body)) for await (const i of body.items) items.push(i);
    expect(items).toEqual([{ type: "error", error: { path: "line 2", message: expect.stringMatching(/^not valid JSON at column \d+$/) } }]);

    const csv: ImportItem[] = [];
    for await (const i of decodeCsv({ nodes: `kind,externalId,name,attributes\nhuman,a,A,"{""k"": ${SECRET}}"\nhuman,b,"B"${SECRET}",x\n` })) csv.push(i);
    expect(JSON.stringify(csv)).not.toContain(SECRET.slice(0, 8));
    expect(csv).toContainEqual({ type: "error", error: { path: "nodes.csv", message: expect.stringMatching(/^not valid CSV at line 3: /) } });
    const attrs: ImportItem[] = [];
    for await (const i of decodeCsv({ nodes: `kind,externalId,name,attributes\nhuman,a,A,"{""k"": ${SECRET}}"\n` })) attrs.push(i);
    expect(attrs).toEqual([
      { type: "error", error: { path: "nodes.csv line 2", message: expect.stringMatching(/^the attributes column is not valid JSON at character \d+$/) } },
    ]);
  });
});
