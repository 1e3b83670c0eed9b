import Link from "next/link";
import { asc } from "drizzle-orm";
import { getDb } from "@/db/client";
import { sources } from "@/db/schema";
import { TemplateForm } from "@/components/campaigns/template-form";
import { requirePagePermission } from "@/lib/authz/session";
import { listReviewerCandidates } from "@/lib/campaigns/queries";

export const metadata = { title: "New recurring campaign" };

export default async function NewTemplatePage() {
  const actor = await requirePagePermission("campaign.manage");
  const db = await getDb();
  const [reviewers, sourceRows] = await Promise.all([
    listReviewerCandidates(db, actor),
    db.select({ name: sources.name }).from(sources).orderBy(asc(sources.name)),
  ]);
  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
        <Link href="/campaigns/templates">← recurring campaigns</Link>
      </p>
      <h1>New recurring campaign</h1>
      <p className="subtitle">
        A campaign definition with a schedule: at each run the job engine creates an instance, due the number of days you choose later, and launches it. Cron is
        in UTC.
      </p>
      <TemplateForm sources={sourceRows.map((s) => s.name)} reviewers={reviewers} />
    </>
  );
}
