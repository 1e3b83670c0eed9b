import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inOrder, type AccessAnswer } from "./access-api";
import { buildAccessIndex, type IndexEdge, type IndexNode } from "./access-index";
import { whoCanReach } from "./traverse";

/**
 * An answer's pages come in one order: nearest first, then by id. Large levels are cut by selection instead of a
 * full sort; whatever the sizes, the first `count` must be exactly the first `count` of the fully sorted answer.
 */
describe("the order of an access answer's first results", () => {
  it("equals a full sort by (depth, id) for any page size, with levels far larger than the page", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 900 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (groups, members, count, seed) => {
          // target ← `groups` groups ← `members` humans each shared at random; ids random so no insertion order helps.
          let x = seed || 1;
          const rnd = () => ((x = (x * 48271) % 2147483647), x);
          const nodes: IndexNode[] = [{ id: "target", kind: "resource" }];
          const edges: IndexEdge[] = [];
          for (let g = 0; g < groups; g++) {
            const id = `g-${rnd().toString(36)}-${g}`;
            nodes.push({ id, kind: "group" });
            edges.push({ fromId: id, toId: "target", kind: "member_of" });
          }
          for (let m = 0; m < members; m++) {
            const id = `h-${rnd().toString(36)}-${m}`;
            nodes.push({ id, kind: "human" });
            edges.push({ fromId: id, toId: nodes[1 + (rnd() % groups)]!.id, kind: "member_of" });
          }
          const ix = buildAccessIndex(nodes, edges);
          const r = whoCanReach(ix, ix.indexOf.get("target")!, 3);
          const a: AccessAnswer = { ix, search: r.search, direction: "in", start: "target", reached: r.reached, groups: [] };
          const want = [...r.reached]
            .sort((p, q) => p.depth - q.depth || (ix.ids[p.node]! < ix.ids[q.node]! ? -1 : 1))
            .slice(0, count)
            .map((p) => ix.ids[p.node]);
          expect(inOrder(a, count).map((p) => ix.ids[p.node])).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });
});
