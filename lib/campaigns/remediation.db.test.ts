import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { remediationTasks } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { readCsv } from "@/lib/evidence/csv";
import { decodeGraphDocument, type DecodedImport } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { processGraphChanges } from "@/lib/pipeline/process-changes";

/** Verification follows an import out of its request (lib/pipeline): the import, then the run the job engine would start. */
async function importThenPipeline(...args: Parameters<typeof runImport>) {
  const r = await runImport(...args);
  await processGraphChanges(args[0]);
  return r;
}
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { closeCampaign } from "./close-campaign";
import { bulkDecide } from "./decide-item";
import { listMyItems } from "./queries";
import { completeRemediationTask, exportRemediationCsv, listRemediationTasks } from "./remediation";
import { auditOf, launched } from "./test-helpers";

let t: TestDatabase;
let ana: Actor; // analyst
let admin: Actor;
let ada: Actor; // reviewer
let auditor: Actor;
const graph = smallGraph();

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, graph);
  ana = await actorByEmail(t, "ana@example.com");
  admin = await actorByEmail(t, "admin@example.com");
  ada = await actorByEmail(t, "ada@example.com");
  auditor = await actorByEmail(t, "audit@example.com");
  // The admin reviews every use of the shared GitHub PAT and revokes both; the campaign closes with two tasks.
  const c = await launched(t.db, ana, { name: "PAT users", scope: { edgeKinds: ["uses_credential"] }, reviewerStrategy: { reviewer: "admin@example.com" } });
  const items = (await listMyItems(t.db, admin, { status: "all", limit: 100, campaign: c.id })).items;
  expect(items.map((i) => i.subject.name).sort()).toEqual(["Triage bot", "ci-deployer"]);
  expect(items.every((i) => i.recommendationReason === "revoke: hard-coded credential")).toBe(true);
  await bulkDecide(t.db, admin, {
    items: items.map((i) => ({ id: i.id, version: i.version })),
    decision: "revoke",
    justification: "hard-coded PAT shared by two identities",
  });
  await closeCampaign(t.db, ana, c.id);
});
afterAll(() => t.cleanup());

/** The "mcp" source as a full graph document, as its next sync would send it, minus the edges named. */
function mcpSync(without: { from: string; to: string }[] = []): DecodedImport {
  const nodes = graph.nodes.filter((n) => n.source === "mcp").map(({ source: _s, ...n }) => n);
  const edges = graph.edges
    .filter((e) => e.source === "mcp" && !without.some((w) => w.from === e.from.externalId && w.to === e.to.externalId))
    .map(({ source: _s, ...e }) => e);
  const d = decodeGraphDocument({ source: "mcp", mode: "full", nodes, edges });
  if ("errors" in d) throw new Error(JSON.stringify(d.errors));
  return d;
}
const task = async (subject: string) => (await t.db.select().from(remediationTasks).where(eq(remediationTasks.subjectName, subject)))[0]!;

