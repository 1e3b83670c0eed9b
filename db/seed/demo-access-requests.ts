import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accessRequests, appUsers, nodes, sources } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { newId } from "@/lib/ids";

const HOUR = 3_600_000;

/**
 * Two step-ups the decision point would have opened (issue #20): Mei's Cursor agent asked to call two tools of the
 * engineering filesystem server that declare themselves destructive, and the server's business owner — the demo
 * reviewer, Priya — is asked to approve. They wait in her inbox as micro-approvals (each is approved once in the e2e
 * spec, at desktop and at phone width). Written as the decision point writes them (lib/pdp opens requests at run
 * time); the demo has no gateway calling it yet.
 */
export const DEMO_ACCESS_REQUESTS = [
  { agent: "agt-mei-cursor", tool: "filesystem-eng/write_file", justification: "Update the on-call runbook in /mnt/eng-share after incident INC-2291." },
  { agent: "agt-mei-cursor", tool: "filesystem-eng/move_file", justification: "Archive last quarter's postmortems into /mnt/eng-share/archive." },
] as const;

export async function seedDemoAccessRequests(db: Db, now: Date = new Date()): Promise<string[]> {
  const refs = await db
    .select({ id: nodes.id, kind: nodes.kind, externalId: nodes.externalId, source: sources.name })
    .from(nodes)
    .innerJoin(sources, eq(sources.id, nodes.sourceId))
    .where(
      and(
        isNull(nodes.validTo),
        inArray(nodes.externalId, [...new Set(DEMO_ACCESS_REQUESTS.flatMap((r) => [r.agent, r.tool]))]),
        inArray(nodes.kind, ["agent", "tool"]),
      ),
    );
  const idOf = (externalId: string) => {
    const n = refs.find((r) => r.externalId === externalId);
    if (!n) throw new Error(`demo access requests: no node ${externalId}`);
    return n.id;
  };
  const [priya] = await db.select({ id: appUsers.id }).from(appUsers).where(eq(appUsers.email, "priya@northwind.example"));
  if (!priya) throw new Error("demo access requests: no user priya@northwind.example");
  const ids: string[] = [];
  await db.transaction(async (tx) => {
    for (const [n, r] of DEMO_ACCESS_REQUESTS.entries()) {
      const id = newId("areq");
      const createdAt = new Date(now.getTime() - (n + 1) * 7 * 60_000);
      await tx.insert(accessRequests).values({
        id,
        subjectId: idOf(r.agent),
        toolId: idOf(r.tool),
        action: "tools/call",
        reasonCode: "destructive_tool",
        justification: r.justification,
        status: "pending",
        approverId: priya.id,
        requestExpiresAt: new Date(now.getTime() + 7 * 24 * HOUR),
        createdAt,
        updatedAt: createdAt,
      });
      await emitAudit(tx, systemActor("demo seed"), {
        action: "access_request.open",
        target: { type: "access_request", id },
        after: { subjectId: idOf(r.agent), toolId: idOf(r.tool), action: "tools/call", reasonCode: "destructive_tool", approverId: priya.id },
      });
      ids.push(id);
    }
  });
  return ids;
}
