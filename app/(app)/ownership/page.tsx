import { NotYet } from "@/components/ui/not-yet";
import { requirePagePermission } from "@/lib/authz/session";

export const metadata = { title: "Ownership" };

export default async function Page() {
  await requirePagePermission("owner.read", "review.decide");
  return <NotYet title="Ownership" what="Ownership coverage, orphaned agents, servers and credentials, owner suggestions and offboarding reassignment will live here. Until then, each node page lists its owners under Relationships." />;
}
