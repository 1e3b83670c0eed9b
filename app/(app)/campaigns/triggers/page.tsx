import Link from "next/link";
import { getDb } from "@/db/client";
import { TriggerRulesPanel } from "@/components/campaigns/trigger-rules-panel";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { listReviewerCandidates } from "@/lib/campaigns/queries";
import { listTriggerRules } from "@/lib/campaigns/triggers/rules";

export const metadata = { title: "Trigger rules" };

export default async function TriggerRulesPage() {
  const actor = await requirePagePermission("campaign.read");
  const db = await getDb();
  const canManage = can(actor, "campaign.manage");
  const [rules, reviewers] = await Promise.all([listTriggerRules(db, actor), canManage ? listReviewerCandidates(db, actor) : []]);
  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
        <Link href="/campaigns">← all campaigns</Link>
      </p>
      <h1>Trigger rules</h1>
      <p className="subtitle">
        Micro-certifications: when a tool changes after certification, a principal newly reaches a critical tool, an owner departs, a hard-coded secret is found
        or a Shared Signals event arrives, a small campaign over exactly that access is opened and addressed to its owner at once. Checked every minute; each
        event fires a rule once.
      </p>
      <TriggerRulesPanel rules={rules.items} reviewers={reviewers} canManage={canManage} />
    </>
  );
}
