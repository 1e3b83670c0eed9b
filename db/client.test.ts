import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { migrate } from "@/db/migrate";
import { edges, nodes } from "@/db/schema";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";

describe("embedded database on disk", () => {
  it("keeps its data across a restart and is not seeded twice", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "attest-restart-"));
    try {
      const first = await openDatabase({ dataDir: dir });
      await migrate(first);
      await seedGraph(first.db, buildDemoOrg());
      const [n1] = await first.db.select({ n: count() }).from(nodes);
      await first.close();

      const second = await openDatabase({ dataDir: dir });
      await migrate(second);
      const [n2] = await second.db.select({ n: count() }).from(nodes);
      const [e2] = await second.db.select({ n: count() }).from(edges);
      expect(n2!.n).toBe(n1!.n);
      expect(e2!.n).toBe(buildDemoOrg().edges.length);
      expect((await seedGraph(second.db, buildDemoOrg())).seeded).toBe(false);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