describe("remediation verified by the next import", () => {
  it("each revoke opened a task naming the access and the source that reports it", async () => {
    const list = await listRemediationTasks(t.db, auditor, { limit: 100 });
    expect(list.total).toBe(2);
    expect(list.items.map((x) => [x.subject.name, x.access.kind, x.target.name, x.access.source, x.status])).toEqual(
      expect.arrayContaining([
        ["Triage bot", "uses_credential", "GitHub PAT", "mcp", "open"],
        ["ci-deployer", "uses_credential", "GitHub PAT", "mcp", "open"],
      ]),
    );
    expect(list.counts).toMatchObject({ open: 2, done: 0, verified: 0 });
  });

  it("an import of another source, or one that is rejected, verifies nothing", async () => {
    const okta = decodeGraphDocument({
      source: "okta",
      mode: "incremental",
      nodes: [{ kind: "group", externalId: "g-eng", name: "Engineering" }],
      edges: [],
    }) as DecodedImport;
    expect((await importThenPipeline(t.db, ana, okta, { format: "graph" })).status).toBe("succeeded");
    const bad = decodeGraphDocument({ source: "mcp", mode: "full", nodes: [{ kind: "wizard", externalId: "x", name: "x" }], edges: [] }) as DecodedImport;
    expect((await importThenPipeline(t.db, ana, bad, { format: "graph" })).status).toBe("rejected");
    expect((await task("ci-deployer")).status).toBe("open");
    expect(await auditOf(t.db, "remediation.verify")).toHaveLength(0);
  });

  it("a sync that no longer shows the access marks its task verified with that import's id", async () => {
    const imp = await importThenPipeline(t.db, ana, mcpSync([{ from: "ci", to: "cred-pat" }]), { format: "graph" });
    expect(imp.status).toBe("succeeded");
    expect(imp.counts?.edgesEnded).toBe(1);
    const ci = await task("ci-deployer");
    expect(ci).toMatchObject({ status: "verified", verifiedImportId: imp.id, verifiedVia: "import" });
    // The bot's access is still there and its task is open: nothing to flag yet.
    expect(await task("Triage bot")).toMatchObject({ status: "open", notEffectiveAt: null });
    const [audit] = await auditOf(t.db, "remediation.verify", ci.id);
    expect(audit!.after).toMatchObject({ status: "verified", importId: imp.id, source: "mcp" });
  });

  it("a sync that still shows access marked done flags the task 'revocation not effective'; the next one without it verifies", async () => {
    const bot = await task("Triage bot");
    const done = await completeRemediationTask(t.db, ana, bot.id, { ticket: "IAM-4211", note: "removed from the bot's env" });
    expect(done).toMatchObject({ status: "done", doneBy: "ana@example.com", ticket: "IAM-4211", notEffective: false });
    expect(await auditOf(t.db, "remediation.done", bot.id)).toHaveLength(1);
    await expect(completeRemediationTask(t.db, ana, bot.id)).rejects.toMatchObject({ code: "conflict" });

    const still = await importThenPipeline(t.db, ana, mcpSync([{ from: "ci", to: "cred-pat" }]), { format: "graph" });
    const flagged = await task("Triage bot");
    expect(flagged).toMatchObject({ status: "done", notEffectiveImportId: still.id });
    expect((await listRemediationTasks(t.db, ana, { status: "not_effective", limit: 10 })).items.map((x) => x.subject.name)).toEqual(["Triage bot"]);
    expect(await auditOf(t.db, "remediation.not_effective", bot.id)).toHaveLength(1);

    // Tried again, then the sync shows it gone.
    await completeRemediationTask(t.db, ana, bot.id, { note: "token rotated and removed" });
    const gone = await importThenPipeline(
      t.db,
      ana,
      mcpSync([
        { from: "ci", to: "cred-pat" },
        { from: "bot", to: "cred-pat" },
      ]),
      { format: "graph" },
    );
    expect(await task("Triage bot")).toMatchObject({ status: "verified", verifiedImportId: gone.id });
    await expect(completeRemediationTask(t.db, ana, bot.id)).rejects.toMatchObject({ code: "conflict" });
  });

  it("exports the tasks as CSV for a ticketing system", async () => {
    const { header, rows } = readCsv(await exportRemediationCsv(t.db, auditor, {}));
    expect(header.join(",")).toBe(
      "task_id,status,not_effective,campaign,subject_kind,subject,subject_id,access,target_kind,target,target_id,source,reason,created_at,done_at,done_by,ticket,note,verified_at,verified_import_id",
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r[1] === "verified" && r[3]!.includes("PAT users"))).toBe(true);
  });

  it("only analysts and admins complete tasks; reviewers cannot even list them", async () => {
    const bot = await task("Triage bot");
    await expect(completeRemediationTask(t.db, auditor, bot.id)).rejects.toMatchObject({ code: "forbidden" });
    await expect(listRemediationTasks(t.db, ada, { limit: 10 })).rejects.toMatchObject({ code: "forbidden" });
  });
});
