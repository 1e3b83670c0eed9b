import Link from "next/link";
import { asc } from "drizzle-orm";
import { getDb } from "@/db/client";
import { sources } from "@/db/schema";
import { CampaignForm } from "@/components/campaigns/campaign-form";
import { requirePagePermission } from "@/lib/authz/session";
import { listReviewerCandidates } from "@/lib/campaigns/queries";

export const metadata = { title: "New campaign" };

export default async function NewCampaignPage() {
  const actor = await requirePagePermission("campaign.manage");
  const db = await getDb();
  const [reviewers, sourceRows] = await Promise.all([
    listReviewerCandidates(db, actor),
    db.select({ name: sources.name }).from(sources).orderBy(asc(sources.name)),
  ]);
  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
        <Link href="/campaigns">← campaigns</Link>
      </p>
      <h1>New campaign</h1>
      <p className="subtitle">Define what to review and who reviews it; the preview shows the items and reviewers it produces before anything is saved.</p>
      <CampaignForm sources={sourceRows.map((s) => s.name)} reviewers={reviewers} />
    </>
  );
}
