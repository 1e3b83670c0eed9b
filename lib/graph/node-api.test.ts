import { describe, expect, it } from "vitest";
import { neighborsQuerySchema } from "./node-api";

describe("neighborsQuerySchema", () => {
  it("takes a depth from 1 to 3, 1 by default, and names the field when it is out of range", () => {
    expect(neighborsQuerySchema.parse({}).depth).toBe(1);
    expect(neighborsQuerySchema.parse({ depth: "3" }).depth).toBe(3);
    for (const bad of ["0", "4", "2.5", "two"]) {
      const r = neighborsQuerySchema.safeParse({ depth: bad });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual(["depth"]);
    }
  });
});
