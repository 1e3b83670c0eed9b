import { describe, expect, it } from "vitest";
import { graphEdgeSchema, graphNodeSchema } from "./graph-document";
import { parseGraphEdge, parseGraphNode } from "./parse-records";

const long = (n: number) => "x".repeat(n);

const nodes: unknown[] = [
  { kind: "human", externalId: "e1", name: "Alan Turing" },
  { kind: "human", externalId: "  e1 ", name: " Alan ", attributes: { email: "a@example.com", status: "active", nested: { a: [1, 2] } } },
  { kind: "tool", externalId: long(512), name: long(1000), attributes: {} },
  { kind: "tool", externalId: long(513), name: "too long id" },
  { kind: "tool", externalId: "t", name: long(1001) },
  { kind: "tool", externalId: "   ", name: "blank id" },
  { kind: "wizard", externalId: "w", name: "Merlin" },
  { kind: "human", externalId: "e", name: "" },
  { kind: "human", externalId: 7, name: "number id" },
  { kind: "human", name: "no id" },
  { kind: "human", externalId: "e", name: "extra", color: "red" },
  { kind: "human", externalId: "e", name: "array attrs", attributes: [1] },
  { kind: "human", externalId: "e", name: "null attrs", attributes: null },
  JSON.parse('{"kind":"human","externalId":"e","name":"proto","attributes":{"__proto__":{"x":1}}}'),
  null,
  [1, 2],
  "node",
];

const ref = (over: Record<string, unknown> = {}) => ({ kind: "human", externalId: "e1", ...over });
const edges: unknown[] = [
  { kind: "member_of", from: ref(), to: { kind: "group", externalId: "g1" } },
  { kind: "member_of", from: ref({ externalId: " e1 " }), to: { kind: "group", externalId: "g1", source: "okta.prod-1" }, attributes: { since: "2020" } },
  { kind: "member_of", from: ref({ source: "bad source!" }), to: { kind: "group", externalId: "g1" } },
  { kind: "member_of", from: ref({ source: "" }), to: { kind: "group", externalId: "g1" } },
  { kind: "member_of", from: ref({ extra: 1 }), to: { kind: "group", externalId: "g1" } },
  { kind: "member_of", from: ref({ externalId: "" }), to: { kind: "group", externalId: "g1" } },
  { kind: "member_of", from: ref({ kind: "wizard" }), to: { kind: "group", externalId: "g1" } },
  { kind: "teleports", from: ref(), to: { kind: "group", externalId: "g1" } },
  { kind: "member_of", from: ref() },
  { kind: "member_of", from: ref(), to: { kind: "group", externalId: "g1" }, weight: 3 },
  { kind: "member_of", from: ref(), to: { kind: "group", externalId: "g1" }, attributes: "x" },
  { kind: "member_of", from: "e1", to: { kind: "group", externalId: "g1" } },
  undefined,
];

describe("the fast record check", () => {
  it("answers exactly as the zod schema does: same value when valid, zod's own errors when not", () => {
    for (const n of nodes) {
      const fast = parseGraphNode(n);
      const zod = graphNodeSchema.safeParse(n);
      expect(fast.success).toBe(zod.success);
      if (zod.success) expect(fast.data).toEqual(zod.data);
      else expect(fast.error!.issues).toEqual(zod.error.issues);
    }
    for (const e of edges) {
      const fast = parseGraphEdge(e);
      const zod = graphEdgeSchema.safeParse(e);
      expect(fast.success).toBe(zod.success);
      if (zod.success) expect(fast.data).toEqual(zod.data);
      else expect(fast.error!.issues).toEqual(zod.error.issues);
    }
  });
});
