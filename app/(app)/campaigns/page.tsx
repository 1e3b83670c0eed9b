import { NotYet } from "@/components/ui/not-yet";
import { requirePagePermission } from "@/lib/authz/session";

export const metadata = { title: "Campaigns" };

export default async function Page() {
  await requirePagePermission("campaign.read", "review.decide");
  return <NotYet title="Campaigns" what="Recertification campaigns — scope, reviewers, the reviewer inbox, decisions with separation of duties, and verified remediation — will live here." />;
}
