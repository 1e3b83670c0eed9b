import { NotYet } from "@/components/ui/not-yet";
import { requirePagePermission } from "@/lib/authz/session";

export const metadata = { title: "Evidence" };

export default async function Page() {
  await requirePagePermission("evidence.export", "audit.read");
  return <NotYet title="Evidence" what="Evidence packages for campaigns (CSV, JSON, PDF with a verifiable manifest), point-in-time access reports and the audit log browser will live here." />;
}
